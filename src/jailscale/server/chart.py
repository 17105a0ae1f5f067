"""The score breakdown chart: each measured metric's estimate with its 95% interval on a 0-1 axis,
as geometry for an inline SVG (drawn by the template, so every label is escaped)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LABEL = 150
SCALE = 360
ROW = 28
TOP = 24


@dataclass(frozen=True)
class Bar:
    abbr: str
    label: str
    y: int
    x_low: float
    x_high: float
    x_est: float
    estimate: float
    interval: tuple[float, float]


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    axis: list[tuple[float, str]]
    x0: int
    x1: int


def _x(v: float) -> float:
    return round(LABEL + SCALE * max(0.0, min(1.0, v)), 1)


def chart(assessment: dict[str, Any]) -> Chart:
    """Bars for the metrics that carry an estimate and an interval (measured shares and means)."""
    bars: list[Bar] = []
    for m in assessment.get("metrics", []):
        est, iv = m.get("estimate"), m.get("interval")
        if est is None or not iv:
            continue
        lo, hi = float(iv[0]), float(iv[1])
        y = TOP + len(bars) * ROW
        bars.append(Bar(abbr=str(m["abbr"]), label=f"{m['abbr']} = {m.get('value') or '-'}", y=y, x_low=_x(lo),
                        x_high=_x(hi), x_est=_x(float(est)), estimate=float(est), interval=(lo, hi)))
    axis = [(_x(t / 4), f"{t / 4:.2f}") for t in range(5)]
    return Chart(bars=bars, width=LABEL + SCALE + 40, height=TOP + len(bars) * ROW + 10, axis=axis,
                 x0=LABEL, x1=LABEL + SCALE)
