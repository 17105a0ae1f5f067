"""Tamper evidence for assessments: recompute what an assessment derives and compare it with what it
states.

An assessment carries its vector and, derived from it, the score, rating, label, consistent range,
CJS and (under the default policy) the recommended response, plus a content ``id`` (sha256 of
everything but ``id`` and ``created_at``). A file or database row edited by hand ("1.2 Low" over a
vector that scores 9.2) is caught here: the id is recomputed from the content, the vector is parsed
and rescored under the spec version the assessment states, the metric table must agree with the
vector, and every stated figure must equal the recomputed one. A forger who also edits the vector,
the metric table and re-hashes the id produces an internally consistent file: only a signature
(``jailscale sign`` / ``verify``) tells that one apart.

``show`` and ``compare`` call :func:`require_intact`; the store calls :func:`row_problems` for the
columns it keeps beside the body.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import spec
from .errors import UserError
from .formats import Assessment, sha256_of
from .spec.serialize import cjs_dict
from .textsafe import quote

#: Tolerance for comparing stated floats with recomputed ones: the assessment JSON carries the
#: score in tenths and CJS figures as floats; anything beyond rounding noise is an edit.
EPSILON = 1e-9


@dataclass(frozen=True)
class Problem:
    """One stated field that does not match its recomputed value (``field`` is a dotted path)."""

    field: str
    stated: str
    expected: str

    def __str__(self) -> str:
        limit = 19 if self.field in ("id", "row.id") else 60
        return f"{self.field} is {quote(self.stated, limit)} where its content gives {quote(self.expected, limit)}"


class TamperedError(UserError):
    """An assessment whose stated figures do not follow from its content (exit 2)."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        first = "; ".join(str(p) for p in problems[:3])
        more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
        super().__init__(f"{source}: assessment fails its integrity check ({first}{more}); it was edited "
                         "after it was produced: refusing to display it (re-run jailscale assess on the "
                         "evidence, or ask its producer for a signed copy)")
        self.problems = problems


#: Top-level fields added after JSS 1.0 that are left out of the content id when unset, so an
#: assessment file written before they existed keeps its id.
OPTIONAL_SINCE_1_0 = ("baselines", "one_severe_output",)


#: Nested fields added by the JSS 2.0 measurement (jss-2.0 section 5), left out when unset for the same
#: reason: per metric ``n``, ``unit``, ``rates``; ``provenance.measured_under``;
#: ``provenance.judge.calibration_used`` and ``provenance.judge.panel``.
METRIC_FIELDS_SINCE_1_0 = ("n", "unit", "rates")


def content_id(a: Assessment) -> str:
    """The content id: sha256 of the assessment's canonical JSON without ``id`` and ``created_at``."""
    exclude: dict[str, Any] = {f: True for f in ("id", "created_at")}
    exclude.update({f: True for f in OPTIONAL_SINCE_1_0 if getattr(a, f) is None})
    if a.response.measure is None:  # added in 2.0 (provisional responses): older files keep their id
        exclude["response"] = {"measure": True}
    metrics = {i: {f: True for f in METRIC_FIELDS_SINCE_1_0 if getattr(m, f) in (None, [])}
               for i, m in enumerate(a.metrics)}
    exclude["metrics"] = {i: e for i, e in metrics.items() if e}
    prov: dict[str, Any] = {}
    if a.provenance.measured_under is None:
        prov["measured_under"] = True
    judge = {f: True for f in ("calibration_used", "panel") if getattr(a.provenance.judge, f) is None}
    if judge:
        prov["judge"] = judge
    exclude["provenance"] = prov
    return sha256_of(a.model_dump(mode="json", exclude=exclude))


Scorer = Callable[[Assessment], list["Problem"]]


def _same(x: float | None, y: float | None) -> bool:
    if x is None or y is None:
        return x is y
    return abs(x - y) <= EPSILON


def _cmp(out: list[Problem], field: str, stated: Any, expected: Any) -> None:
    equal = _same(stated, expected) if isinstance(stated, float | int | None) and isinstance(
        expected, float | int | None) and not isinstance(stated, bool) else stated == expected
    if not equal:
        out.append(Problem(field, _text(stated), _text(expected)))


def _text(x: Any) -> str:
    if isinstance(x, list | tuple):
        return "[" + ", ".join(_text(i) for i in x) + "]"
    return "none" if x is None else str(x)


