"""Reading a dataset's CSV file with errors that name the file, the row and what to do."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from ..formats.io import read_utf8
from ..textsafe import quote


@dataclass(frozen=True)
class Row:
    """One data row: ``number`` counts data rows from 1 (the header is not a row); ``line`` is the
    file line the row starts on."""

    number: int
    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values[column]

    def where(self, path: Path) -> str:
        return f"'{path}' row {self.number} (line {self.line})"


def read_text(path: Path) -> str:
    """The file's text, decoded as UTF-8 (a byte-order mark is allowed)."""
    text = read_utf8(path, missing_hint="; check the path (suite data is not bundled: download the dataset "
                     "and point at its CSV file)", directory_hint="give the CSV file inside it")
    if not text.strip():
        raise UserError(f"'{path}' is empty; expected a CSV header and at least one row")
    return text


def read_csv(path: Path, required: tuple[str, ...]) -> list[Row]:
    """Rows of a CSV file with a header line. Every column in ``required`` must be in the header,
    and every row must have exactly as many fields as the header (a short last row or an
    unterminated quote means the file was cut off)."""
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
        missing = [c for c in required if c not in header]
        if missing:
            raise UserError(f"'{path}' has no column {', '.join(repr(c) for c in missing)}; "
                            f"its header is {quote(','.join(header), 120)}; expected columns {', '.join(required)}")
        rows: list[Row] = []
        start = reader.line_num + 1
        for fields in reader:
            number = len(rows) + 1
            if not fields:
                start = reader.line_num + 1
                continue
            if len(fields) != len(header):
                raise UserError(f"'{path}' row {number} (line {start}) has {len(fields)} fields but the "
                                f"header has {len(header)}"
                                + ("; the file looks truncated" if len(fields) < len(header) else "")
                                + "; repair or re-download the file")
            rows.append(Row(number, start, dict(zip(header, fields, strict=True))))
            start = reader.line_num + 1
    except csv.Error as e:
        raise UserError(f"'{path}' is not valid CSV near line {reader.line_num}: {e} "
                        "(the file looks truncated); repair or re-download it") from None
    if not rows:
        raise UserError(f"'{path}' has a header but no rows")
    return rows
