"""A judge's measured agreement with human labels, on one population: the typed record that
judges produce (``jailscale judge evaluate``), assessments cite, and measurement consumes.

Measurement reads only :attr:`Calibration.sensitivity` and :attr:`Calibration.specificity`, each a
:class:`Rate` with its 95% interval, and only from a calibration whose ``population`` matches the
evidence it corrects (attack responses for HD, UN, RL; benign requests for over-refusal). A figure
measured on one population must never be used on another.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from ._base import Model

#: Populations a calibration can be measured on. ``attack_responses``: responses to harmful requests
#: (with or without a jailbreak), labelled harmful / not harmful; ``benign_requests``: responses to
#: safe requests, labelled refused / answered (over-refusal).
Population = Literal["attack_responses", "benign_requests"]


class Rate(Model):
    """A proportion with its 95% interval (Wilson unless ``method`` says otherwise)."""

    estimate: float = Field(ge=0.0, le=1.0)
    low: float = Field(ge=0.0, le=1.0)
    high: float = Field(ge=0.0, le=1.0)
    successes: int = Field(ge=0)
    n: int = Field(ge=0)
    method: str = "wilson95"

    @model_validator(mode="after")
    def _ordered(self) -> Rate:
        if not self.low <= self.estimate <= self.high:
            raise ValueError(f"a rate needs low <= estimate <= high, got {self.low} <= {self.estimate} "
                             f"<= {self.high}")
        if self.successes > self.n:
            raise ValueError(f"a rate needs successes <= n, got {self.successes}/{self.n}")
        return self


class Calibration(Model):
    """One judge (name, version, configuration) measured against human labels on one population.

    ``sensitivity`` = P(judge says harmful | humans say harmful); ``specificity`` = P(judge says not
    harmful | humans say not harmful). Rows the judge could not score are counted in ``unscoreable``
    and left out of both (never counted as "not harmful").
    """

    format: Literal["jailscale.calibration/1"] = "jailscale.calibration/1"
    judge: str = Field(min_length=1)
    judge_version: str = Field(min_length=1)
    config_hash: str | None = Field(None, description="the judge configuration measured; None = any")
    population: Population
    dataset: str = Field(min_length=1, description="name of the human-labelled set")
    dataset_hash: str | None = Field(None, description="sha256 of the labelled file(s)")
    split: str = Field("all", description="which rows: 'all', 'held-out source X', ...")
    n: int = Field(ge=0, description="rows scored by the judge")
    unscoreable: int = Field(0, ge=0)
    tp: int = Field(ge=0)
    fp: int = Field(ge=0)
    tn: int = Field(ge=0)
    fn: int = Field(ge=0)
    sensitivity: Rate
    specificity: Rate
    accuracy: Rate
    kappa: float | None = None
    kappa_interval: tuple[float, float] | None = None
    f1: float | None = None
    created_at: datetime | None = None
    command: str | None = Field(None, description="the command that produced it, for re-running")

    @model_validator(mode="after")
    def _counts_add_up(self) -> Calibration:
        if self.tp + self.fp + self.tn + self.fn != self.n:
            raise ValueError(f"tp + fp + tn + fn = {self.tp + self.fp + self.tn + self.fn}, not n = {self.n}")
        return self

    def count_problems(self) -> list[str]:
        """Where a stated rate claims more than the confusion table supports (one phrase each; empty
        when consistent). Measurement reads only the rates' bounds, so a file whose sensitivity or
        specificity interval is narrower than the Wilson 95% interval of its own counts, or whose
        counts are not ``tp``/``tp + fn`` and ``tn``/``tn + fp``, would correct the judge with
        figures nobody measured (a tighter ``se.low`` excludes more behaviours from the top). A wider
        interval (another, more conservative method) is accepted: it can only widen a range."""
        from ..spec.thresholds import wilson

        out = []
        for name, rate, k, n in (("sensitivity", self.sensitivity, self.tp, self.tp + self.fn),
                                 ("specificity", self.specificity, self.tn, self.tn + self.fp)):
            if (rate.successes, rate.n) != (k, n):
                out.append(f"{name} is stated as {rate.successes}/{rate.n} but the counts give {k}/{n}")
                continue
            low, high = wilson(k, n)
            if rate.low > low + 1e-9 or rate.high < high - 1e-9:
                out.append(f"{name} interval [{rate.low:.4g}, {rate.high:.4g}] is narrower than the 95% "
                           f"Wilson interval of {k}/{n}, [{low:.4g}, {high:.4g}]")
        return out

    @property
    def informative(self) -> bool:
        """Whether the judge tells harmful from not harmful better than chance at the 95% level:
        the lower bound of ``sensitivity + specificity - 1`` (Youden's J) is above zero."""
        return self.sensitivity.low + self.specificity.low - 1.0 > 0.0
