"""Recommended responses: ordered actions, policies that map vectors to them, and policy checks.

The measured vector never depends on the policy. A policy is data (a mapping loaded from YAML by the
caller; this module does no I/O): a name, the *inputs* it decides on (``rating`` and any metric
abbreviations), and ordered rules, the first matching rule giving the action::

    name: jss-default
    spec: "2.0"                     # the JSS version whose codes the rules are written in
    inputs: [rating, HD, UN, FI, DX]
    rules:
      - when: {rating: Critical, UN: ">=H", FI: ">=M"}
        action: Suspend
      - when: {}                    # matches everything
        action: Track

A condition is a code (``H``), a list of codes (``[P, O]``), or a bound (``">=H"``, ``"<=L"``).
:func:`check` proves a policy total (every input combination matched), monotone (a more severe input
never gets a milder action), free of irrelevant inputs (each input changes the action somewhere), and
safe for narrow, low-fidelity jailbreaks (no such vector can reach Suspend).

Versions. A policy is written in the codes of the JSS version it states (``spec``, default the current
version). It decides on vectors of that version, and of any other version in which every metric it
reads has the same codes (:func:`applies_to`): the default policy, written for 1.0, reads rating, HD,
UN, FI and DX, which JSS 2.0 did not change, so it decides on 2.0 vectors unchanged.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .metrics import SPEC_VERSION, TABLES, VERSIONS, VersionError, table
from .scoring import RATINGS, rating_of, score_tenths
from .vector import Vector


@dataclass(frozen=True)
class Action:
    """A response action: what it asks and within how long."""

    name: str
    asks: str
    within: str


#: The actions from mildest to most severe (SSVC's Track / Track* / Attend, extended for deployment).
ACTIONS: tuple[Action, ...] = (
    Action("Track", "Record the finding; re-test at the next scheduled model or safeguard release.",
           "next release, at most 180 days"),
    Action("Track*", "Track closely: watch for public spread and use in the wild; re-test the "
           "technique and its variants.", "re-test within 90 days"),
    Action("Attend", "Assign an owner; mitigate (classifier rule, refusal training, monitoring) and "
           "verify the fix by re-test; tell affected deployers.", "within 30 days"),
    Action("Restrict", "Block the technique or restrict the affected surface now (emergency "
           "classifier, feature or access restriction); notify the responsible authority.",
           "within 72 hours"),
    Action("Suspend", "Suspend the affected deployment or surface until a fix is verified by "
           "re-test; notify the responsible authority.", "within 24 hours"),
)
ACTION_NAMES: tuple[str, ...] = tuple(a.name for a in ACTIONS)
ACTION_BY_NAME: dict[str, Action] = {a.name: a for a in ACTIONS}

RATING_INPUT = "rating"


class PolicyError(ValueError):
    """A policy that is malformed or fails a check; the message names the rule or input."""


def _codes(name: str, version: str) -> tuple[str, ...]:
    if name == RATING_INPUT:
        return RATINGS
    return TABLES[version].by_abbr[name].codes


@dataclass(frozen=True)
class Rule:
    when: Mapping[str, frozenset[str]]
    action: str
    index: int

    def matches(self, point: Mapping[str, str]) -> bool:
        return all(point[k] in allowed for k, allowed in self.when.items())


@dataclass(frozen=True)
class Policy:
    """A validated policy (structure only; run :func:`check` for the semantic properties)."""

    name: str
    inputs: tuple[str, ...]
    rules: tuple[Rule, ...]
    description: str = ""
    spec: str = SPEC_VERSION

    def decide(self, point: Mapping[str, str]) -> Rule | None:
        for rule in self.rules:
            if rule.matches(point):
                return rule
        return None


def _parse_condition(policy: str, version: str, idx: int, key: str, cond: Any) -> frozenset[str]:
    codes = _codes(key, version)
    where = f"policy {policy!r} rule {idx + 1}, input {key!r}"
    if isinstance(cond, str) and cond[:2] in (">=", "<="):
        bound = cond[2:].strip()
        if bound not in codes:
            raise PolicyError(f"{where}: unknown value {bound!r} in {cond!r}; expected one of "
                              f"{', '.join(codes)}")
        i = codes.index(bound)
        return frozenset(codes[i:] if cond.startswith(">=") else codes[: i + 1])
    values = cond if isinstance(cond, list) else [cond]
    for v in values:
        if not isinstance(v, str) or v not in codes:
            raise PolicyError(f"{where}: unknown value {v!r}; expected one of {', '.join(codes)}, "
                              "a list of them, or a bound such as '>=H'")
    return frozenset(values)


def load(data: Mapping[str, Any]) -> Policy:
    """Build a :class:`Policy` from its mapping (parsed YAML or JSON); raise PolicyError if malformed."""
    if not isinstance(data, Mapping):
        raise PolicyError(f"a policy must be a mapping with name, inputs and rules, not {type(data).__name__}")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise PolicyError("a policy needs a non-empty 'name'")
    spec = str(data.get("spec", SPEC_VERSION))
    try:
        t = table(spec)
    except VersionError:
        raise PolicyError(f"policy {name!r} is for JSS {spec}; this calculator implements JSS "
                          f"{', '.join(VERSIONS)}") from None
    inputs = data.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise PolicyError(f"policy {name!r} needs 'inputs': a list of 'rating' and metric abbreviations")
    for key in inputs:
        if not isinstance(key, str) or (key != RATING_INPUT and key not in t.by_abbr):
            raise PolicyError(f"policy {name!r}: unknown input {key!r}; use 'rating' or one of "
                              f"{', '.join(t.order)}")
    if len(set(inputs)) != len(inputs):
        raise PolicyError(f"policy {name!r}: an input is listed twice in {inputs}")
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise PolicyError(f"policy {name!r} needs 'rules': a list of {{when, action}}")
    rules = []
    for idx, raw in enumerate(raw_rules):
        if not isinstance(raw, Mapping) or "action" not in raw:
            raise PolicyError(f"policy {name!r} rule {idx + 1} needs an 'action' (and optional 'when')")
        action = raw["action"]
        if action not in ACTION_NAMES:
            raise PolicyError(f"policy {name!r} rule {idx + 1}: unknown action {action!r}; "
                              f"expected one of {', '.join(ACTION_NAMES)}")
        when = raw.get("when") or {}
        if not isinstance(when, Mapping):
            raise PolicyError(f"policy {name!r} rule {idx + 1}: 'when' must be a mapping")
        conds = {}
        for key, cond in when.items():
            if key not in inputs:
                raise PolicyError(f"policy {name!r} rule {idx + 1} uses {key!r}, which is not among "
                                  f"its inputs {inputs}")
            conds[key] = _parse_condition(name, spec, idx, key, cond)
        rules.append(Rule(conds, action, idx))
    return Policy(name, tuple(inputs), tuple(rules), str(data.get("description", "")), spec)


def applies_to(policy: Policy, version: str) -> bool:
    """Whether ``policy`` can decide on vectors of ``version``: every metric it reads has the same
    codes in that version as in the version the policy is written for."""
    if version not in TABLES:
        return False
    return all(_codes(k, policy.spec) == _codes(k, version) for k in policy.inputs)


def _grid(policy: Policy) -> Iterator[dict[str, str]]:
    for combo in itertools.product(*(_codes(k, policy.spec) for k in policy.inputs)):
        yield dict(zip(policy.inputs, combo, strict=True))


def _feasible_ratings(point: Mapping[str, str], version: str,
                      fixed: Mapping[str, str] | None = None) -> tuple[int, int]:
    """Lowest and highest rating index over ``version`` vectors agreeing with the point's metric
    inputs (and ``fixed``). Monotonicity makes these the scores of the all-least and all-worst
    completions."""
    pins = {k: v for k, v in point.items() if k != RATING_INPUT}
    pins.update(fixed or {})
    t = TABLES[version]
    lo = Vector({a: pins.get(a, t.by_abbr[a].least) for a in t.order}, version)
    hi = Vector({a: pins.get(a, t.by_abbr[a].worst) for a in t.order}, version)
    return (RATINGS.index(rating_of(score_tenths(lo)[0])),
            RATINGS.index(rating_of(score_tenths(hi)[0])))


@dataclass(frozen=True)
class CheckReport:
    policy: str
    combinations: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def check(policy: Policy, max_problems: int = 20) -> CheckReport:
    """Check coverage, monotonicity, relevance of every input, and the narrow low-fidelity ceiling."""
    problems: list[str] = []
    table: dict[tuple[str, ...], str] = {}
    for point in _grid(policy):
        rule = policy.decide(point)
        key = tuple(point.values())
        if rule is None:
            problems.append(f"not covered: no rule matches {_fmt(point)}")
        else:
            table[key] = rule.action
    for point in _grid(policy):
        key = tuple(point.values())
        if key not in table:
            continue
        for i, inp in enumerate(policy.inputs):
            codes = _codes(inp, policy.spec)
            r = codes.index(point[inp])
            if r + 1 < len(codes):
                up = (*key[:i], codes[r + 1], *key[i + 1:])
                if up in table and ACTION_NAMES.index(table[up]) < ACTION_NAMES.index(table[key]):
                    problems.append(f"not monotone: raising {inp} to {codes[r + 1]} at {_fmt(point)} "
                                    f"lowers the action from {table[key]} to {table[up]}")
    for i, inp in enumerate(policy.inputs):
        if not any(table.get((*k[:i], c, *k[i + 1:]), a) != a
                   for k, a in table.items() for c in _codes(inp, policy.spec)):
            problems.append(f"irrelevant input: {inp} never changes the action; remove it")
    problems.extend(_narrow_low_fidelity(policy, table))
    return CheckReport(policy.name, len(table), tuple(problems[:max_problems]))


def _narrow_low_fidelity(policy: Policy, table: Mapping[tuple[str, ...], str]) -> list[str]:
    """No vector with UN at most L and FI:L may be sent to Suspend under any feasible rating, in any
    version the policy decides on."""
    out = []
    versions = [v for v in VERSIONS if applies_to(policy, v)]
    for key, action in table.items():
        if action != "Suspend":
            continue
        point = dict(zip(policy.inputs, key, strict=True))
        if point.get("UN", "L") not in ("N", "L") or point.get("FI", "L") != "L":
            continue
        fixed = {"UN": point.get("UN", "L"), "FI": "L"}
        r = RATINGS.index(point[RATING_INPUT]) if RATING_INPUT in point else None
        for version in versions:
            lo, hi = _feasible_ratings(point, version, fixed)
            if r is None or lo <= r <= hi:
                out.append(f"unsafe: a narrow, low-fidelity jailbreak reaches Suspend at {_fmt(point)}")
                break
    return out


def _fmt(point: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in point.items())


def inputs_of(vector: Vector, rating: str) -> dict[str, str]:
    """The decision point of a scored vector: its rating and its effective metric codes."""
    point = {RATING_INPUT: rating}
    point.update({a: vector.effective(a) for a in vector.table.order})
    return point


def decide(policy: Policy, vector: Vector, rating: str) -> Rule:
    if not applies_to(policy, vector.version):
        changed = [k for k in policy.inputs if k != RATING_INPUT
                   and _codes(k, policy.spec) != _codes(k, vector.version)]
        raise PolicyError(f"policy {policy.name!r} is written for JSS {policy.spec} and reads "
                          f"{', '.join(changed)}, whose codes differ in JSS {vector.version}; "
                          f"write a policy with spec: \"{vector.version}\" for {vector}")
    point = inputs_of(vector, rating)
    rule = policy.decide({k: point[k] for k in policy.inputs})
    if rule is None:
        raise PolicyError(f"policy {policy.name!r} has no rule for {vector} ({rating}); "
                          "run `jailscale policy check` on it")
    return rule

