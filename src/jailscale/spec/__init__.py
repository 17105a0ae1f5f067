"""The JSS 1.0 standard as a pure calculator: standard library only, no I/O.

    >>> from jailscale import spec
    >>> v = spec.parse("JSS:1.0/HD:C/UN:U/FI:H/RL:H/SB:A")
    >>> s = spec.score(v)
    >>> (s.value, s.rating, s.label)
    (10.0, 'Critical', 'JSS-B')
"""

from .cjs import CJSError, CJSMapping, CJSScore, cjs, from_jss
from .explain import Change, Explanation, explain
from .metrics import (
    BASE_METRICS,
    GROUPS,
    ORDER,
    SPEC_VERSION,
    UNKNOWN,
    VECTOR_PREFIX,
    Metric,
    Value,
    metrics,
)
from .policy import ACTIONS, Action, CheckReport, Policy, PolicyError, check
from .policy import load as load_policy
from .response import DEFAULT_POLICY, DEFAULT_POLICY_DATA, Response, respond
from .scoring import RATINGS, Score, rating_of, score
from .uncertainty import ScoreRange, score_range
from .vector import (
    DuplicateMetricError,
    MissingMetricError,
    OrderError,
    PrefixError,
    SyntaxVectorError,
    UnknownMetricError,
    UnknownValueError,
    Vector,
    VectorError,
    parse,
)

__all__ = [
    "ACTIONS",
    "BASE_METRICS",
    "DEFAULT_POLICY",
    "DEFAULT_POLICY_DATA",
    "GROUPS",
    "ORDER",
    "RATINGS",
    "SPEC_VERSION",
    "UNKNOWN",
    "VECTOR_PREFIX",
    "Action",
    "CJSError",
    "CJSMapping",
    "CJSScore",
    "Change",
    "CheckReport",
    "DuplicateMetricError",
    "Explanation",
    "Metric",
    "MissingMetricError",
    "OrderError",
    "Policy",
    "PolicyError",
    "PrefixError",
    "Response",
    "Score",
    "ScoreRange",
    "SyntaxVectorError",
    "UnknownMetricError",
    "UnknownValueError",
    "Value",
    "Vector",
    "VectorError",
    "check",
    "cjs",
    "explain",
    "from_jss",
    "load_policy",
    "metrics",
    "parse",
    "rating_of",
    "respond",
    "score",
    "score_range",
]
