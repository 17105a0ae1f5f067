"""The JSS standard (versions 1.0 and 2.0) as a pure calculator: standard library only, no I/O.

A vector carries its version; each version is scored by its own rules. New vectors are 2.0.

    >>> from jailscale import spec
    >>> v = spec.parse("JSS:2.0/HD:C/UN:U/FI:H/RL:H/SB:A")
    >>> s = spec.score(v)
    >>> (s.value, s.rating, s.label, v.version)
    (10.0, 'Critical', 'JSS-B', '2.0')
    >>> spec.score(spec.parse("JSS:1.0/HD:C/UN:U/FI:H/RL:H/SB:A/UP:N")).value
    3.9
    >>> spec.score(spec.parse("JSS:2.0/HD:C/UN:U/FI:H/RL:H/SB:A/UP:N")).value
    6.9
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
    VERSIONS,
    Metric,
    Table,
    Value,
    VersionError,
    metrics,
    table,
)
from .policy import ACTIONS, Action, CheckReport, Policy, PolicyError, applies_to, check
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
    "VERSIONS",
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
    "Table",
    "UnknownMetricError",
    "UnknownValueError",
    "Value",
    "Vector",
    "VectorError",
    "VersionError",
    "applies_to",
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
    "table",
]
