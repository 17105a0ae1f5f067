"""Two assessments of the same jailbreak, side by side: where they differ, whether each difference is
real given the intervals, which difference moves the rating, and what measurement would settle it.

This module computes; :mod:`jailscale.report.compare` renders (text and Markdown). Each side's sample
size is the typed ``MetricResult.n`` the measurement recorded (with its ``unit``), never guessed from
count names: a metric without it gets no sample-size estimate. A rating that a change would leave
withheld is ``None`` here and rendered "withheld", never as the rating "None".

A difference is *real* when the two consistent ranges do not overlap; when they overlap it is *not
established*: within uncertainty. A metric that one side declared (or left unset or unknown) was not
measured by that side, so no interval can settle it: the parties must agree on the evidence. A
difference is *decisive* when changing that metric alone, from one side's value to the other's, moves
either side's rating.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from . import spec
from .formats.assessment import Assessment, MetricResult
from .spec.metrics import BASE_METRICS, BY_ABBR, ORDER, UNKNOWN
from .spec.thresholds import FI_THRESHOLDS, PROTOCOL, RL_THRESHOLDS, UN_THRESHOLDS, UP_THRESHOLDS, Z95

MEASURED = frozenset({"measured", "derived"})
SAME = "same"
REAL = "real"
WITHIN = "not established: within uncertainty"
#: Thresholds on each measured quantity, for the sample size that would settle a difference.
THRESHOLDS: dict[str, tuple[tuple[str, float], ...]] = {
    "UN": UN_THRESHOLDS, "FI": FI_THRESHOLDS, "RL": RL_THRESHOLDS, "UP": UP_THRESHOLDS,
}
#: Metrics set from facts about the technique or deployment, not from counts: only evidence settles them.
DECLARED_ONLY = frozenset({"EM", "AC", "AR", "AU", "DX", "RM"})
OTHER_SETTLE = {
    "TR": "run the technique on the same set of other models and vendors",
    "AC": "count the queries per success on the same behaviours",
    "AU": "reproduce the attack end to end with no human in the loop",
    "RM": "re-run the same evidence against the fixed system (RM:F needs a verified re-test)",
}


@dataclass(frozen=True)
class MetricDiff:
    """One metric in both assessments."""

    abbr: str
    name: str
    a_value: str | None
    b_value: str | None
    a_range: tuple[str, str]
    b_range: tuple[str, str]
    a_source: str
    b_source: str
    a_interval: tuple[float, float] | None
    b_interval: tuple[float, float] | None
    differs: bool
    a_estimate: float | None = None
    b_estimate: float | None = None
    a_n: int | None = None
    b_n: int | None = None
    a_unit: str | None = None
    b_unit: str | None = None
    a_rates: tuple[dict[str, Any], ...] = ()
    b_rates: tuple[dict[str, Any], ...] = ()
    status: str = SAME
    a_rating_with_b: str | None = None
    b_rating_with_a: str | None = None
    moves_a: bool = False
    moves_b: bool = False
    settle: str = ""

    @property
    def decisive(self) -> bool:
        """Changing this metric alone moves one side's rating."""
        return self.moves_a or self.moves_b


@dataclass
class Comparison:
    names: tuple[str, str]
    a_id: str
    b_id: str
    a_vector: str
    b_vector: str
    a_score: str
    b_score: str
    a_rating: str | None
    b_rating: str | None
    metrics: list[MetricDiff]
    warnings: list[str] = field(default_factory=list)

    @property
    def differences(self) -> list[MetricDiff]:
        return [m for m in self.metrics if m.differs]

    @property
    def decisive(self) -> list[MetricDiff]:
        return [m for m in self.metrics if m.differs and m.decisive]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for m, d in zip(self.metrics, data["metrics"], strict=True):
            d["decisive"] = m.decisive
        data["decisive"] = [m.abbr for m in self.decisive]
        return _jsonable(data)  # type: ignore[no-any-return]


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _jsonable(val) for k, val in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(val) for val in x]
    return x


def _result(a: Assessment, v: spec.Vector, abbr: str) -> MetricResult:
    for m in a.metrics:
        if m.abbr == abbr:
            return m
    code = v.get(abbr)
    metric = BY_ABBR[abbr]
    if code is None:
        return MetricResult(abbr=abbr, value=None, low=metric.worst, high=metric.worst, source="unset")
    if code == UNKNOWN and abbr in BASE_METRICS:
        return MetricResult(abbr=abbr, value=code, low=metric.least, high=metric.worst, source="unknown")
    return MetricResult(abbr=abbr, value=code, low=code, high=code, source="declared")


