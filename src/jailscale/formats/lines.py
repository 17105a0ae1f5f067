"""JSON Lines submissions: the header on the first line, then one transcript per line, read in chunks.

A submission of a million transcripts is too large to parse as one JSON document in bounded memory;
as JSON Lines it is read a chunk of lines at a time, so an assessment's memory does not grow with the
evidence (``jailscale assess FILE.jsonl``). The format (docs/submission-lines.md):

- **line 1, the header**: a submission without its evidence, ``"format": "jailscale.submission-lines/1"``
  (:class:`SubmissionLinesHeader`, ``docs/schema/submission-lines.schema.json``); everything else
  as in ``jailscale.submission/1``;
- **every further line**: one transcript (``docs/schema/transcript.schema.json``), in the order the
  JSON submission would list them in ``evidence``; blank lines are skipped.

The assessment of a JSON Lines submission is the assessment of the JSON submission with the same
header and the same transcripts in the same order: the same id, vector and range.

Every line is hostile input, bounded before it is parsed: the file is a regular file of at most
:func:`max_stream_bytes`; each line at most :func:`max_line_bytes`; JSON with duplicate keys refused
and nesting at most :data:`~jailscale.formats.io.MAX_DEPTH`; UTF-8. A bad line stops the read with
one line naming the file and its line number (values quoted, escaped and truncated), before anything
is stored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

from pydantic import Field, ValidationError

from ..errors import UserError
from ..textsafe import quote
from .evidence import Transcript
from .io import ENV_MAX_MB, MAX_DEPTH, describe, max_input_bytes, open_regular, show_path, too_big
from .submission import Submission

LINES_FORMAT = "jailscale.submission-lines/1"
#: File name endings read as JSON Lines submissions.
SUFFIXES = (".jsonl", ".ndjson")
#: Default cap on a JSON Lines file, in MB: it is streamed, so its size does not set the memory an
#: assessment takes (a million transcripts of short placeholder text are about 370 MB; 4,000 MB leaves
#: ten times that). ``--max-input-mb N`` (``$JAILSCALE_MAX_INPUT_MB``) sets it instead.
DEFAULT_STREAM_MAX_MB = 4000
#: Default cap on one line, in MB: a transcript with a long multi-turn prompt and answer is well under
#: 1 MB; one line is parsed whole (about 6x its size in memory). ``--max-input-mb N`` sets it to N MB.
DEFAULT_LINE_MAX_MB = 16
#: Transcripts per chunk handed to the assessment (judged, tallied and spooled together).
CHUNK = 2000


class SubmissionLinesHeader(Submission):
    """The first line of a JSON Lines submission: a submission whose transcripts follow, one per line."""

    format: Literal["jailscale.submission-lines/1"]  # type: ignore[assignment]  # required: it says what the file is
    evidence: list[Transcript] = Field(default_factory=list, max_length=0,
                                       description="always empty: the transcripts follow the header, one per line")


def max_stream_bytes() -> int:
    """The cap on a JSON Lines file: ``$JAILSCALE_MAX_INPUT_MB`` MB when set, else :data:`DEFAULT_STREAM_MAX_MB`."""
    return max_input_bytes() if os.environ.get(ENV_MAX_MB, "").strip() else int(DEFAULT_STREAM_MAX_MB * 1_000_000)


def max_line_bytes() -> int:
    """The cap on one line: ``$JAILSCALE_MAX_INPUT_MB`` MB when set, else :data:`DEFAULT_LINE_MAX_MB`."""
    return max_input_bytes() if os.environ.get(ENV_MAX_MB, "").strip() else int(DEFAULT_LINE_MAX_MB * 1_000_000)


def is_lines(path: Path) -> bool:
    """Whether ``path`` is read as JSON Lines (by its ending)."""
    return path.suffix.lower() in SUFFIXES


class _RepeatedKey(Exception):
    """A JSON object repeats a key (raised by :func:`_unique_pairs`, turned into a UserError naming the line)."""


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    d = dict(pairs)
    if len(d) != len(pairs):
        seen: set[str] = set()
        raise _RepeatedKey(next(k for k, _ in pairs if k in seen or seen.add(k)))  # type: ignore[func-returns-value]
    return d


#: One decoder for every line (``json.loads`` with a hook builds a decoder per call).
_DECODER = json.JSONDecoder(object_pairs_hook=_unique_pairs)


def _depth_ok(data: Any) -> bool:
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, dict | list))
    return True


class _Samples:
    """Sample numbers seen for one (behaviour, condition, reference): a contiguous run from 0 and the
    rest in a set, so evidence listed in sample order takes constant memory."""

    __slots__ = ("extra", "run")

    def __init__(self) -> None:
        self.run = 0
        self.extra: set[int] = set()

    def add(self, s: int) -> bool:
        """False when ``s`` was seen before."""
        if s < self.run or s in self.extra:
            return False
        if s == self.run:
            self.run += 1
            while self.run in self.extra:
                self.extra.discard(self.run)
                self.run += 1
        else:
            self.extra.add(s)
        return True


@dataclass(frozen=True)
class _Bounds:
    """One file's reading limits, and the bounded steps of reading it."""

    path: Path
    shown: str
    file_limit: int
    line_limit: int

    def reader(self) -> BinaryIO:
        fd = open_regular(self.path, self.shown, limit=self.file_limit)
        return os.fdopen(fd, "rb", buffering=1 << 20)

    def lines(self, f: BinaryIO, offset: int, number: int) -> Iterator[tuple[int, bytes]]:
        """(line number, bytes) of each non-blank line from ``offset``, each and their sum bounded."""
        total = offset
        limit = self.line_limit
        while True:
            raw = f.readline(limit + 1)
            if not raw:
                return
            total += len(raw)
            if total > self.file_limit:
                raise UserError(too_big(self.shown, total, self.file_limit, grew=True))
            if len(raw) > limit and not raw.endswith(b"\n"):
                raise UserError(f"{self.shown} line {number} is longer than {limit:,} bytes, the limit for one "
                                f"line; if it is genuine, raise the limit with --max-input-mb N or {ENV_MAX_MB}=N")
            if raw.strip():
                yield number, raw
            number += 1

    def parse(self, raw: bytes, number: int) -> dict[str, Any]:
        where = f"{self.shown} line {number}"
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as e:
            raise UserError(f"{where} is not UTF-8 text (byte 0x{raw[e.start]:02x} at column {e.start + 1}); "
                            "re-save the file as UTF-8") from None
        try:
            data = _DECODER.decode(text)
        except RecursionError:
            data = None
            deep = True
        except _RepeatedKey as e:
            raise UserError(f"{where} repeats the key {quote(e.args[0], 60)} in one object; keep one") from None
        except json.JSONDecodeError as e:
            raise UserError(f"{where} is not valid JSON: {e.msg} (column {e.colno}); each line must be one "
                            "JSON object") from None
        else:
            # nesting cannot be deeper than the brackets the line holds: walk it only when it could be
            deep = raw.count(b"[") + raw.count(b"{") > MAX_DEPTH and not _depth_ok(data)
        if deep:
            raise UserError(f"{where} is nested more than {MAX_DEPTH} levels deep; a transcript is far "
                            "shallower: check the file")
        if not isinstance(data, dict):
            kind = "null" if data is None else type(data).__name__
            raise UserError(f"{where} is a JSON {kind}, not an object; each line must be one JSON object")
        return data

    def header(self, data: dict[str, Any], number: int) -> Submission:
        where = f"{self.shown} line {number}"
        fmt = data.get("format")
        if fmt != LINES_FORMAT:
            hint = (" (a JSON submission: give it a .json name)" if fmt == "jailscale.submission/1" else
                    " (it looks like a transcript: put the submission header first)" if "behaviour" in data
                    else "")
            raise UserError(f"{where}: the first line must be the submission header with \"format\": "
                            f"\"{LINES_FORMAT}\", not {quote(fmt, 60) if fmt is not None else 'no format'}{hint}")
        if "evidence" in data:
            raise UserError(f"{where}: the header holds no 'evidence'; put each transcript on a line of its own "
                            "after the header")
        try:
            header = SubmissionLinesHeader.model_validate(data)
        except ValidationError as e:
            raise UserError(f"{where}: not a valid submission header: {describe(e)}") from None
        except RecursionError:
            raise UserError(f"{where}: nested too deeply to be a submission header") from None
        return Submission.model_validate(header.model_dump(exclude={"format", "evidence"}))


