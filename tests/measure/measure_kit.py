"""Helpers for the measurement tests: calibrations, neutral placeholder evidence, and per-behaviour
tallies built directly (no I/O), with the vector and score they give."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from jailscale import spec
from jailscale.formats import (
    Behaviour,
    Calibration,
    MetricResult,
    Rate,
    Submission,
    Suite,
    Target,
    Technique,
    Transcript,
    Verdict,
)
from jailscale.measure import measure_behaviours
from jailscale.measure.outcomes import BehaviourEvidence, Tally, add_jailbreak_attempt
from jailscale.measure.witnesses import Status

LAYERS = ["refusal_training", "output_classifier", "monitoring"]
#: threat and environmental metrics held fixed when scoring generated evidence
FIXED = {"EM": "P", "AC": "L", "AR": "A", "AU": "Y", "TR": "L", "DX": "P", "RM": "S"}


def rate(low: float, high: float) -> Rate:
    return Rate(estimate=(low + high) / 2, low=low, high=high, successes=0, n=0)


def calibration(se: tuple[float, float] = (0.9, 0.97), sp: tuple[float, float] = (0.9, 0.97),
                population: str = "attack_responses", judge: str = "fixture") -> Calibration:
    return Calibration(judge=judge, judge_version="1", population=population,  # type: ignore[arg-type]
                       dataset="placeholder-labels", n=0, tp=0, fp=0, tn=0, fn=0,
                       sensitivity=rate(*se), specificity=rate(*sp), accuracy=rate(0.5, 0.9))


PERFECT = calibration((1.0, 1.0), (1.0, 1.0))
GOOD = calibration()


# --- submissions through the public API ----------------------------------------------------------

def suite(n: int, tier: str = "S", categories: int = 1, offset: int = 0) -> Suite:
    return Suite(name="t", behaviours=[
        Behaviour(id=f"b{i}", request=f"PLACEHOLDER request {i}", category=f"cat{i % categories}",
                  tier=tier)  # type: ignore[arg-type]
        for i in range(offset, offset + n)])


def join(*suites: Suite) -> Suite:
    return Suite(name="t", behaviours=[b for s in suites for b in s.behaviours])


def t(b: str, cond: str, sample: int, label: str | None, q: float | None = None,
      prompt: str | None = None, **kw: object) -> Transcript:
    text = prompt if prompt is not None else (
        f"PLACEHOLDER request {b[1:]}" if cond == "reference" else f"PLACEHOLDER frame: request {b[1:]}")
    tr = Transcript.model_validate({"behaviour": b, "condition": cond, "sample": sample,
                                    "response": f"PLACEHOLDER {b} {cond} {sample}",
                                    "prompt": [{"role": "user", "content": text}], **kw})
    if label is not None:
        tr.verdicts.append(Verdict(judge="fixture", label=label, quality=q))  # type: ignore[arg-type]
    return tr


def behaviour(b: str, jailbreak: Sequence[str], baseline: Sequence[str] = ("refused",), q: float = 0.9,
              **kw: object) -> list[Transcript]:
    """Transcripts of one behaviour: baseline labels, then jailbreak labels (quality q on successes)."""
    ev = [t(b, "baseline", i, lab, 0.0) for i, lab in enumerate(baseline)]
    ev += [t(b, "jailbreak", i, lab, q if lab == "complied" else 0.0, **kw) for i, lab in enumerate(jailbreak)]
    return ev


def submission(evidence: list[Transcript], **kw: object) -> Submission:
    base: dict[str, object] = dict(id="s", title="t", assessed_on=dt.date(2026, 1, 1),
                                   technique=Technique(kind="template", name="x", template="A {request}"),
                                   target=Target(model="mock/model"), evidence=evidence)
    base.update(kw)
    return Submission(**base)  # type: ignore[arg-type]


def recorded(sub: Submission) -> dict[str, Verdict]:
    """The recorded verdicts, as a judge that re-issues them would give."""
    return {tr.content_hash: tr.verdicts[0] for tr in sub.evidence if tr.verdicts}


# --- generated tallies (property tests) ----------------------------------------------------------

@dataclass
class Attempt:
    outcome: str  # success | refused | blocked | unscoreable
    quality: float | None = None
    layers: dict[str, str] = field(default_factory=dict)


@dataclass
class Spec:
    """One generated behaviour: what each condition's attempts came to."""

    id: str
    tier: str
    category: str
    jailbreak: list[Attempt]
    baseline: list[str]  # success | refused
    references: dict[str, list[float | None]]  # reference -> qualities (0.0 = refused, None = unrated)

    def build(self) -> BehaviourEvidence:
        ev = BehaviourEvidence(Behaviour(id=self.id, request=f"PLACEHOLDER {self.id}", category=self.category,
                                         tier=self.tier))  # type: ignore[arg-type]
        for oc in self.baseline:
            ev.baseline.add(oc, 0.0)
        for a in self.jailbreak:
            add_jailbreak_attempt(ev, a.outcome, a.quality, a.layers,
                                  "output_classifier" if a.outcome == "blocked" else None, LAYERS)
        for name, qs in self.references.items():
            tally = ev.references.setdefault(name, Tally())
            for q in qs:
                tally.add("refused" if q == 0.0 else "success", q)
        return ev


@dataclass
class Result:
    metrics: dict[str, MetricResult]
    vector: spec.Vector
    score: spec.Score
    range: spec.ScoreRange
    warnings: list[str]
    statuses: dict[str, Status]


def measure_specs(specs: Sequence[Spec], cal: Calibration | None) -> Result:
    warnings: list[str] = []
    metrics, statuses = measure_behaviours([s.build() for s in specs], list(LAYERS), cal, warnings)
    values = {a: m.value for a, m in metrics.items() if m.value is not None}
    vector = spec.Vector({**values, **FIXED})
    ranges = {a: (m.low, m.high) for a, m in metrics.items() if m.value is not None}
    return Result(metrics, vector, spec.score(vector), spec.score_range(vector, ranges), warnings, statuses)
