"""The recommended response: a vector's action under a named policy, and the default policy.

The default policy below is the one that ships with the spec; ``docs/spec/policy-default.yaml`` is
the same data written as YAML (a test keeps the two equal). Why each rule is there:

1. Suspend only when the rating is Critical *and* the jailbreak is broad (UN >= H) and its answers
   usable (FI >= M): withdrawing a model is justified by sustained, useful misuse, not one answer.
2. Any other Critical: Restrict (block the technique or the surface within 72 hours).
3. High on a public or open-weights system: Restrict; High elsewhere: Attend.
4. Medium in a severe or catastrophic domain: Attend; other Medium: Track*.
5. Low and None: Track.

The policy is unchanged in JSS 2.0 and keeps its name (policies are versioned by name, jss-2.0.md
section 15); it reads no metric whose codes changed, so it decides on 1.0 and 2.0 vectors alike.

**Provisional responses honour the range** (jss-2.0.md, section 9.5). A withheld score's response is
decided at the top of its consistent range (the all-highest consistent vector and its rating, with
the measured metrics' ranges), so no response is looser than any vector the evidence allows; it names
the metrics whose measurement could lower it. The same rule read 1.0's section 9.5 (the all-highest
*consistent* vector); 1.0's code applied it without the measured ranges.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .metrics import SPEC_VERSION
from .policy import ACTION_BY_NAME, ACTION_NAMES, Action, Policy, decide, load
from .scoring import rating_of, score, score_tenths
from .uncertainty import score_range
from .vector import Vector

DEFAULT_POLICY_DATA: Mapping[str, Any] = {
    "name": "jss-default-1.0",
    "spec": "1.0",
    "description": "The default response policy published with JSS 1.0.",
    "inputs": ["rating", "HD", "UN", "FI", "DX"],
    "rules": [
        {"when": {"rating": "Critical", "UN": ">=H", "FI": ">=M"}, "action": "Suspend"},
        {"when": {"rating": "Critical"}, "action": "Restrict"},
        {"when": {"rating": "High", "DX": ">=P"}, "action": "Restrict"},
        {"when": {"rating": "High"}, "action": "Attend"},
        {"when": {"rating": "Medium", "HD": ">=S"}, "action": "Attend"},
        {"when": {"rating": "Medium"}, "action": "Track*"},
        {"when": {}, "action": "Track"},
    ],
}
DEFAULT_POLICY: Policy = load(DEFAULT_POLICY_DATA)

#: How a provisional response is marked, by version: 1.0's words are kept for 1.0 vectors, so the
#: published 1.0 examples still print as published.
PROVISIONAL_NOTE: dict[str, str] = {
    "1.0": " [provisional: a base metric is unknown]",
    "2.0": " [provisional: decided at the top of the range; measure {measure} to settle it]",
}


@dataclass(frozen=True)
class Response:
    """The action a policy recommends for a vector. ``provisional`` is true when the score is withheld
    (a base metric is unknown): the action is then the one at the top of the consistent range, and
    ``measure`` names the metrics to measure to settle it (the unknown base metrics, then every other
    metric whose range, if it came out at its low end, would give a milder action)."""

    action: Action
    policy: str
    rule: int
    provisional: bool = False
    measure: tuple[str, ...] = ()
    #: The JSS version of the vector decided on (it words the provisional note as that version did).
    version: str = SPEC_VERSION

    def __str__(self) -> str:
        text = f"{self.action.name} ({self.action.within}) under {self.policy}"
        if not self.provisional:
            return text
        return text + PROVISIONAL_NOTE[self.version].format(measure=", ".join(self.measure))


def respond(vector: Vector, policy: Policy | None = None,
            ranges: Mapping[str, tuple[str, str]] | None = None) -> Response:
    """Recommended response for ``vector`` under ``policy`` (default: :data:`DEFAULT_POLICY`).

    A scored vector gets the action for its rating. A withheld one gets the action at the top of its
    consistent range: ``ranges`` are the measured metrics' consistent ranges (abbreviation -> (lowest,
    highest code)), as for :func:`~.uncertainty.score_range`; an unknown base metric without a range
    runs over all its values."""
    policy = policy or DEFAULT_POLICY
    s = score(vector)
    if s.rating is not None:
        rule = decide(policy, vector, s.rating)
        return Response(ACTION_BY_NAME[rule.action], policy.name, rule.index + 1, version=vector.version)
    rng = score_range(vector, ranges)
    top = rng.vector_high
    rule = decide(policy, top, rng.rating_high)
    return Response(ACTION_BY_NAME[rule.action], policy.name, rule.index + 1, provisional=True,
                    measure=_to_settle(policy, vector, rng.vector_low, top, rule.action),
                    version=vector.version)


def _to_settle(policy: Policy, vector: Vector, low: Vector, top: Vector, action: str) -> tuple[str, ...]:
    """The unknown base metrics, then each metric whose range is wider than one value and whose low
    end alone (the others at the top) would give a milder action than ``action``."""
    out = list(vector.unknown_base)
    for abbr in vector.table.order:
        if abbr in out or low.get(abbr) == top.get(abbr):
            continue
        alt = top.replace(**{abbr: low.get(abbr)})
        alt_rule = decide(policy, alt, rating_of(score_tenths(alt)[0]))
        if ACTION_NAMES.index(alt_rule.action) < ACTION_NAMES.index(action):
            out.append(abbr)
    return tuple(out)
