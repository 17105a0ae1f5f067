"""The score breakdown chart: every metric of an assessment on its own scale of values, least to most
severe, with the range of values the evidence allows as a bar, the vector's value as a dot (none when
withheld), and the measured estimate with its 95% interval written beside it. Geometry only: the
template draws it as inline SVG, so every label goes through Jinja's escaping."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..spec import parse
from ..spec.metrics import Table

LABEL = 70
SCALE = 300
NOTE = 230
ROW = 30
TOP = 22


@dataclass(frozen=True)
class Row:
    abbr: str
    label: str
    y: int
    ticks: tuple[tuple[float, str], ...]
    x_low: float
    x_high: float
    x_value: float | None
    note: str


@dataclass(frozen=True)
class Chart:
    rows: list[Row]
    width: int
    height: int
    x_note: int


def _x(rank: int, n: int) -> float:
    return round(LABEL + (SCALE * rank / (n - 1) if n > 1 else SCALE / 2), 1)


def _note(m: dict[str, Any]) -> str:
    est, iv = m.get("estimate"), m.get("interval")
    if est is None:
        return str(m.get("source", ""))
    text = f"{float(est):.2f}"
    if iv:
        text += f" [{float(iv[0]):.2f}, {float(iv[1]):.2f}]"
    return text


def chart(assessment: dict[str, Any]) -> Chart:
    """Rows for the metrics whose codes the vector's version knows."""
    try:
        table: Table = parse(str(assessment.get("vector", ""))).table
    except ValueError:
        return Chart(rows=[], width=0, height=0, x_note=0)
    rows: list[Row] = []
    for m in assessment.get("metrics", []):
        metric = table.by_abbr.get(str(m.get("abbr")))
        if metric is None:
            continue
        codes = metric.codes
        n = len(codes)

        def rank(code: Any, default: int, codes: tuple[str, ...] = codes) -> int:
            return codes.index(code) if code in codes else default

        value = m.get("value")
        rows.append(Row(abbr=metric.abbr, label=f"{metric.abbr} {value or '-'}", y=TOP + len(rows) * ROW,
                        ticks=tuple((_x(i, n), c) for i, c in enumerate(codes)),
                        x_low=_x(rank(m.get("low"), 0), n), x_high=_x(rank(m.get("high"), n - 1), n),
                        x_value=_x(codes.index(value), n) if value in codes else None, note=_note(m)))
    return Chart(rows=rows, width=LABEL + SCALE + 20 + NOTE, height=TOP + len(rows) * ROW, x_note=LABEL + SCALE + 20)