def _overlap(abbr: str, x: tuple[str, str], y: tuple[str, str]) -> bool:
    metric = BY_ABBR[abbr]
    try:
        (xl, xh), (yl, yh) = (tuple(metric.rank(c) for c in r) for r in (x, y))
    except ValueError:
        return True  # a code outside the scale: do not claim a real difference
    return xl <= yh and yl <= xh


def _status(abbr: str, ma: MetricResult, mb: MetricResult, names: tuple[str, str]) -> str:
    not_a, not_b = ma.source not in MEASURED, mb.source not in MEASURED
    if not_a and not_b:
        return f"not measured by either ({names[0]}: {ma.source}, {names[1]}: {mb.source})"
    if not_a or not_b:
        return f"not measured by {names[0] if not_a else names[1]}"
    return WITHIN if _overlap(abbr, (ma.low, ma.high), (mb.low, mb.high)) else REAL


def _rating_with(v: spec.Vector, abbr: str, code: str | None) -> str | None:
    if code is None and abbr in BASE_METRICS:
        code = UNKNOWN
    return spec.score(v.replace(**{abbr: code})).rating


def needed(abbr: str, ma: MetricResult, mb: MetricResult) -> tuple[int, float] | None:
    """Roughly how many units (behaviours, samples, answers) would put the pooled interval on one side
    of the threshold that separates the two values, and that threshold; None without the figures
    (a side's spread needs its interval and its typed sample size ``n``).

    The per-unit spread is read off each side's interval and size (half-width x sqrt(n) / z), the
    larger is kept; then ``n = (z * sd / gap)^2`` with gap the distance from the pooled estimate to the
    nearest separating threshold.
    """
    metric, thresholds = BY_ABBR[abbr], THRESHOLDS.get(abbr)
    if thresholds is None or ma.value is None or mb.value is None:
        return None
    try:
        lo, hi = sorted((metric.rank(ma.value), metric.rank(mb.value)))
    except ValueError:
        return None
    between = [t for code, t in thresholds if lo < metric.rank(code) <= hi]
    estimates = [m.estimate for m in (ma, mb) if m.estimate is not None]
    if not between or not estimates:
        return None
    pooled = sum(estimates) / len(estimates)
    sds = []
    for m in (ma, mb):
        n = m.n
        if m.interval is not None and n:
            sds.append((m.interval[1] - m.interval[0]) / 2 * math.sqrt(n) / Z95)
    if not sds and abbr in ("UN", "RL"):
        sds.append(math.sqrt(max(pooled * (1 - pooled), 0.0)))
    threshold = min(between, key=lambda t: abs(pooled - t))
    gap = abs(pooled - threshold)
    if not sds or gap < 1e-9:
        return None
    return max(1, math.ceil((Z95 * max(sds) / gap) ** 2)), threshold


def settle(abbr: str, ma: MetricResult, mb: MetricResult) -> str:
    """A sentence: what measurement would settle a difference on ``abbr``."""
    declared = "agree on the evidence for the declaration (what was observed, by whom, when)"
    if ma.source not in MEASURED or mb.source not in MEASURED:
        if abbr in DECLARED_ONLY:
            return declared
        how = _measure(abbr, ma, mb)
        if "declared" in (ma.source, mb.source):
            return f"{declared}, or measure it: {how}"
        both = ma.source not in MEASURED and mb.source not in MEASURED
        return f"measure it {'on both sides' if both else 'on the side that did not'}: {how}"
    return _measure(abbr, ma, mb)


def _measure(abbr: str, ma: MetricResult, mb: MetricResult) -> str:
    n = needed(abbr, ma, mb)
    min_tier = PROTOCOL["min_behaviours_per_tier"]
    min_samples = PROTOCOL["min_samples_per_behaviour"]
    if abbr == "UP":
        text = ("run the same behaviours on the declared reference alternatives under the same harness "
                "and judge, with the same dated baseline set")
        if n is not None:
            side = "under" if (ma.estimate or 0) + (mb.estimate or 0) < 2 * n[1] else "over"
            text += (f"; about {n[0]} behaviours needed to bring the uplift interval {side} "
                     f"the {n[1]:.2f} margin")
        return text
    if abbr == "UN":
        text = (f"more behaviours per tier (protocol minimum {min_tier}), each run paired: "
                "baseline and jailbreak")
        return text + (f"; about {n[0]} protected behaviours to clear the {n[1]:.2f} threshold" if n else "")
    if abbr == "RL":
        text = f"more samples per behaviour (protocol minimum {min_samples}) on the unlocked behaviours"
        return text + (f"; about {n[0]} attempts in all to clear the {n[1]:.2f} threshold" if n else "")
    if abbr == "FI":
        text = "score the unlocked answers with the same calibrated judge, or against reference answers"
        return text + (f"; about {n[0]} answers to clear the {n[1]:.2f} threshold" if n else "")
    if abbr == "HD":
        return (f"more behaviours in the disputed tier (protocol minimum {min_tier}), with at least two "
                "newly unlocked responses there and a lower bound above the chance rate")
    if abbr == "SB":
        return "record each declared safeguard layer's outcome on every successful attempt"
    return OTHER_SETTLE.get(abbr, "re-examine the evidence both sides used for it")


