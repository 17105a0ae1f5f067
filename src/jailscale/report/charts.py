"""Server-side SVG geometry for the report's charts: plain numbers that the template draws as inline
SVG (no scripts, nothing fetched, so it shows under the report's strict Content-Security-Policy).

The success chart has one group per harm tier or category and two bars in it, plain requests and
jailbreak attempts; each bar is the share of judged attempts that succeeded, with a whisker for its
95% Wilson interval.
"""

from __future__ import annotations

from dataclasses import dataclass

from .people import GroupRow, Share

LABEL = 190
SCALE = 420
RIGHT = 190
BAR = 11
GAP = 3
GROUP = 2 * BAR + GAP + 14
TOP = 26


@dataclass(frozen=True)
class Bar:
    kind: str
    y: float
    width: float
    lo: float
    hi: float
    text: str


@dataclass(frozen=True)
class Group:
    label: str
    y: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class SuccessChart:
    width: int
    height: int
    x0: int
    scale: int
    ticks: tuple[tuple[float, str], ...]
    groups: tuple[Group, ...]


def _x(p: float) -> float:
    return round(LABEL + SCALE * max(0.0, min(1.0, p)), 1)


def _bar(kind: str, y: float, s: Share) -> Bar:
    if not s.n:
        return Bar(kind, y, 0.0, LABEL, LABEL, "none judged" if s.attempts else "not tried")
    return Bar(kind, y, round(SCALE * s.estimate, 1), _x(s.low), _x(s.high),
               f"{s.successes}/{s.n} = {s.estimate:.0%} [{s.low:.0%}, {s.high:.0%}]")


def success_chart(rows: list[GroupRow]) -> SuccessChart | None:
    if not rows:
        return None
    groups = []
    for i, r in enumerate(rows):
        y = TOP + i * GROUP
        label = r.name if len(r.name) <= 28 else r.name[:27] + "…"
        groups.append(Group(label, y, (_bar("baseline", y, r.baseline), _bar("jailbreak", y + BAR + GAP, r.jailbreak))))
    ticks = tuple((_x(p / 4), f"{p * 25}%") for p in range(5))
    return SuccessChart(width=LABEL + SCALE + RIGHT, height=TOP + len(rows) * GROUP + 6, x0=LABEL, scale=SCALE,
                        ticks=ticks, groups=tuple(groups))