def _rescore(a: Assessment) -> list[Problem]:
    """Parse the vector (its prefix selects the version's rules), rescore it, rebuild the range from
    the metric table's ranges. The default policy's response is recomputed as that version decides
    it: a 2.0 provisional response at the top of the consistent range (jss-2.0.md 9.5); a 1.0 one as
    1.0's implementation stored it, from the unknown metrics alone."""
    out: list[Problem] = []
    try:
        vector = spec.parse(a.vector)
    except spec.VectorError as e:
        return [Problem("vector", a.vector, f"a valid JSS vector ({e})")]
    table: dict[str, tuple[str | None, str, str]] = {m.abbr: (m.value, m.low, m.high) for m in a.metrics}
    if len(table) != len(a.metrics):
        out.append(Problem("metrics", "a metric listed twice", "each metric once"))
    for abbr, (value, _, _) in table.items():
        _cmp(out, f"metrics.{abbr}.value", value, vector.get(abbr))
    for abbr in vector.values:
        if abbr not in table:
            out.append(Problem(f"metrics.{abbr}", "absent", f"listed (the vector sets {abbr})"))
    s = spec.score(vector)
    sc = a.score
    _cmp(out, "score.value", sc.value, s.value)
    _cmp(out, "score.rating", sc.rating, s.rating)
    _cmp(out, "score.label", sc.label, s.label)
    _cmp(out, "score.withheld", sc.withheld, s.withheld)
    _cmp(out, "score.missing", list(sc.missing), list(s.missing))
    _cmp(out, "score.capped_by", list(sc.capped_by), list(s.capped_by))
    ranges = {abbr: (lo, hi) for abbr, (value, lo, hi) in table.items() if value is not None}
    try:
        rng = spec.score_range(vector, ranges)
    except ValueError as e:  # an unknown code or a downward range in the metric table
        out.append(Problem("metrics", "ranges " + _text(sorted(ranges.items())), f"valid ranges ({e})"))
        ranges = {}
    else:
        _cmp(out, "score.low", sc.low, rng.low)
        _cmp(out, "score.high", sc.high, rng.high)
        _cmp(out, "score.rating_low", sc.rating_low, rng.rating_low)
        _cmp(out, "score.rating_high", sc.rating_high, rng.rating_high)
    c = cjs_dict(vector)
    for name in ("gain", "breadth", "ease", "discoverability", "sum", "band"):
        _cmp(out, f"cjs.{name}", getattr(a.cjs, name), c[name])
    _cmp(out, "cjs.band_range", list(a.cjs.band_range), list(c["band_range"]))
    if a.response.policy == spec.DEFAULT_POLICY.name:  # another policy is named, not carried
        r = spec.respond(vector) if vector.version == "1.0" else spec.respond(vector, ranges=ranges)
        _cmp(out, "response.action", a.response.action, r.action.name)
        _cmp(out, "response.rule", a.response.rule, r.rule)
        _cmp(out, "response.provisional", a.response.provisional, r.provisional)
        if vector.version != "1.0":
            _cmp(out, "response.measure", a.response.measure, list(r.measure) if r.provisional else None)
    return out


#: Rescoring rules by the spec version an assessment states (``provenance.spec_version``). A new
#: spec version registers its own with :func:`register_scorer`; an assessment stating a version that
#: is not here cannot be checked and is refused as such.
SCORERS: dict[str, Scorer] = {"1.0": _rescore, "2.0": _rescore}


def register_scorer(version: str, scorer: Scorer) -> None:
    """Make ``scorer`` the rescoring rule for assessments that state spec ``version``."""
    SCORERS[version] = scorer


def check_assessment(a: Assessment) -> list[Problem]:
    """Every stated field of ``a`` that does not match what its content recomputes to; empty when
    the assessment is intact. Checks, in order: the vector's prefix names the stated spec version;
    the vector rescored under that version gives the stated score, rating, label, range, CJS and
    (default policy) response; the metric table agrees with the vector; the content id."""
    out: list[Problem] = []
    version = a.provenance.spec_version
    scorer = SCORERS.get(version)
    if scorer is None:
        out.append(Problem("provenance.spec_version", version,
                           f"a JSS version this jailscale can rescore ({', '.join(sorted(SCORERS))})"))
    else:
        prefix = f"JSS:{version}/"
        if not a.vector.startswith(prefix):
            out.append(Problem("vector", a.vector[:20] + "...", f"a vector starting {prefix}"))
        else:
            out += scorer(a)
    expected_id = content_id(a)
    if a.id != expected_id:
        out.append(Problem("id", a.id, expected_id))
    return out


def require_intact(a: Assessment, source: str) -> Assessment:
    """``a`` itself when :func:`check_assessment` finds nothing; otherwise a :class:`TamperedError`
    (a UserError, exit 2) naming ``source`` and the first problems, on one line."""
    problems = check_assessment(a)
    if problems:
        raise TamperedError(source, problems)
    return a


def row_problems(a: Assessment, columns: Mapping[str, Any]) -> list[Problem]:
    """The store keeps some fields in columns beside the body (for listing and searching): each must
    equal the body's (``columns``: id, title, vector, score, rating, label, submission_id)."""
    out: list[Problem] = []
    stated = {"id": a.id, "title": a.title, "vector": a.vector, "score": a.score.value,
              "rating": a.score.rating, "label": a.score.label, "submission_id": a.submission}
    for key, value in columns.items():
        if key in stated:
            _cmp(out, f"row.{key}", value, stated[key])
    return out
