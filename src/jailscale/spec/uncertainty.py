"""From per-metric intervals to a score range and a rating range.

Each measured metric has a range of values consistent with its 95% interval (from the level of the
lower bound to the level of the upper bound); a metric set by judgment has a range of one value; an
unknown base metric ranges over all its values; an unset optional metric is pinned at its worst.
The set of consistent vectors is the product of those ranges. Because the score is monotone in
every metric, its minimum over that set is the score of the all-lowest vector and its maximum the
score of the all-highest vector, so the range costs two evaluations, not one per vector.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .metrics import UNKNOWN, Table
from .scoring import rating_of, score_tenths
from .vector import UnknownValueError, Vector


@dataclass(frozen=True)
class ScoreRange:
    """The lowest and highest score and rating over the vectors consistent with the evidence."""

    low: float
    high: float
    rating_low: str
    rating_high: str
    vector_low: Vector
    vector_high: Vector

    def __str__(self) -> str:
        if self.rating_low == self.rating_high:
            return f"{self.low:.1f}-{self.high:.1f} ({self.rating_low})"
        return f"{self.low:.1f}-{self.high:.1f} ({self.rating_low} to {self.rating_high})"


def _bounds(t: Table, abbr: str, code: str | None,
            ranges: Mapping[str, tuple[str, str]]) -> tuple[str, str]:
    metric = t.by_abbr[abbr]
    if abbr in ranges:
        lo, hi = ranges[abbr]
        for c in (lo, hi):
            if c not in metric.codes:
                raise UnknownValueError(f'unknown value "{c}" for metric "{abbr}" in a range')
        if metric.rank(lo) > metric.rank(hi):
            raise ValueError(f"range for {abbr} runs downwards: {lo} > {hi}")
        return lo, hi
    if code is None:
        return metric.worst, metric.worst
    if code == UNKNOWN and abbr in t.base:
        return metric.least, metric.worst
    return code, code


def score_range(vector: Vector, ranges: Mapping[str, tuple[str, str]] | None = None) -> ScoreRange:
    """Score range for ``vector`` whose measured metrics have the consistent ``ranges``
    (abbreviation -> (lowest code, highest code), in the vector's version). Metrics without a range
    use the vector's value. The corner vectors are of the vector's version and scored by its rules."""
    ranges = ranges or {}
    t = vector.table
    for abbr in ranges:
        if abbr not in t.by_abbr:
            raise ValueError(f'a range is given for "{abbr}", which JSS {t.version} does not define')
    lo: dict[str, str] = {}
    hi: dict[str, str] = {}
    for abbr in t.order:
        code = vector.get(abbr)
        if code is None and abbr not in ranges:
            continue  # unset optional metric: worst case on both ends
        lo[abbr], hi[abbr] = _bounds(t, abbr, code, ranges)
    v_lo, v_hi = Vector(lo, vector.version), Vector(hi, vector.version)
    t_lo, _ = score_tenths(v_lo)
    t_hi, _ = score_tenths(v_hi)
    return ScoreRange(t_lo / 10, t_hi / 10, rating_of(t_lo), rating_of(t_hi), v_lo, v_hi)