@dataclass(frozen=True)
class LinesFile:
    """An open JSON Lines submission: its header (as a :class:`Submission` without evidence) and its
    transcripts, read again from the file on each call of :meth:`chunks`."""

    bounds: _Bounds
    header: Submission
    start: int
    first_line: int

    @property
    def shown(self) -> str:
        return self.bounds.shown

    @classmethod
    def open(cls, path: Path) -> LinesFile:
        """Read and check the header line; the transcripts are read by :meth:`chunks`."""
        b = _Bounds(path, show_path(path), max_stream_bytes(), max_line_bytes())
        with b.reader() as f:
            for number, raw in b.lines(f, 0, 1):
                header = b.header(b.parse(raw, number), number)
                return cls(b, header, f.tell(), number + 1)
        raise UserError(f"{b.shown} holds no lines; a JSON Lines submission starts with its header line "
                        f"(\"format\": \"{LINES_FORMAT}\"), then one transcript per line")

    def chunks(self, size: int = CHUNK) -> Iterator[list[tuple[int, Transcript]]]:
        """The transcripts as lists of (line number, transcript) of at most ``size``, each checked as
        the JSON submission's evidence is: a valid transcript, a reference among those the header
        declares, no (behaviour, condition, reference, sample) twice."""
        names = {r.name for r in self.header.references} | set(self.header.baselines)
        seen: dict[tuple[str, str, str], _Samples] = {}
        part: list[tuple[int, Transcript]] = []
        b = self.bounds
        with b.reader() as f:
            f.seek(self.start)
            for number, raw in b.lines(f, self.start, self.first_line):
                data = b.parse(raw, number)
                where = f"{self.shown} line {number}"
                try:
                    t = Transcript.model_validate(data)
                except ValidationError as e:
                    raise UserError(f"{where}: not a valid transcript: {describe(e)}") from None
                except RecursionError:
                    raise UserError(f"{where}: nested too deeply to be a transcript") from None
                if t.reference and t.reference not in names:
                    known = quote(", ".join(sorted(names)), 120) if names else "none"
                    raise UserError(f"{where} names reference {quote(t.reference, 60)}, which is not among the "
                                    f"header's references ({known})")
                key = (t.behaviour, t.condition, t.reference or "")
                samples = seen.get(key)
                if samples is None:
                    samples = seen[key] = _Samples()
                if not samples.add(t.sample):
                    raise UserError(f"{where} repeats behaviour {quote(t.behaviour, 60)}, condition "
                                    f"'{t.condition}'{f', reference {quote(t.reference, 60)}' if t.reference else ''}"
                                    f", sample {t.sample}: each attempt once")
                part.append((number, t))
                if len(part) >= size:
                    yield part
                    part = []
        if part:
            yield part
