"""Plain-data (JSON-ready) forms of the spec's objects: the metric table, scores, explanations.

These shapes are published: ``docs/schema/spec.schema.json`` and ``docs/schema/score.schema.json``
describe them, and tests validate the output against those schemas.
"""

from __future__ import annotations

from typing import Any

from .cjs import from_jss
from .explain import Explanation
from .metrics import GROUPS, SPEC_VERSION, UNKNOWN, table
from .policy import ACTIONS, Policy
from .response import respond
from .scoring import BANDS, score
from .uncertainty import score_range
from .vector import Vector


def metric_table(version: str = SPEC_VERSION) -> dict[str, Any]:
    """The whole JSS metric table of ``version`` (default the current one), machine-readable."""
    t = table(version)
    return {
        "standard": "JSS",
        "version": t.version,
        "prefix": t.prefix,
        "groups": list(GROUPS),
        "unknown_code": UNKNOWN,
        "mandatory": list(t.base),
        "metrics": [
            {
                "group": m.group,
                "abbr": m.abbr,
                "name": m.name,
                "question": m.question,
                "mandatory": m.mandatory,
                "unset_scored_as": None if m.mandatory else m.worst,
                "values": [{"code": v.code, "name": v.name, "meaning": v.meaning} for v in m.values],
            }
            for m in t.metrics
        ],
        "bands": [{"rating": name, "min": low / 10} for name, low in reversed(BANDS)],
        "actions": [{"name": a.name, "asks": a.asks, "within": a.within} for a in ACTIONS],
    }


def cjs_dict(v: Vector) -> dict[str, Any]:
    m = from_jss(v)

    def num(x: object) -> float | None:
        return None if x is None else float(x)  # type: ignore[arg-type]

    return {
        "gain": m.gain,
        "breadth": num(m.breadth),
        "ease": num(m.ease),
        "discoverability": num(m.discoverability),
        "sources": dict(m.sources),
        "sum": None if m.score is None else float(m.score.total),
        "band": None if m.score is None else m.score.label,
        "band_range": [f"CJS-{m.band_range[0]}", f"CJS-{m.band_range[1]}"],
    }


def score_dict(v: Vector, policy: Policy | None = None) -> dict[str, Any]:
    """A scored vector as published by ``jailscale score --json``."""
    s = score(v)
    r = respond(v, policy)
    rng = score_range(v)
    return {
        "vector": str(v),
        "spec_version": v.version,
        "label": s.label,
        "score": s.value,
        "rating": s.rating,
        "withheld": s.withheld,
        "missing": list(s.missing),
        "capped_by": list(s.capped_by),
        "range": {"low": rng.low, "high": rng.high, "rating_low": rng.rating_low,
                  "rating_high": rng.rating_high},
        "response": {"action": r.action.name, "within": r.action.within, "asks": r.action.asks,
                     "policy": r.policy, "rule": r.rule, "provisional": r.provisional,
                     "measure": list(r.measure)},
        "cjs": cjs_dict(v),
    }


def explanation_dict(e: Explanation) -> dict[str, Any]:
    return {
        "vector": str(e.score.vector),
        "score": e.score.value,
        "rating": e.score.rating,
        "label": e.score.label,
        "steps": list(e.steps),
        "changes": [{"metric": c.metric, "code": c.code, "direction": c.direction,
                     "score": c.score.value, "rating": c.score.rating} for c in e.changes],
    }
