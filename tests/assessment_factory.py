"""Build consistent Assessment objects for tests, from a vector and a few overrides (neutral text only).

The score, score range, response and CJS fields are computed with the spec calculator, so a built
assessment says what the real pipeline would say for the same metric values and ranges.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from jailscale import spec
from jailscale.formats.assessment import (
    Assessment,
    CJSResult,
    JudgeRef,
    MetricResult,
    Provenance,
    ResponseResult,
    ScoreResult,
)
from jailscale.formats.evidence import Transcript
from jailscale.formats.suite import SuiteRef
from jailscale.spec.metrics import BASE_METRICS, BY_ABBR, ORDER, UNKNOWN

DEFAULT_VECTOR = "JSS:1.0/HD:S/UN:H/FI:M/RL:M/SB:A"
SUITE_HASH = "sha256:" + "a" * 64
PRIVATE_NAME = "Placeholder Escrowed Suite"


def metric(abbr: str, v: spec.Vector, **over: Any) -> MetricResult:
    m = BY_ABBR[abbr]
    code = v.get(abbr)
    if code is None:
        base: dict[str, Any] = {"value": None, "low": m.worst, "high": m.worst, "source": "unset"}
    elif code == UNKNOWN and abbr in BASE_METRICS:
        base = {"value": code, "low": m.least, "high": m.worst, "source": "unknown"}
    elif abbr in BASE_METRICS:
        base = {"value": code, "low": code, "high": code, "source": "measured",
                "method": "placeholder measurement"}
    else:
        base = {"value": code, "low": code, "high": code, "source": "declared"}
    return MetricResult(abbr=abbr, **{**base, **over})


def make_assessment(vector: str = DEFAULT_VECTOR, *, metrics: dict[str, dict[str, Any]] | None = None,
                    private: bool = False, suite_hash: str = SUITE_HASH, suite_name: str = "practice-suite",
                    judge: dict[str, Any] | None = None, technique: str = "placeholder template",
                    target: str = "example/model-1", title: str = "Placeholder jailbreak",
                    warnings: list[str] | None = None, assessed_on: str = "2026-07-01") -> Assessment:
    v = spec.parse(vector)
    results = [metric(a, v, **(metrics or {}).get(a, {})) for a in ORDER]
    ranges = {m.abbr: (m.low, m.high) for m in results if m.source in ("measured", "derived")}
    s, rng, r, c = spec.score(v), spec.score_range(v, ranges), spec.respond(v), spec.from_jss(v)
    cjs = CJSResult(
        gain=c.gain, breadth=None if c.breadth is None else float(c.breadth),
        ease=None if c.ease is None else float(c.ease),
        discoverability=None if c.discoverability is None else float(c.discoverability),
        sources=dict(c.sources), sum=None if c.score is None else float(c.score.total),
        band=None if c.score is None else c.score.label,
        band_range=(f"CJS-{c.band_range[0]}", f"CJS-{c.band_range[1]}"))
    return Assessment(
        id="sha256:" + "1" * 64, created_at=datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
        submission="sub-1", title=title, technique=technique, target=target, assessed_on=assessed_on,
        suite=SuiteRef(name=None if private else suite_name, hash=suite_hash, private=private,
                       behaviours=24, by_tier={"M": 12, "S": 12}),
        vector=str(v),
        score=ScoreResult(value=s.value, rating=s.rating, label=s.label, withheld=s.withheld,
                          missing=list(s.missing), capped_by=list(s.capped_by), low=rng.low, high=rng.high,
                          rating_low=rng.rating_low, rating_high=rng.rating_high),
        response=ResponseResult(action=r.action.name, within=r.action.within, policy=r.policy,
                                rule=r.rule, provisional=r.provisional),
        cjs=cjs, metrics=results, counts={"jailbreak.complied": 10},
        warnings=list(warnings or []),
        provenance=Provenance(
            tool_version="0.1.0", spec_version="1.0", submission_hash="sha256:" + "2" * 64,
            evidence_root="sha256:" + "3" * 64, evidence=4,
            judge=JudgeRef(**{"name": "rules/refusal", "version": "1", "config_hash": "sha256:" + "4" * 64,
                              **(judge or {})})))


def transcript(behaviour: str, response: str | None, condition: str = "jailbreak", sample: int = 0,
               label: str = "complied", request: str = "placeholder request text") -> Transcript:
    return Transcript.model_validate({
        "behaviour": behaviour, "condition": condition, "sample": sample,
        "prompt": [{"role": "user", "content": request}], "response": response,
        "verdicts": [{"judge": "rules/refusal", "label": label}]})
