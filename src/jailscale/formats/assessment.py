"""The assessment: a JSS vector measured from evidence, with every metric's counts and interval."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ._base import Model
from .baselines import BaselinePicks
from .calibration import Calibration
from .suite import SuiteRef

Source = Literal["measured", "declared", "derived", "unset", "unknown"]


class RateResult(Model):
    """A measured rate or statistic beside a metric's level, with its unit and sample size."""

    name: str
    estimate: float | None = None
    low: float | None = None
    high: float | None = None
    n: int | None = None
    unit: str = "behaviours"


class MetricResult(Model):
    """One metric: its value, the range of values consistent with the evidence, and how it was got.

    ``estimate`` and ``interval`` are the measured quantity (a share, a mean quality) and its 95%
    interval; ``counts`` are the numbers it was computed from.
    """

    abbr: str
    value: str | None = Field(description="the vector's code; None for an unset optional metric")
    low: str = Field(description="least severe value consistent with the evidence")
    high: str = Field(description="most severe value consistent with the evidence")
    source: Source
    estimate: float | None = None
    interval: tuple[float, float] | None = None
    counts: dict[str, int] = Field(default_factory=dict)
    breakdown: dict[str, float] = Field(default_factory=dict,
                                        description="per-part figures: pass@k, uplift per reference, ...")
    method: str = ""
    note: str = ""
    n: int | None = Field(None, description="the sample size the metric was measured on (JSS 2.0)")
    unit: str | None = Field(None, description="what n counts: behaviours, attempts, layers")
    rates: list[RateResult] = Field(default_factory=list,
                                    description="the underlying rates or statistics beside the level")


class SevereOutput(Model):
    """CJS's "one severe output" reading, beside the measured vector (JSS 2.0 section 5.7): the most
    severe confirmed newly unlocked output, and the vector and score if that one output set HD (its
    tier), FI (its quality's level) and UP (its gain's level), never lowering any of them."""

    behaviour: str
    tier: str
    quality: float | None = None
    gain: float | None = None
    vector: str
    score: float | None = None
    rating: str | None = None


class PanelMember(Model):
    """One judge of a panel: what identifies its verdicts."""

    name: str
    version: str
    config_hash: str


class PanelPair(Model):
    """Two panel members' agreement over the transcripts both scored (error and unscoreable left out)."""

    a: str
    b: str
    both_scored: int = Field(ge=0)
    agree: int = Field(ge=0)
    agreement: float | None = Field(None, description="agree / both_scored; None when both_scored is 0")
    kappa: float | None = Field(None, description="Cohen's kappa of the two members' harmful / not-harmful calls")


class PanelDisagreement(Model):
    """A transcript on which the voting members did not all say the same (harmful or not)."""

    behaviour: str
    condition: str
    sample: int = Field(ge=0)
    transcript: str = Field(description="the transcript's content hash")
    labels: dict[str, str] = Field(description="each member judge's label")
    combined: str = Field(description="the panel's label under its rule")


class PanelRecord(Model):
    """A panel of judges behind an assessment: its rule, members, their pairwise agreement and the
    transcripts they disagreed on (the first ``listed``; ``disagreements`` counts them all)."""

    rule: str
    members: list[PanelMember]
    transcripts: int = Field(ge=0, description="transcripts the members judged (blocked, errored and empty "
                                               "ones are not put to the panel)")
    pairwise: list[PanelPair]
    disagreements: int = Field(ge=0)
    listed: list[PanelDisagreement] = Field(default_factory=list, description="the first disagreements, "
                                            "in evidence order (at most 50)")


class JudgeRef(Model):
    name: str
    version: str
    config_hash: str
    agreement: float | None = Field(None, description="measured agreement with human labels, if calibrated")
    false_positive_rate: float | None = None
    calibration: str | None = Field(None, description="the human-labelled set the figures come from")
    calibration_used: Calibration | None = Field(
        None, description="the calibration (attack responses) the measurement corrected judge error with")
    panel: PanelRecord | None = Field(None, description="when the judge is a panel: its rule, members, "
                                                        "pairwise agreement and disagreements")


class ScoreResult(Model):
    value: float | None
    rating: str | None
    label: str
    withheld: bool
    missing: list[str]
    capped_by: list[str]
    low: float
    high: float
    rating_low: str
    rating_high: str


class ResponseResult(Model):
    action: str
    within: str
    policy: str
    rule: int
    provisional: bool
    measure: list[str] | None = Field(
        None, description="JSS 2.0: for a provisional response (decided at the top of the consistent range), "
                          "the metrics to measure to settle it; unset otherwise")


class CJSResult(Model):
    gain: int | None
    breadth: float | None
    ease: float | None
    discoverability: float | None
    sources: dict[str, str]
    sum: float | None
    band: str | None
    band_range: tuple[str, str]


class Provenance(Model):
    tool: str = "jailscale"
    tool_version: str
    spec_version: str
    measured_under: str | None = Field(None, description="version of the measurement rules (JSS 2.0 §5)")
    submission_hash: str
    evidence_root: str = Field(description="sha256 over the sorted evidence hashes")
    evidence: int
    judge: JudgeRef


class Assessment(Model):
    format: Literal["jailscale.assessment/1"] = "jailscale.assessment/1"
    id: str = Field(description="content id: sha256 of the assessment without id and created_at")
    created_at: datetime
    submission: str
    title: str
    technique: str
    target: str
    assessed_on: str
    suite: SuiteRef
    vector: str
    score: ScoreResult
    response: ResponseResult
    cjs: CJSResult
    metrics: list[MetricResult]
    counts: dict[str, int] = Field(default_factory=dict, description="evidence tallies by condition and label")
    warnings: list[str] = Field(default_factory=list)
    provenance: Provenance
    baselines: BaselinePicks | None = Field(None, description="the baseline set and the picks UP was measured "
                                                                "against (JSS 2.0)")
    one_severe_output: SevereOutput | None = Field(
        None, description="CJS's one-severe-output reading, beside the measured vector (JSS 2.0 section 5.7)")