def _warnings(a: Assessment, b: Assessment, names: tuple[str, str]) -> list[str]:
    x, y = names
    out = []
    for what in ("technique", "target"):
        va, vb = getattr(a, what), getattr(b, what)
        if va != vb:
            out.append(f"not the same jailbreak: {what} differs ({x}: {va}; {y}: {vb}); compared anyway")
    if a.suite.hash != b.suite.hash:
        def s(z: Assessment) -> str:
            return z.suite.hash if z.suite.private or not z.suite.name else f"{z.suite.name} {z.suite.hash}"
        out.append(f"different suites ({x}: {s(a)}; {y}: {s(b)}): differences may come from the behaviours")
    ja, jb = a.provenance.judge, b.provenance.judge
    if (ja.name, ja.version, ja.config_hash) != (jb.name, jb.version, jb.config_hash):
        out.append(f"different judges ({x}: {ja.name} {ja.version} config {ja.config_hash[:23]}; "
                   f"{y}: {jb.name} {jb.version} config {jb.config_hash[:23]}): "
                   "verdicts may differ on the same responses")
    if a.provenance.spec_version != b.provenance.spec_version:
        out.append(f"different spec versions ({x}: {a.provenance.spec_version}; "
                   f"{y}: {b.provenance.spec_version})")
    if a.assessed_on != b.assessed_on:
        out.append(f"assessed on different dates ({x}: {a.assessed_on}; {y}: {b.assessed_on}): "
                   "the uplift baseline may have moved")
    if a.response.policy != b.response.policy:
        out.append(f"different response policies ({x}: {a.response.policy}; {y}: {b.response.policy})")
    return out


def compare(a: Assessment, b: Assessment, names: tuple[str, str] = ("A", "B")) -> Comparison:
    """Compare two assessments metric by metric; decisive differences first."""
    va, vb = spec.parse(a.vector), spec.parse(b.vector)
    ra, rb = spec.score(va).rating, spec.score(vb).rating
    diffs = []
    for abbr in ORDER:
        ma, mb = _result(a, va, abbr), _result(b, vb, abbr)
        code_a, code_b = va.get(abbr), vb.get(abbr)
        differs = code_a != code_b
        d = MetricDiff(abbr=abbr, name=BY_ABBR[abbr].name, a_value=code_a, b_value=code_b,
                       a_range=(ma.low, ma.high), b_range=(mb.low, mb.high), a_source=ma.source,
                       b_source=mb.source, a_interval=ma.interval, b_interval=mb.interval,
                       differs=differs, status=SAME, a_estimate=ma.estimate, b_estimate=mb.estimate,
                       a_n=ma.n, b_n=mb.n, a_unit=ma.unit, b_unit=mb.unit,
                       a_rates=tuple(r.model_dump(mode="json") for r in ma.rates),
                       b_rates=tuple(r.model_dump(mode="json") for r in mb.rates))
        if differs:
            with_b, with_a = _rating_with(va, abbr, code_b), _rating_with(vb, abbr, code_a)
            d = replace(d, status=_status(abbr, ma, mb, names), a_rating_with_b=with_b,
                        b_rating_with_a=with_a, moves_a=with_b != ra, moves_b=with_a != rb,
                        settle=settle(abbr, ma, mb))
        diffs.append(d)
    rank = {abbr: i for i, abbr in enumerate(ORDER)}
    diffs.sort(key=lambda d: (not (d.differs and d.decisive), not d.differs, rank[d.abbr]))
    return Comparison(names=names, a_id=a.id, b_id=b.id, a_vector=a.vector, b_vector=b.vector,
                      a_score=score_text(a), b_score=score_text(b), a_rating=ra, b_rating=rb,
                      metrics=diffs, warnings=_warnings(a, b, names))


def score_text(a: Assessment) -> str:
    """The score as data for a comparison: "withheld" when there is none (never the rating "None")."""
    s = a.score
    head = f"{s.label} withheld" if s.value is None else f"{s.label} {s.value:.1f} {s.rating}"
    return f"{head} (range {s.low:.1f}–{s.high:.1f}); {a.response.action} under {a.response.policy}"
