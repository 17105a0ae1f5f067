"""The recommended response: a vector's action under a named policy, and the default policy.

The default policy below is the one that ships with the spec; ``docs/spec/policy-default.yaml`` is
the same data written as YAML (a test keeps the two equal). Why each rule is there:

1. Suspend only when the rating is Critical *and* the jailbreak is broad (UN >= H) and its answers
   usable (FI >= M): withdrawing a model is justified by sustained, useful misuse, not one answer.
2. Any other Critical: Restrict (block the technique or the surface within 72 hours).
3. High on a public or open-weights system: Restrict; High elsewhere: Attend.
4. Medium in a severe or catastrophic domain: Attend; other Medium: Track*.
5. Low and None: Track.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .policy import ACTION_BY_NAME, Action, Policy, decide, load
from .scoring import score
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


@dataclass(frozen=True)
class Response:
    """The action a policy recommends for a vector. ``provisional`` is true when a base metric is
    unknown: the action is then the one for the most severe vector consistent with what is known."""

    action: Action
    policy: str
    rule: int
    provisional: bool = False

    def __str__(self) -> str:
        text = f"{self.action.name} ({self.action.within}) under {self.policy}"
        return text + (" [provisional: a base metric is unknown]" if self.provisional else "")


def respond(vector: Vector, policy: Policy | None = None) -> Response:
    """Recommended response for ``vector`` under ``policy`` (default: :data:`DEFAULT_POLICY`)."""
    policy = policy or DEFAULT_POLICY
    s = score(vector)
    if s.rating is not None:
        rule = decide(policy, vector, s.rating)
        return Response(ACTION_BY_NAME[rule.action], policy.name, rule.index + 1)
    worst = score_range(vector)
    rule = decide(policy, worst.vector_high, worst.rating_high)
    return Response(ACTION_BY_NAME[rule.action], policy.name, rule.index + 1, provisional=True)
