"""Why a vector scores what it does, and which single changes would move it."""

from __future__ import annotations

from dataclasses import dataclass

from .metrics import UNKNOWN
from .scoring import (
    CLASS_SCORES,
    Score,
    class_floor,
    classes,
    deficit,
    rating_of,
    score,
    transfers_or_unfixable,
    uplift_cap,
)
from .vector import Vector


@dataclass(frozen=True)
class Change:
    """Setting ``metric`` to ``code`` would give ``score``."""

    metric: str
    code: str
    score: Score
    more_severe: bool | None  # None: the metric is unknown now, so the change is a measurement

    @property
    def direction(self) -> str:
        if self.more_severe is None:
            return "if measured"
        return "more severe" if self.more_severe else "less severe"


@dataclass(frozen=True)
class Explanation:
    score: Score
    steps: tuple[str, ...]
    changes: tuple[Change, ...]

    def __str__(self) -> str:
        lines = [str(self.score), *(f"  - {s}" for s in self.steps)]
        if self.changes:
            lines.append("  what would change the rating:")
            for c in self.changes:
                lines.append(f"    {c.metric}:{c.code} ({c.direction}) -> {c.score}")
        return "\n".join(lines)


def _steps(v: Vector, s: Score) -> list[str]:
    if s.value is None:
        return [f"score withheld: base metric{'s' if len(s.missing) > 1 else ''} "
                f"{', '.join(s.missing)} not measured; measure {'them' if len(s.missing) > 1 else 'it'} "
                "to obtain a score"]
    e = v.effective
    if e("HD") == "N":
        return ["HD:N: success is not established in any harm tier, so the score is 0.0"]
    if e("UN") == "N":
        return ["UN:N: the technique newly unlocks nothing beyond chance, so the score is 0.0"]
    c = classes(v)
    unset = [m.abbr for m in v.table.metrics if v.get(m.abbr) is None]
    unfixable = v.table.by_abbr["RM"].worst
    out = [
        f"reach {c.reach} from UN:{e('UN')} and RL:{e('RL')}",
        f"capability {c.capability} from FI:{e('FI')} and UP:{e('UP')}",
        f"exposure {c.exposure} from reach and capability, with SB:{e('SB')}",
        f"access {c.access} from AR:{e('AR')} and DX:{e('DX')}; ease {c.ease} from AC:{e('AC')}, "
        f"AU:{e('AU')}, EM:{e('EM')}",
        f"threat {c.threat} = min(access, ease)" + (f" + 1 for TR:H or RM:{unfixable}"
                                                     if transfers_or_unfixable(v) else ""),
        f"class (HD:{e('HD')}, exposure {c.exposure}, threat {c.threat}) scores "
        f"{CLASS_SCORES[e('HD')][c.exposure - 1][c.threat - 1] / 10:.1f}; the classes below reach "
        f"{class_floor(e('HD'), c.exposure, c.threat) / 10:.1f}; deficit {float(deficit(v)):.3f} "
        f"places it at {s.value:.1f}",
    ]
    for cap in s.capped_by:
        if cap.startswith("UP:"):
            what = "zero" if cap == "UP:N" else "limited"
            ceiling = uplift_cap(v)
            out.append(f"{cap} (measured {what} uplift) caps the score at {ceiling / 10:.1f}, "
                       f"{rating_of(ceiling)}" + (f" at HD:{e('HD')}" if v.version != "1.0" else ""))
    if unset:
        out.append(f"unset, scored at their worst: {', '.join(unset)}")
    return out


def explain(vector: Vector) -> Explanation:
    """The score, the steps that produced it, and every single-metric change that moves the rating."""
    s = score(vector)
    changes = []
    for m in vector.table.metrics:
        current = vector.get(m.abbr)
        for code in m.codes:
            if code == current or (current is None and code == m.worst):
                continue
            alt = score(vector.replace(**{m.abbr: code}))
            if alt.rating != s.rating and alt.value is not None:
                if m.mandatory and current == UNKNOWN:
                    changes.append(Change(m.abbr, code, alt, None))
                else:
                    start = m.rank(current if current else m.worst)
                    changes.append(Change(m.abbr, code, alt, m.rank(code) > start))
    return Explanation(s, tuple(_steps(vector, s)), tuple(changes))
