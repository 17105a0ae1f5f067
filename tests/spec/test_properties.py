"""Property tests of the JSS calculator, for every version it implements (1.0 and 2.0): bounds,
monotonicity, band caps, the uplift gate, round-trip, strict parsing, unset and unknown metrics, score
ranges, policies and explanations. Random vectors draw their version too; the exhaustive checks run
once per version."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from jailscale import spec
from jailscale.spec import scoring
from jailscale.spec.metrics import TABLES
from jailscale.spec.thresholds import UP_MARGIN, up_level

METRICS = spec.metrics()
VERSIONS = spec.VERSIONS
#: The metric lookup of the current version (the codes of every metric but RM are the same in all).
BY_ABBR = TABLES[spec.SPEC_VERSION].by_abbr
OPTIONAL = tuple(m.abbr for m in METRICS if not m.mandatory)
#: Metrics read by the exposure class (with HD: the "base side" of a vector).
BASE_SIDE = ("HD", "UN", "FI", "RL", "SB", "UP")
#: Metrics read only by the threat class (the "threat side").
THREAT_SIDE = ("EM", "AC", "AR", "AU", "TR", "DX", "RM")
MAX_RANK = {m.abbr: len(m.values) - 1 for m in METRICS}


def tenths(v: spec.Vector) -> int:
    value = spec.score(v).value
    assert value is not None
    return round(value * 10)


def by(version: str) -> dict[str, spec.Metric]:
    return TABLES[version].by_abbr


def rank(abbr: str, code: str, version: str = spec.SPEC_VERSION) -> int:
    return by(version)[abbr].rank(code)


def raised(codes: Mapping[str, str], abbr: str, version: str = spec.SPEC_VERSION) -> dict[str, str] | None:
    """``codes`` with ``abbr`` one step more severe, or None at the top."""
    m = by(version)[abbr]
    r = m.rank(codes[abbr])
    if r == MAX_RANK[abbr]:
        return None
    return {**codes, abbr: m.codes[r + 1]}


def shortfall(codes: Mapping[str, str], version: str = spec.SPEC_VERSION) -> int:
    return sum(MAX_RANK[a] - rank(a, c, version) for a, c in codes.items())


# --- strategies -------------------------------------------------------------------------------

@st.composite
def vectors(draw: st.DrawFn, unset: bool = True, unknown: bool = False,
            fixed: Mapping[str, str] | None = None, version: str | None = None) -> spec.Vector:
    """Random vectors of ``version`` (drawn when None): every base metric set (X only when
    ``unknown``), optional metrics set or, when ``unset``, sometimes omitted; ``fixed`` pins some
    metrics."""
    fixed = fixed or {}
    version = version or draw(st.sampled_from(VERSIONS))
    values: dict[str, str] = {}
    for m in spec.metrics(version):
        if m.abbr in fixed:
            values[m.abbr] = fixed[m.abbr]
            continue
        codes = list(m.codes)
        if m.mandatory and unknown:
            codes.append(spec.UNKNOWN)
        if not m.mandatory and unset and draw(st.booleans()):
            continue
        values[m.abbr] = draw(st.sampled_from(codes))
    return spec.Vector(values, version)


full_vectors = vectors(unset=False)


# --- bounds -----------------------------------------------------------------------------------

@given(vectors())
def test_score_is_between_0_and_10_with_one_decimal(v: spec.Vector) -> None:
    s = spec.score(v)
    assert s.value is not None
    assert 0.0 <= s.value <= 10.0
    assert s.value == round(s.value, 1)
    assert s.rating == spec.rating_of(round(s.value * 10))
    assert s.label.startswith("JSS-B")


def test_rating_bands_at_their_edges() -> None:
    edges = {0: "None", 1: "Low", 39: "Low", 40: "Medium", 69: "Medium", 70: "High", 89: "High",
             90: "Critical", 100: "Critical"}
    for t, name in edges.items():
        assert spec.rating_of(t) == name
    assert [spec.rating_of(t) for t in range(101)] == sorted(
        (spec.rating_of(t) for t in range(101)), key=spec.RATINGS.index)
    with pytest.raises(ValueError, match=r"below 0\.0"):
        spec.rating_of(-1)


# --- monotonicity -----------------------------------------------------------------------------

@given(full_vectors, st.sampled_from(spec.ORDER))
def test_raising_any_metric_one_step_never_lowers_the_score(v: spec.Vector, abbr: str) -> None:
    up = raised(dict(v.values), abbr, v.version)
    assume(up is not None)
    assert up is not None
    assert tenths(spec.Vector(up, v.version)) >= tenths(v), f"{v} -> {abbr}:{up[abbr]}"


@given(st.sampled_from(VERSIONS).flatmap(lambda ver: st.tuples(vectors(version=ver), vectors(version=ver))))
def test_a_vector_dominating_another_scores_at_least_as_much(pair: tuple[spec.Vector, spec.Vector]) -> None:
    a, b = pair
    ms, ver = a.table.metrics, a.version
    hi = spec.Vector({m.abbr: max(a.effective(m.abbr), b.effective(m.abbr), key=m.rank) for m in ms}, ver)
    lo = spec.Vector({m.abbr: min(a.effective(m.abbr), b.effective(m.abbr), key=m.rank) for m in ms}, ver)
    assert tenths(lo) <= min(tenths(a), tenths(b)) <= max(tenths(a), tenths(b)) <= tenths(hi)


def _is_monotone_grid(table: Mapping[tuple[Any, ...], int], axes: tuple[tuple[Any, ...], ...],
                      sign: int = 1) -> list[str]:
    """Single-step violations of monotonicity (non-decreasing; ``sign`` -1 for non-increasing)."""
    bad = []
    for key in itertools.product(*axes):
        for i, axis in enumerate(axes):
            j = axis.index(key[i])
            if j + 1 < len(axis):
                nxt = (*key[:i], axis[j + 1], *key[i + 1:])
                if sign * (table[nxt] - table[key]) < 0:
                    bad.append(f"{key} -> {nxt}: {table[key]} -> {table[nxt]}")
    return bad


def test_every_scoring_table_is_monotone_and_complete() -> None:
    un = ("L", "H", "U")
    assert set(scoring.REACH) == set(itertools.product(un, BY_ABBR["RL"].codes))
    assert not _is_monotone_grid(scoring.REACH, (un, BY_ABBR["RL"].codes))
    assert set(scoring.CAPABILITY) == set(itertools.product(BY_ABBR["FI"].codes, BY_ABBR["UP"].codes))
    assert not _is_monotone_grid(scoring.CAPABILITY, (BY_ABBR["FI"].codes, BY_ABBR["UP"].codes))
    assert not _is_monotone_grid(scoring.EXPOSURE, ((1, 2, 3), (1, 2, 3)))
    # SB: more layers passed (N < P < A) means a smaller drop
    drops = [scoring.SB_DROP[c] for c in BY_ABBR["SB"].codes]
    assert drops == sorted(drops, reverse=True) and drops[-1] == 0
    assert set(scoring.ACCESS) == set(itertools.product(BY_ABBR["AR"].codes, BY_ABBR["DX"].codes))
    assert not _is_monotone_grid(scoring.ACCESS, (BY_ABBR["AR"].codes, BY_ABBR["DX"].codes))
    ease = {k: scoring.ease(*k) for k in itertools.product(
        BY_ABBR["AC"].codes, BY_ABBR["AU"].codes, BY_ABBR["EM"].codes)}
    assert not _is_monotone_grid(ease, (BY_ABBR["AC"].codes, BY_ABBR["AU"].codes, BY_ABBR["EM"].codes))
    assert set(ease.values()) == {1, 2, 3}
    grid = {(hd, e, t): scoring.CLASS_SCORES[hd][e - 1][t - 1]
            for hd in scoring.HD_ORDER for e in (1, 2, 3, 4) for t in (1, 2, 3)}
    assert not _is_monotone_grid(grid, (scoring.HD_ORDER, (1, 2, 3, 4), (1, 2, 3)))
    # the band cap of each harm domain is written into its row
    caps = {"L": 39, "M": 69, "S": 89, "C": 100}
    for hd, cap in caps.items():
        assert max(max(row) for row in scoring.CLASS_SCORES[hd]) == cap
    assert min(min(row) for row in scoring.CLASS_SCORES["L"]) >= scoring.LOWEST_FLOOR


@pytest.mark.parametrize("version", VERSIONS)
def test_classes_are_monotone_over_every_combination_they_read(version: str) -> None:
    """Exposure over all UN (known, not N) x RL x FI x UP x SB; threat over all 1,944 combinations of
    EM, AC, AR, AU, TR, DX, RM; each with the other side held at its least and at its worst."""
    exposure_side = {"UN": ("L", "H", "U"), **{a: by(version)[a].codes for a in ("RL", "FI", "UP", "SB")}}
    threat_side = {a: by(version)[a].codes for a in THREAT_SIDE}
    for side, other, field in ((exposure_side, threat_side, "exposure"),
                               (threat_side, exposure_side, "threat")):
        axes = tuple(side.values())
        for pin in (0, -1):
            pinned = {a: codes[pin] for a, codes in other.items()}
            table = {}
            for combo in itertools.product(*axes):
                v = spec.Vector({"HD": "C", **pinned, **dict(zip(side, combo, strict=True))}, version)
                table[combo] = getattr(scoring.classes(v), field)
            assert not _is_monotone_grid(table, axes), field


def _factored_space(version: str) -> tuple[
        list[dict[str, str]], dict[tuple[int, int], dict[str, str]],
        set[tuple[tuple[int, int], tuple[int, int]]], dict[tuple[tuple[str, ...], tuple[int, int]], int]]:
    """The whole space of fully set ``version`` vectors, factored as explained in
    :func:`test_monotone_over_the_whole_space_exhaustively`: the base sides, one representative threat
    side per threat class and shortfall, every class edge, and the score of every (base side, class)."""
    threat_combos = [dict(zip(THREAT_SIDE, c, strict=True))
                     for c in itertools.product(*(by(version)[a].codes for a in THREAT_SIDE))]
    worst_base = {a: by(version)[a].worst for a in BASE_SIDE}

    def p_of(t: Mapping[str, str]) -> tuple[int, int]:
        return scoring.classes(spec.Vector({**worst_base, **t}, version)).threat, shortfall(t, version)

    reps: dict[tuple[int, int], dict[str, str]] = {}
    class_edges: set[tuple[tuple[int, int], tuple[int, int]]] = set()
    p_cache = {tuple(t.values()): p_of(t) for t in threat_combos}
    for t in threat_combos:
        p = p_cache[tuple(t.values())]
        reps.setdefault(p, t)
        for a in THREAT_SIDE:
            up = raised(t, a, version)
            if up is not None:
                class_edges.add((p, p_cache[tuple(up.values())]))
    assert len(threat_combos) == 1944 and len(reps) < 50

    base_combos = [dict(zip(BASE_SIDE, c, strict=True))
                   for c in itertools.product(*(by(version)[a].codes for a in BASE_SIDE))]
    assert len(base_combos) * len(threat_combos) == 4_199_040
    table = {(tuple(b.values()), p): scoring.score_tenths(spec.Vector({**b, **t}, version))[0]
             for b in base_combos for p, t in reps.items()}
    return base_combos, reps, class_edges, table


def _single_step_violations(version: str, limit: int = 10) -> list[str]:
    """Every single-step edge of the full space whose score goes down (up to ``limit``)."""
    base_combos, reps, class_edges, table = _factored_space(version)
    violations: list[str] = []
    for b in base_combos:
        key = tuple(b.values())
        for a in BASE_SIDE:
            up = raised(b, a, version)
            if up is None:
                continue
            up_key = tuple(up.values())
            for p, t in reps.items():
                if table[(up_key, p)] < table[(key, p)]:
                    violations.append(f"{spec.Vector({**b, **t}, version)} raising {a}")
                    if len(violations) >= limit:
                        return violations
        for p, q in class_edges:
            if table[(key, q)] < table[(key, p)]:
                violations.append(f"{spec.Vector({**b, **reps[p]}, version)} -> threat side {reps[q]}")
                if len(violations) >= limit:
                    return violations
    return violations


@pytest.mark.parametrize("version", VERSIONS)
def test_monotone_over_the_whole_space_exhaustively(version: str) -> None:
    """Every single-step edge of the full space (4,199,040 fully set vectors) is checked, in about
    100,000 library evaluations instead of 55 million.

    The argument. Split a vector into its base side b (HD, UN, FI, RL, SB, UP: 2,160 combinations)
    and its threat side t (EM, AC, AR, AU, TR, DX, RM: 1,944 combinations). ``score_tenths`` reads the
    threat side only through the threat class ``classes(v).threat`` (1-3) and through the deficit,
    which is a sum of per-metric shortfalls; so score(b, t) = F(b, p(t)) with p(t) = (threat class of
    t, shortfall of t). (That factorisation is itself checked, for every t, in
    ``test_score_depends_on_the_threat_side_only_through_its_class_and_shortfall``.) There are only a
    few dozen distinct p, so we score every (b, p) with the library, on one representative t per p.
    A single-step edge of the full space raises either one base-side metric, (b, t) -> (b', t), which
    is checked as F(b, p) <= F(b', p) for every b and every p, or one threat-side metric,
    (b, t) -> (b, t'), which maps to a class edge p(t) -> p(t'); we collect every class edge from all
    1,944 t and all seven metrics and check F(b, p) <= F(b, p') for every b. Unset optional metrics
    score as their worst value (tested below), so this covers partial vectors too.
    """
    violations = _single_step_violations(version)
    assert not violations, "\n".join(violations)


@pytest.mark.parametrize(("name", "planted", "found"), [
    ("SB_DROP", {"A": 0, "P": 3, "N": 1}, "raising SB"),  # P drops exposure more than N
    ("ease", lambda ac, au, em: 3 if ac == "H" else 1, "threat side"),  # harder is easier
])
def test_exhaustive_check_catches_a_planted_violation(monkeypatch: pytest.MonkeyPatch, name: str,
                                                      planted: object, found: str) -> None:
    """The check has teeth: a non-monotone table on either side of the split is caught."""
    monkeypatch.setattr(scoring, name, planted)
    violations = _single_step_violations(spec.SPEC_VERSION, limit=1)
    assert violations and found in violations[0]


@pytest.mark.parametrize("version", VERSIONS)
def test_score_depends_on_the_threat_side_only_through_its_class_and_shortfall(version: str) -> None:
    """The factorisation used above, checked for every threat-side combination against several base
    sides (the worst, the least non-zero, a UP:N one and a middling one)."""
    bases = [
        {"HD": "C", "UN": "U", "FI": "H", "RL": "H", "SB": "A", "UP": "H"},
        {"HD": "L", "UN": "L", "FI": "L", "RL": "L", "SB": "N", "UP": "N"},
        {"HD": "S", "UN": "H", "FI": "M", "RL": "M", "SB": "P", "UP": "M"},
        {"HD": "C", "UN": "U", "FI": "H", "RL": "M", "SB": "A", "UP": "N"},
        {"HD": "M", "UN": "U", "FI": "H", "RL": "H", "SB": "P", "UP": "L"},
    ]
    worst_base = bases[0]
    seen: dict[tuple[int, int], list[int]] = {}
    for combo in itertools.product(*(by(version)[a].codes for a in THREAT_SIDE)):
        t = dict(zip(THREAT_SIDE, combo, strict=True))
        p = (scoring.classes(spec.Vector({**worst_base, **t}, version)).threat, shortfall(t, version))
        scores = [scoring.score_tenths(spec.Vector({**b, **t}, version))[0] for b in bases]
        assert seen.setdefault(p, scores) == scores, t


# --- band caps, zero rules and the zero-uplift gate ------------------------------------------

@given(vectors())
def test_harm_domain_caps_the_band(v: spec.Vector) -> None:
    t = tenths(v)
    cap = {"N": 0, "L": 39, "M": 69, "S": 89, "C": 100}[v.effective("HD")]
    assert t <= cap
    if v.effective("HD") != "C":
        assert t < 90


def test_each_harm_domain_reaches_its_cap_and_only_c_is_critical() -> None:
    worst = {a: BY_ABBR[a].worst for a in spec.ORDER}
    for hd, top in (("L", 3.9), ("M", 6.9), ("S", 8.9), ("C", 10.0)):
        assert spec.score(spec.Vector({**worst, "HD": hd})).value == top


@given(vectors())
def test_zero_exactly_when_hd_or_un_is_n(v: spec.Vector) -> None:
    s = spec.score(v)
    assert s.value is not None
    if v.effective("HD") == "N" or v.effective("UN") == "N":
        assert s.value == 0.0 and s.rating == "None"
    else:
        assert s.value >= 0.1 and s.rating != "None"


@given(vectors(fixed={"UP": "N"}, version="1.0"))
def test_measured_zero_uplift_caps_at_low_in_1_0(v: spec.Vector) -> None:
    s = spec.score(v)
    assert s.value is not None and s.value <= 3.9
    assert s.rating in ("None", "Low")
    if "UP:N" in s.capped_by:
        assert s.value == 3.9
    if s.value < 3.9:
        assert "UP:N" not in s.capped_by


def test_zero_uplift_gate_is_recorded() -> None:
    s = spec.score(spec.parse("JSS:1.0/HD:C/UN:U/FI:H/RL:H/SB:A/UP:N"))
    assert (s.value, s.rating, s.capped_by) == (3.9, "Low", ("UP:N",))
    assert spec.score(spec.parse("JSS:1.0/HD:C/UN:U/FI:H/RL:H/SB:A")).capped_by == ()


#: JSS 2.0's uplift ceiling by HD and UP, as section 7.5 of jss-2.0.md states it in words: UP:N at the
#: top of Medium at HD:C and the top of Low below; UP:L one band higher; UP:M and UP:H only the harm
#: domain's own cap.
GATE_2_0 = {"C": {"N": 69, "L": 89, "M": 100, "H": 100}, "S": {"N": 39, "L": 69, "M": 89, "H": 89},
            "M": {"N": 39, "L": 69, "M": 69, "H": 69}, "L": {"N": 39, "L": 39, "M": 39, "H": 39}}


@given(vectors(version="2.0"))
def test_2_0_uplift_gate_is_graded_by_the_harm_domain(v: spec.Vector) -> None:
    s = spec.score(v)
    assume(s.value is not None and v.effective("HD") != "N")
    up, hd = v.effective("UP"), v.effective("HD")
    assert tenths(v) <= GATE_2_0[hd][up]
    uncapped = spec.score(v.replace(UP="H") if up == "H" else v)
    if s.capped_by and s.capped_by[-1].startswith("UP:"):
        assert s.capped_by[-1] == f"UP:{up}" and tenths(v) == GATE_2_0[hd][up], uncapped


def test_2_0_zero_uplift_at_hd_c_is_medium_not_low() -> None:
    """The cliff of 1.0 (UP:N 3.9 Low against UP:L 9.3 Critical) becomes a staircase."""
    v = "HD:C/UN:U/FI:H/RL:H/SB:A/UP:{}"
    got = {up: spec.score(spec.parse("JSS:2.0/" + v.format(up))) for up in "NLMH"}
    assert [(got[u].value, got[u].rating) for u in "NLMH"] == [
        (6.9, "Medium"), (8.9, "High"), (9.3, "Critical"), (10.0, "Critical")]
    assert got["N"].capped_by == ("UP:N",) and got["L"].capped_by == ("UP:L",)
    old = {up: spec.score(spec.parse("JSS:1.0/" + v.format(up))) for up in "NL"}
    assert (old["N"].value, old["N"].rating, old["L"].value, old["L"].rating) == (3.9, "Low", 9.3, "Critical")
    # at HD:S and below a measured zero uplift still reaches Low, as CJS's gain 0 does
    s = spec.score(spec.parse("JSS:2.0/HD:S/UN:U/FI:H/RL:H/SB:A/UP:N"))
    assert (s.value, s.rating, s.capped_by) == (3.9, "Low", ("UP:N",))


def _band(tenths_: int) -> int:
    return spec.RATINGS.index(spec.rating_of(tenths_))


def _up_steps_over_one_band(version: str, limit: int = 5) -> list[str]:
    """Every single step of UP, over the whole space of fully set vectors, that moves the rating by
    more than one band (the space factored as in the monotonicity check: UP is on the base side)."""
    base_combos, reps, _, table = _factored_space(version)
    out = []
    for b in base_combos:
        up = raised(b, "UP", version)
        if up is None:
            continue
        for p, t in reps.items():
            before, after = table[(tuple(b.values()), p)], table[(tuple(up.values()), p)]
            if abs(_band(after) - _band(before)) > 1:
                out.append(f"{spec.Vector({**b, **t}, version)}: {before / 10} -> UP:{up['UP']} {after / 10}")
                if len(out) >= limit:
                    return out
    return out


def test_2_0_no_single_step_of_uplift_moves_more_than_one_band_exhaustively() -> None:
    """Over all 4,199,040 fully set 2.0 vectors (unset UP scores as UP:H, so partial ones too)."""
    bad = _up_steps_over_one_band("2.0")
    assert not bad, "\n".join(bad)


def test_the_one_band_check_has_teeth_on_1_0() -> None:
    """JSS 1.0's flat cap is the cliff the 2.0 gate removes: the same check finds it."""
    bad = _up_steps_over_one_band("1.0", limit=1)
    assert bad and "UP:N" in bad[0] and "-> UP:L" in bad[0]


# --- round trip -------------------------------------------------------------------------------

@given(vectors(unknown=True))
def test_round_trip(v: spec.Vector) -> None:
    text = str(v)
    assert spec.parse(text) == v
    assert hash(spec.parse(text)) == hash(v)
    assert str(spec.parse(text)) == text


@given(st.data())
def test_canonical_strings_round_trip_exactly(data: st.DataObject) -> None:
    parts = [spec.VECTOR_PREFIX]
    for m in METRICS:
        codes = list(m.codes) + ([spec.UNKNOWN] if m.mandatory else [])
        if m.mandatory or data.draw(st.booleans()):
            parts.append(f"{m.abbr}:{data.draw(st.sampled_from(codes))}")
    text = "/".join(parts)
    assert str(spec.parse(text)) == text


def test_vector_of_validates_and_orders() -> None:
    v = spec.Vector.of(SB="A", RL="H", FI="H", UN="U", HD="C", UP="M")
    assert str(v) == "JSS:2.0/HD:C/UN:U/FI:H/RL:H/SB:A/UP:M" and v.version == spec.SPEC_VERSION == "2.0"
    assert v.replace(UP=None) == spec.parse("JSS:2.0/HD:C/UN:U/FI:H/RL:H/SB:A")
    old = spec.Vector.of(SB="A", RL="H", FI="H", UN="U", HD="C", UP="M", version="1.0")
    assert str(old) == "JSS:1.0/HD:C/UN:U/FI:H/RL:H/SB:A/UP:M"
    assert old != v and old.values == v.values, "equal codes in two versions are two vectors"
    with pytest.raises(spec.UnknownValueError, match='"Q"'):
        spec.Vector.of(HD="Q", UN="U", FI="H", RL="H", SB="A")
    with pytest.raises(spec.MissingMetricError, match="SB"):
        spec.Vector.of(HD="C", UN="U", FI="H", RL="H")


# --- strict parsing ---------------------------------------------------------------------------

GOOD = "JSS:1.0/HD:C/UN:U/FI:H/RL:H/SB:A"
BAD_VECTORS: list[tuple[str, type[spec.VectorError], tuple[str, ...]]] = [
    (GOOD + "/ZZ:A", spec.UnknownMetricError, ('"ZZ"',)),
    ("JSS:1.0/HD:C/un:U/FI:H/RL:H/SB:A", spec.UnknownMetricError, ('"un"',)),
    ("JSS:1.0/HD:Q/UN:U/FI:H/RL:H/SB:A", spec.UnknownValueError, ('"Q"', '"HD"')),
    (GOOD + "/UP:X", spec.UnknownValueError, ('"X"', '"UP"')),
    (GOOD + "/DX:c", spec.UnknownValueError, ('"c"', '"DX"')),
    ("JSS:1.0/HD:C/HD:C/UN:U/FI:H/RL:H/SB:A", spec.DuplicateMetricError, ('"HD"',)),
    (GOOD + "/UP:M/UP:M", spec.DuplicateMetricError, ('"UP"',)),
    ("JSS:1.0/HD:C/UN:U/FI:H/RL:H", spec.MissingMetricError, ("SB",)),
    ("JSS:1.0/HD:C/FI:H/SB:A", spec.MissingMetricError, ("UN", "RL")),
    ("JSS:1.0", spec.MissingMetricError, ("HD", "UN", "FI", "RL", "SB")),
    ("JSS:1.0/UN:U/HD:C/FI:H/RL:H/SB:A", spec.OrderError, ('"HD"', '"UN"')),
    (GOOD + "/DX:P/EM:A", spec.OrderError, ('"EM"', '"DX"')),
    ("CVSS:4.0/HD:C/UN:U/FI:H/RL:H/SB:A", spec.PrefixError, ('"CVSS:4.0/HD:C',)),
    ("JSS:3.0/HD:C/UN:U/FI:H/RL:H/SB:A", spec.PrefixError, ("JSS:3.0", '"JSS:1.0/" or "JSS:2.0/"')),
    ("JSS:2.0/HD:C/UN:U/FI:H/RL:H/SB:A/RM:X", spec.UnknownValueError,
     ('"X"', '"RM"', "F, S, U", "JSS 1.0 code; JSS 2.0 writes U")),
    (GOOD + "/RM:U", spec.UnknownValueError, ('"U"', '"RM"', "F, S, X", "JSS 2.0 code; JSS 1.0 writes X")),
    ("HD:C/UN:U/FI:H/RL:H/SB:A", spec.PrefixError, ("HD:C/UN:U",)),
    ("", spec.PrefixError, ('""',)),
    (GOOD + "/", spec.SyntaxVectorError, ('""',)),
    ("JSS:1.0/HD:C/UN/FI:H/RL:H/SB:A", spec.SyntaxVectorError, ('"UN"',)),
    ("JSS:1.0/HD:C:C/UN:U/FI:H/RL:H/SB:A", spec.SyntaxVectorError, ('"HD:C:C"',)),
    ("JSS:1.0//HD:C/UN:U/FI:H/RL:H/SB:A", spec.SyntaxVectorError, ("not METRIC:VALUE",)),
    (GOOD + "/UP:", spec.SyntaxVectorError, ('"UP:"',)),
]


@pytest.mark.parametrize(("text", "error", "quoted"), BAD_VECTORS, ids=[t for t, _, _ in BAD_VECTORS])
def test_parse_errors_are_precise(text: str, error: type[spec.VectorError], quoted: tuple[str, ...]) -> None:
    with pytest.raises(error) as info:
        spec.parse(text)
    assert isinstance(info.value, spec.VectorError) and isinstance(info.value, ValueError)
    message = str(info.value)
    assert "\n" not in message
    for part in quoted:
        assert part in message, f"{message!r} does not quote {part!r}"


def test_parse_rejects_non_text() -> None:
    with pytest.raises(spec.SyntaxVectorError, match="must be text"):
        spec.parse(42)  # type: ignore[arg-type]


def test_error_classes_are_distinct_subclasses() -> None:
    classes = {e for _, e, _ in BAD_VECTORS}
    assert len(classes) == 7
    for cls in classes:
        assert issubclass(cls, spec.VectorError)


# --- unset and unknown metrics ----------------------------------------------------------------

@given(vectors(), st.sampled_from(OPTIONAL))
def test_unset_optional_metric_scores_as_its_worst_value(v: spec.Vector, abbr: str) -> None:
    unset, worst = v.replace(**{abbr: None}), v.replace(**{abbr: v.table.by_abbr[abbr].worst})
    a, b = spec.score(unset), spec.score(worst)
    assert (a.value, a.rating) == (b.value, b.rating)
    assert unset.get(abbr) is None and worst.get(abbr) == v.table.by_abbr[abbr].worst


@given(vectors(unknown=True))
def test_unknown_base_metric_withholds_the_score_and_names_it(v: spec.Vector) -> None:
    unknown = tuple(a for a in spec.BASE_METRICS if v.get(a) == spec.UNKNOWN)
    s = spec.score(v)
    assert s.missing == unknown
    if unknown:
        assert s.withheld and s.value is None and s.rating is None
        assert "withheld" in str(s) and all(a in str(s) for a in unknown)
    else:
        assert not s.withheld and s.value is not None


def test_labels_name_the_groups_used() -> None:
    assert spec.score(spec.parse(GOOD)).label == "JSS-B"
    assert spec.score(spec.parse(GOOD + "/UP:M")).label == "JSS-BC"
    assert spec.score(spec.parse(GOOD + "/EM:A")).label == "JSS-BT"
    assert spec.score(spec.parse(GOOD + "/EM:A/DX:P")).label == "JSS-BTE"
    assert spec.score(spec.parse(GOOD + "/UP:L/AC:L/RM:F")).label == "JSS-BCTE"


# --- score ranges -----------------------------------------------------------------------------

@st.composite
def vectors_with_ranges(draw: st.DrawFn, unknown: bool = False) -> tuple[spec.Vector, dict[str, tuple[str, str]]]:
    v = draw(vectors(unknown=unknown))
    ranges = {}
    for m in v.table.metrics:
        if m.mandatory and v.get(m.abbr) == spec.UNKNOWN:  # (1.0's RM:X is a value, not unknown)
            if draw(st.booleans()):
                lo = draw(st.integers(0, len(m.values) - 1))
                hi = draw(st.integers(lo, len(m.values) - 1))
                ranges[m.abbr] = (m.codes[lo], m.codes[hi])
            continue
        if draw(st.booleans()):
            r = m.rank(v.effective(m.abbr))
            lo = draw(st.integers(0, r))
            hi = draw(st.integers(r, len(m.values) - 1))
            ranges[m.abbr] = (m.codes[lo], m.codes[hi])
    return v, ranges


@given(vectors_with_ranges())
def test_score_range_contains_the_score(case: tuple[spec.Vector, dict[str, tuple[str, str]]]) -> None:
    v, ranges = case
    rng = spec.score_range(v, ranges)
    s = spec.score(v)
    assert s.value is not None
    assert rng.low <= s.value <= rng.high
    assert spec.RATINGS.index(rng.rating_low) <= spec.RATINGS.index(s.rating or "") \
        <= spec.RATINGS.index(rng.rating_high)
    assert spec.score(rng.vector_low).value == rng.low
    assert spec.score(rng.vector_high).value == rng.high


def _brute_range(v: spec.Vector, ranges: Mapping[str, tuple[str, str]]) -> tuple[int, int] | None:
    """Lowest and highest score over every consistent vector, by enumeration (None if too many)."""
    axes: list[tuple[str, ...]] = []
    names: list[str] = []
    for m in v.table.metrics:
        code = v.get(m.abbr)
        if m.abbr in ranges:
            lo, hi = ranges[m.abbr]
            axis = m.codes[m.rank(lo): m.rank(hi) + 1]
        elif code == spec.UNKNOWN and m.mandatory:
            axis = m.codes
        elif code is None:
            continue
        else:
            axis = (code,)
        names.append(m.abbr)
        axes.append(axis)
    total = 1
    for axis in axes:
        total *= len(axis)
    if total > 3000:
        return None
    scores = [scoring.score_tenths(spec.Vector(dict(zip(names, combo, strict=True)), v.version))[0]
              for combo in itertools.product(*axes)]
    return min(scores), max(scores)


@settings(max_examples=300)
@given(vectors_with_ranges(unknown=True))
def test_score_range_is_the_lowest_and_highest_score_of_every_consistent_vector(
        case: tuple[spec.Vector, dict[str, tuple[str, str]]]) -> None:
    """Against enumeration of the consistent vectors, not against the two corners it computes."""
    v, ranges = case
    brute = _brute_range(v, ranges)
    assume(brute is not None)
    assert brute is not None
    rng = spec.score_range(v, ranges)
    assert (round(rng.low * 10), round(rng.high * 10)) == brute, (v, ranges)


@given(vectors(unknown=True))
def test_score_range_without_intervals(v: spec.Vector) -> None:
    """No intervals: a scored vector's range is its score; a withheld one's is the enumerated range
    over its unknown base metrics, which is never a single point above 0.0 when UN or HD is unknown."""
    rng = spec.score_range(v)
    brute = _brute_range(v, {})
    assert brute is not None
    assert (round(rng.low * 10), round(rng.high * 10)) == brute
    if not v.unknown_base:
        assert brute == (tenths(v), tenths(v))
    if {"HD", "UN"} & set(v.unknown_base):
        assert rng.low == 0.0, "HD:N or UN:N is consistent with an unknown HD or UN, and scores 0.0"


@given(vectors(unknown=True), st.data())
def test_score_range_of_unknown_metrics_covers_every_completion(v: spec.Vector, data: st.DataObject) -> None:
    rng = spec.score_range(v)
    completion = {a: data.draw(st.sampled_from(v.table.by_abbr[a].codes)) for a in v.unknown_base}
    value = spec.score(v.replace(**completion)).value
    assert value is not None and rng.low <= value <= rng.high


def test_score_range_rejects_bad_ranges() -> None:
    v = spec.parse(GOOD)
    with pytest.raises(spec.UnknownValueError, match='"Q"'):
        spec.score_range(v, {"UN": ("L", "Q")})
    with pytest.raises(ValueError, match="downwards"):
        spec.score_range(v, {"UN": ("U", "L")})


# --- policies ---------------------------------------------------------------------------------

def _policy(inputs: list[str], *rules: tuple[dict[str, Any], str]) -> spec.Policy:
    return spec.load_policy({"name": "test", "inputs": inputs,
                             "rules": [{"when": w, "action": a} for w, a in rules]})


def test_default_policy_passes_check() -> None:
    report = spec.check(spec.DEFAULT_POLICY)
    assert report.ok, report.problems
    assert report.combinations == 5 * 5 * 4 * 3 * 4
    assert [a.name for a in spec.ACTIONS] == ["Track", "Track*", "Attend", "Restrict", "Suspend"]


BROKEN_POLICIES: list[tuple[str, Callable[[], spec.Policy], str]] = [
    ("not total", lambda: _policy(["rating"], ({"rating": "Critical"}, "Restrict"),
                                  ({"rating": ">=Low"}, "Track")),
     "not covered: no rule matches rating=None"),
    ("not monotone", lambda: _policy(["rating"], ({"rating": "Critical"}, "Track"), ({}, "Attend")),
     "not monotone: raising rating to Critical"),
    ("irrelevant input", lambda: _policy(["rating", "DX"], ({"rating": "Critical"}, "Restrict"),
                                         ({}, "Track")), "irrelevant input: DX"),
    ("narrow low-fidelity Suspend", lambda: _policy(["UN", "FI"], ({"UN": ">=L"}, "Suspend"), ({}, "Track")),
     "unsafe: a narrow, low-fidelity jailbreak reaches Suspend at UN=L, FI=L"),
    ("Suspend blind to UN and FI", lambda: _policy(["HD"], ({"HD": "C"}, "Suspend"), ({}, "Track")),
     "unsafe: a narrow, low-fidelity jailbreak reaches Suspend at HD=C"),
    ("Suspend at a feasible rating",
     lambda: _policy(["rating", "UN", "FI"], ({"rating": ">=Medium"}, "Suspend"), ({}, "Track")),
     "unsafe: a narrow, low-fidelity jailbreak reaches Suspend at rating=Medium, UN=L, FI=L"),
]


@pytest.mark.parametrize(("case", "make", "message"), BROKEN_POLICIES, ids=[c for c, _, _ in BROKEN_POLICIES])
def test_broken_policies_fail_check_with_a_named_problem(case: str, make: Callable[[], spec.Policy],
                                                         message: str) -> None:
    report = spec.check(make())
    assert not report.ok
    assert any(message in p for p in report.problems), report.problems


def test_suspend_at_an_infeasible_rating_passes() -> None:
    """Narrow, low-fidelity vectors top out at Medium, so Suspend at Critical is safe to allow."""
    policy = _policy(["rating"], ({"rating": "Critical"}, "Suspend"), ({"rating": "High"}, "Restrict"),
                     ({"rating": "Medium"}, "Attend"), ({"rating": "Low"}, "Track*"), ({}, "Track"))
    assert spec.check(policy).ok


MALFORMED_POLICIES: list[tuple[Any, str]] = [
    ({"name": "p", "inputs": ["rating"], "rules": [{"action": "Panic"}]}, "unknown action 'Panic'"),
    ({"name": "p", "inputs": ["rating", "XX"], "rules": [{"action": "Track"}]}, "unknown input 'XX'"),
    ({"name": "p", "inputs": ["UN"], "rules": [{"when": {"UN": "Q"}, "action": "Track"}]},
     "unknown value 'Q'"),
    ({"name": "p", "inputs": ["UN"], "rules": [{"when": {"UN": ">=Q"}, "action": "Track"}]},
     "unknown value 'Q' in '>=Q'"),
    ({"name": "p", "inputs": ["rating"], "rules": [{"when": {"rating": "Severe"}, "action": "Track"}]},
     "unknown value 'Severe'"),
    ({"name": "p", "inputs": ["rating"], "rules": [{"when": {"HD": "C"}, "action": "Track"}]},
     "uses 'HD', which is not among its inputs"),
    ({"name": "p", "inputs": ["HD", "HD"], "rules": [{"action": "Track"}]}, "listed twice"),
    ({"inputs": ["HD"], "rules": [{"action": "Track"}]}, "non-empty 'name'"),
    ({"name": "p", "spec": "3.0", "inputs": ["HD"], "rules": [{"action": "Track"}]}, "JSS 3.0"),
    ({"name": "p", "spec": "2.0", "inputs": ["RM"], "rules": [{"when": {"RM": "X"}, "action": "Track"}]},
     "unknown value 'X'"),
    ({"name": "p", "inputs": [], "rules": [{"action": "Track"}]}, "needs 'inputs'"),
    ({"name": "p", "inputs": ["HD"], "rules": []}, "needs 'rules'"),
    ({"name": "p", "inputs": ["HD"], "rules": [{"when": {}}]}, "needs an 'action'"),
    (["not", "a", "mapping"], "must be a mapping"),
]


@pytest.mark.parametrize(("data", "message"), MALFORMED_POLICIES, ids=[m for _, m in MALFORMED_POLICIES])
def test_malformed_policies_are_rejected_with_a_message(data: Any, message: str) -> None:
    with pytest.raises(spec.PolicyError) as info:
        spec.load_policy(data)
    assert message in str(info.value)


def test_unhashable_policy_input_is_a_policy_error() -> None:
    """Regression: an unhashable input (a YAML list) raised TypeError."""
    with pytest.raises(spec.PolicyError, match=r"unknown input \['UN'\]"):
        spec.load_policy({"name": "p", "inputs": ["rating", ["UN"]], "rules": [{"action": "Track"}]})


PERMISSIVE = _policy(["rating"], ({"rating": "Critical"}, "Suspend"), ({"rating": "High"}, "Restrict"),
                     ({"rating": "Medium"}, "Attend"), ({"rating": "Low"}, "Track*"), ({}, "Track"))


@given(st.sampled_from(["N", "L"]), st.data())
def test_narrow_low_fidelity_never_suspended(un: str, data: st.DataObject) -> None:
    """Under the default policy and under any policy that passes check (here one that suspends every
    Critical), including provisional responses for vectors with other base metrics unknown."""
    v = data.draw(vectors(unknown=True, fixed={"UN": un, "FI": "L"}))
    for policy in (spec.DEFAULT_POLICY, PERMISSIVE):
        r = spec.respond(v, policy)
        assert r.action.name != "Suspend", f"{v} under {policy.name}"


def test_permissive_policy_passes_check() -> None:
    assert spec.check(PERMISSIVE).ok


def test_respond_follows_the_default_rules() -> None:
    r = spec.respond(spec.parse(GOOD))
    assert (r.action.name, r.policy, r.rule, r.provisional) == ("Suspend", "jss-default-1.0", 1, False)
    assert spec.respond(spec.parse("JSS:1.0/HD:C/UN:L/FI:H/RL:H/SB:A/DX:P")).action.name == "Restrict"
    assert spec.respond(spec.parse("JSS:1.0/HD:N/UN:U/FI:H/RL:H/SB:A")).action.name == "Track"
    provisional = spec.respond(spec.parse("JSS:1.0/HD:X/UN:U/FI:H/RL:H/SB:A"))
    assert provisional.provisional and provisional.action.name == "Suspend"
    assert "provisional" in str(provisional)


NAMES = [a.name for a in spec.ACTIONS]


def _action(v: spec.Vector, policy: spec.Policy) -> int:
    return NAMES.index(spec.respond(v, policy).action.name)


def _neighbour_drops(v: spec.Vector, policy: spec.Policy) -> list[str]:
    """Each single step of one known metric of ``v`` that makes the vector more severe but the
    recommended action milder."""
    out = []
    for abbr in v.table.order:
        if abbr in v.unknown_base:
            continue
        up = raised({abbr: v.effective(abbr)}, abbr, v.version)
        if up is None:
            continue
        w = v.replace(**up)
        if _action(w, policy) < _action(v, policy):
            out.append(f"{v} -> {abbr}:{up[abbr]}: {spec.respond(v, policy).action.name} -> "
                       f"{spec.respond(w, policy).action.name}")
    return out


@given(vectors(unknown=True))
def test_response_is_monotone_between_neighbouring_vectors(v: spec.Vector) -> None:
    """Raising any one known metric by one step never gives a milder action, under the default policy
    and under a second, checked policy; scored and withheld (provisional) vectors alike."""
    for policy in (spec.DEFAULT_POLICY, PERMISSIVE):
        assert not _neighbour_drops(v, policy)


@given(vectors(unknown=False))
def test_response_is_monotone_between_neighbouring_ratings(v: spec.Vector) -> None:
    """For scored vectors the action is a function of the rating and the policy's metric inputs: a
    neighbour with a higher rating and no lower input never gets a milder action."""
    s = spec.score(v)
    for abbr in v.table.order:
        up = raised({abbr: v.effective(abbr)}, abbr, v.version)
        if up is None:
            continue
        w = v.replace(**up)
        if spec.RATINGS.index(spec.score(w).rating or "") > spec.RATINGS.index(s.rating or ""):
            assert _action(w, spec.DEFAULT_POLICY) >= _action(v, spec.DEFAULT_POLICY), (v, abbr)


def test_the_neighbour_check_catches_a_non_monotone_policy() -> None:
    """A policy that suspends High but only tracks Critical loads (it fails `check`); the neighbour
    comparison above finds it on an ordinary vector."""
    bad = _policy(["rating"], ({"rating": "Critical"}, "Track"), ({"rating": "High"}, "Suspend"), ({}, "Track"))
    assert not spec.check(bad).ok
    v = spec.parse("JSS:2.0/HD:S/UN:U/FI:H/RL:H/SB:A")
    assert spec.score(v).rating == "High"
    drops = _neighbour_drops(v, bad)
    assert drops and "Suspend -> Track" in drops[0]


# --- provisional responses honour the range ---------------------------------------------------

@settings(max_examples=300)
@given(vectors_with_ranges(unknown=True), st.data())
def test_provisional_response_is_never_looser_than_the_range(
        case: tuple[spec.Vector, dict[str, tuple[str, str]]], data: st.DataObject) -> None:
    """A withheld score's response is the action at the top of its consistent range: at least as
    strict as the action of every consistent vector (sampled), and equal to one of them. A scored
    vector's response lies between the actions at the two ends of its range. Under the default policy
    and a second, checked policy."""
    v, ranges = case
    rng = spec.score_range(v, ranges)
    for policy in (spec.DEFAULT_POLICY, PERMISSIVE):
        r = spec.respond(v, policy, ranges)
        got = NAMES.index(r.action.name)
        top = _action(rng.vector_high, policy)
        if spec.score(v).withheld:
            assert r.provisional and got == top
            assert set(v.unknown_base) <= set(r.measure)
            completion = {}
            for m in v.table.metrics:
                code = v.get(m.abbr)
                unknown = m.mandatory and code == spec.UNKNOWN
                lo, hi = ranges.get(m.abbr, (m.least, m.worst) if unknown else (code, code))
                if code is None and m.abbr not in ranges:
                    continue
                completion[m.abbr] = data.draw(st.sampled_from(m.codes[m.rank(lo): m.rank(hi) + 1]))
            c = spec.Vector({**dict(v.values), **completion}, v.version)
            assert got >= _action(c, policy), f"{c} under {policy.name}"
        else:
            assert not r.provisional and not r.measure
            assert _action(rng.vector_low, policy) <= got <= top


def test_provisional_response_uses_the_measured_ranges_and_names_what_to_measure() -> None:
    v = spec.parse("JSS:2.0/HD:C/UN:X/FI:M/RL:H/SB:A/UP:H/DX:P")
    wide = spec.respond(v)  # UN over all its values, FI at its stated M
    assert wide.provisional and wide.action.name == "Suspend" and wide.measure == ("UN",)
    # the evidence bounds UN at L (narrow): the top of the range is HD:C/UN:L, 6.5 Medium, so Attend
    narrow = spec.respond(v, ranges={"UN": ("N", "L")})
    assert narrow.action.name == "Attend" and narrow.measure == ("UN",)
    # FI's interval reaches H: the top of the range is higher than the stated value
    fi_open = spec.respond(spec.parse("JSS:2.0/HD:S/UN:X/FI:M/RL:L/SB:A/UP:H/DX:P"),
                           ranges={"UN": ("N", "H"), "FI": ("M", "H")})
    assert fi_open.provisional and "UN" in fi_open.measure
    assert "measure UN" in str(fi_open) and "to settle it" in str(fi_open)


# --- explanations -----------------------------------------------------------------------------

@settings(max_examples=60)
@given(vectors(unknown=True))
def test_explain_lists_exactly_the_changes_that_move_the_rating(v: spec.Vector) -> None:
    e = spec.explain(v)
    s = spec.score(v)
    assert e.score == s
    listed = {(c.metric, c.code) for c in e.changes}
    for c in e.changes:
        alt = spec.score(v.replace(**{c.metric: c.code}))
        assert c.score == alt
        assert alt.rating != s.rating and alt.value is not None
    expected = set()
    for m in v.table.metrics:
        for code in m.codes:
            current = v.get(m.abbr)
            if code == current or (current is None and code == m.worst):
                continue
            alt = spec.score(v.replace(**{m.abbr: code}))
            if alt.value is not None and alt.rating != s.rating:
                expected.add((m.abbr, code))
    assert listed == expected


@settings(max_examples=300)
@given(vectors(unknown=True))
def test_explain_directions_are_right(v: spec.Vector) -> None:
    """Only a base metric can be unknown (X); JSS 1.0's RM:X is a real value, "unfixable", and a
    change from it is less severe. (The earlier test took RM:X for unknown and failed on about one
    seed in twenty.)"""
    for c in spec.explain(v).changes:
        if c.metric in v.table.base and v.get(c.metric) == spec.UNKNOWN:
            # an unknown base metric has no current rank: its alternatives are measurements
            assert c.more_severe is None and c.direction == "if measured", c
            continue
        current = v.effective(c.metric)
        assert c.more_severe == (rank(c.metric, c.code, v.version) > rank(c.metric, current, v.version)), c
        assert c.direction == ("more severe" if c.more_severe else "less severe"), c


def test_explain_alternatives_of_an_unknown_metric_are_if_measured() -> None:
    """Regression: every alternative of an unknown (X) base metric was labelled 'more severe', even
    UN:N, which scores 0.0."""
    e = spec.explain(spec.parse("JSS:1.0/HD:C/UN:X/FI:H/RL:H/SB:A"))
    assert e.score.withheld
    changes = {c.code: c for c in e.changes}
    assert set(changes) == {"N", "L", "H", "U"}
    assert {c.metric for c in e.changes} == {"UN"}
    assert all(c.more_severe is None and c.direction == "if measured" for c in e.changes)
    assert changes["N"].score.value == 0.0
    assert "UN:N (if measured)" in str(e)


def test_explain_direction_from_rm_x() -> None:
    """Regression: RM:X (a real value, the most severe) was taken for 'unknown', so lowering it to
    RM:F was labelled 'more severe'."""
    v = spec.parse("JSS:1.0/HD:C/UN:L/FI:L/RL:H/SB:P/UP:M/EM:P/AC:L/AR:W/AU:Y/TR:N/DX:P/RM:X")
    changes = {(c.metric, c.code): c for c in spec.explain(v).changes}
    assert ("RM", "F") in changes
    assert changes[("RM", "F")].direction == "less severe"


def test_explain_steps_name_what_set_the_score() -> None:
    e = spec.explain(spec.parse("JSS:1.0/HD:C/UN:U/FI:H/RL:H/SB:A/UP:N"))
    text = str(e)
    assert "UP:N (measured zero uplift) caps the score at 3.9" in text
    assert "unset, scored at their worst: EM, AC, AR, AU, TR, DX, RM" in text
    withheld = spec.explain(spec.parse("JSS:1.0/HD:C/UN:X/FI:H/RL:H/SB:A"))
    assert "UN not measured" in withheld.steps[0]
    assert all(c.metric == "UN" for c in withheld.changes)


# --- the UP:N threshold -----------------------------------------------------------------------

@pytest.mark.parametrize(("bound", "level"), [
    (-0.2, "N"), (0.0, "N"), (0.0999, "N"), (0.10, "L"), (0.2499, "L"), (0.25, "M"), (0.50, "H"),
])
def test_up_n_needs_the_upper_bound_strictly_below_the_margin(bound: float, level: str) -> None:
    """UP:N holds only when the upper bound of the mean uplift is below 0.10; a bound of exactly
    0.10 reaches UP:L (thresholds are inclusive, as in the spec)."""
    assert UP_MARGIN == 0.10
    assert up_level(bound) == level


# --- policies and versions ----------------------------------------------------------------------

def test_a_policy_decides_on_every_version_whose_codes_it_reads_unchanged() -> None:
    """The default policy (written for 1.0) reads rating, HD, UN, FI and DX: the same codes in 2.0."""
    assert spec.DEFAULT_POLICY.spec == "1.0"
    assert spec.applies_to(spec.DEFAULT_POLICY, "1.0") and spec.applies_to(spec.DEFAULT_POLICY, "2.0")
    for text in ("JSS:1.0/HD:C/UN:U/FI:H/RL:H/SB:A/RM:X", "JSS:2.0/HD:C/UN:U/FI:H/RL:H/SB:A/RM:U"):
        assert spec.respond(spec.parse(text)).action.name == "Suspend"


def test_a_policy_reading_rm_decides_only_on_its_own_version() -> None:
    rules = [{"when": {"RM": "U"}, "action": "Attend"}, {"action": "Track"}]
    p2 = spec.load_policy({"name": "rm-2", "spec": "2.0", "inputs": ["RM"], "rules": rules})
    assert spec.check(p2).ok and not spec.applies_to(p2, "1.0")
    assert spec.respond(spec.parse("JSS:2.0/HD:L/UN:L/FI:L/RL:L/SB:N/RM:U"), p2).action.name == "Attend"
    with pytest.raises(spec.PolicyError, match=r"written for JSS 2\.0 and reads RM"):
        spec.respond(spec.parse("JSS:1.0/HD:L/UN:L/FI:L/RL:L/SB:N/RM:X"), p2)
    p1 = spec.load_policy({"name": "rm-1", "spec": "1.0", "inputs": ["RM"],
                           "rules": [{"when": {"RM": "X"}, "action": "Attend"}, {"action": "Track"}]})
    assert spec.respond(spec.parse("JSS:1.0/HD:L/UN:L/FI:L/RL:L/SB:N/RM:X"), p1).action.name == "Attend"
    # a policy without `spec` is written in the current version's codes
    assert spec.load_policy({"name": "p", "inputs": ["RM"], "rules": rules}).spec == spec.SPEC_VERSION


@settings(max_examples=800)
@given(vectors(unknown=True, version="1.0"))
def test_explain_directions_from_rm_x_over_many_1_0_vectors(v: spec.Vector) -> None:
    """The seeds on which the old test failed were 1.0 vectors with RM:X: run many of them."""
    test_explain_directions_are_right.hypothesis.inner_test(v)  # type: ignore[attr-defined]
