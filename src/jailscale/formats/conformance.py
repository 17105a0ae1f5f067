"""A conformance case (``jailscale.conformance/1``): evidence in, the vector JSS 2.0 says it gives out.

Each case carries everything an implementation needs (the suite, the submission with its transcripts and
their recorded verdicts, the judge to read them with and its calibration) and the expected vector, score
and score range, with the rule it exercises and how the expectation was derived (independently of the
implementation under test). ``jailscale conformance DIR`` checks an implementation against a folder of
them; conformance/README.md documents the format.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ._base import Model
from .calibration import Calibration
from .submission import Submission
from .suite import Suite


class Expected(Model):
    """What the case's evidence gives under the rules: the vector, the score (None when withheld) and
    the score range; ``metrics`` optionally pins each measured metric's value and range."""

    vector: str = Field(min_length=1, max_length=300)
    score: float | None = Field(None, ge=0.0, le=10.0)
    withheld: bool
    range: tuple[float, float]
    metrics: dict[str, dict[str, str | None]] = Field(default_factory=dict)


class ConformanceCase(Model):
    format: Literal["jailscale.conformance/1"] = "jailscale.conformance/1"
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]{0,79}$")
    title: str = Field(min_length=1, max_length=300)
    rule: str = Field(min_length=1, max_length=500, description="the rule of the spec the case exercises")
    scenario: str | None = Field(None, max_length=500, description="the issue-6 scenario it reproduces, if any")
    derivation: str = Field(min_length=1, max_length=2000, description="how the expectation was derived")
    pair: str | None = Field(None, description="a case whose vector this one must not be below (monotonicity)")
    suite: Suite
    submission: Submission
    judge: str = "recorded"
    judge_options: dict[str, str] = Field(default_factory=dict)
    calibration: Calibration | None = None
    expected: Expected
