"""The reference incidents (docs/spec/reference-incidents.yaml) hold the calculator to the standard's
claims: every vector is complete, canonical and justified, scores as expected under JSS 2.0 and, in its
1.0 form, still as published under 1.0; every change between the two is explained; and the claimed
orderings between incidents hold strictly under both versions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from jailscale import spec

INCIDENTS_FILE = Path(__file__).resolve().parents[2] / "docs" / "spec" / "reference-incidents.yaml"
DATA: dict[str, Any] = yaml.safe_load(INCIDENTS_FILE.read_text(encoding="utf-8"))
INCIDENTS: list[dict[str, Any]] = DATA["incidents"]
BY_ID: dict[str, dict[str, Any]] = {i["id"]: i for i in INCIDENTS}
IDS = [i["id"] for i in INCIDENTS]

REQUIRED = ("DAN", "GCG", "many-shot", "Crescendo", "Skeleton Key", "Best-of-N", "PAIR", "TAP",
            "low-resource", "Base64", "Policy Puppetry", "Deceptive Delight")


def _score(incident_id: str, version: str = "2.0") -> spec.Score:
    record = BY_ID[incident_id] if version == "2.0" else BY_ID[incident_id]["v1_0"]
    return spec.score(spec.parse(record["vector"]))


def test_file_shape() -> None:
    assert DATA["spec"] == spec.SPEC_VERSION == "2.0"
    assert len(INCIDENTS) >= 13
    assert len(set(IDS)) == len(IDS), "incident ids must be unique"
    names = " ".join(i["name"] for i in INCIDENTS).lower()
    for required in REQUIRED:
        assert required.lower() in names, f"no reference incident for {required}"
    assert {"fable5-government", "fable5-lab"} <= set(BY_ID)


@pytest.mark.parametrize("incident", INCIDENTS, ids=IDS)
def test_incident_record_is_complete(incident: dict[str, Any]) -> None:
    for key in ("id", "name", "date", "target", "summary", "sources", "vector", "justification", "expected",
                "v1_0", "change_2_0"):
        assert incident.get(key), f"{incident.get('id')}: missing {key}"
    assert re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", str(incident["date"])), incident["date"]
    assert isinstance(incident["sources"], list) and incident["sources"]
    for source in incident["sources"]:
        assert source.get("title") and source.get("authors") and source.get("year"), source
        if source.get("url"):
            assert str(source["url"]).startswith("https://"), source["url"]


@pytest.mark.parametrize("incident", INCIDENTS, ids=IDS)
def test_vector_is_full_canonical_and_round_trips(incident: dict[str, Any]) -> None:
    text = incident["vector"]
    v = spec.parse(text)
    assert str(v) == text, "the vector must be written canonically"
    assert spec.parse(str(v)) == v
    assert tuple(v.values) == spec.ORDER, "all 13 metrics must be set, in canonical order"
    assert not v.unknown_base
    assert spec.score(v).label == "JSS-BCTE"


@pytest.mark.parametrize("incident", INCIDENTS, ids=IDS)
def test_every_metric_is_justified(incident: dict[str, Any]) -> None:
    justification = incident["justification"]
    assert set(justification) == set(spec.ORDER)
    for abbr in spec.ORDER:
        line = justification[abbr]
        assert isinstance(line, str) and len(line.split()) >= 3, f"{incident['id']} {abbr}: {line!r}"
        assert "\n" not in line.strip(), f"{incident['id']} {abbr}: one line"


@pytest.mark.parametrize("incident", INCIDENTS, ids=IDS)
def test_expected_rating_and_score(incident: dict[str, Any]) -> None:
    v = spec.parse(incident["vector"])
    assert v.version == "2.0"
    s = spec.score(v)
    assert s.rating == incident["expected"]["rating"]
    assert s.value == incident["expected"]["score"]


@pytest.mark.parametrize("incident", INCIDENTS, ids=IDS)
def test_the_1_0_record_still_scores_as_published(incident: dict[str, Any]) -> None:
    old = spec.parse(incident["v1_0"]["vector"])
    assert old.version == "1.0"
    s = spec.score(old)
    assert (s.value, s.rating) == (incident["v1_0"]["expected"]["score"], incident["v1_0"]["expected"]["rating"])


@pytest.mark.parametrize("incident", INCIDENTS, ids=IDS)
def test_2_0_vector_is_the_1_0_evidence_restated(incident: dict[str, Any]) -> None:
    """Same judgments: the codes are equal but for RM's unfixable (X in 1.0, U in 2.0)."""
    new, old = spec.parse(incident["vector"]), spec.parse(incident["v1_0"]["vector"])
    restated = {a: ("U" if a == "RM" and c == "X" else c) for a, c in old.values.items()}
    assert dict(new.values) == restated


@pytest.mark.parametrize("incident", INCIDENTS, ids=IDS)
def test_every_change_is_explained(incident: dict[str, Any]) -> None:
    """The note says "Unchanged" exactly when neither the score nor the rating moved, and a changed
    note names both scores."""
    new, old = incident["expected"], incident["v1_0"]["expected"]
    note = incident["change_2_0"]
    assert isinstance(note, str) and len(note.split()) >= 8
    if (new["score"], new["rating"]) == (old["score"], old["rating"]):
        assert note.startswith("Unchanged"), incident["id"]
    else:
        assert not note.startswith("Unchanged"), incident["id"]
        for part in (f"{old['score']} {old['rating']}", f"{new['score']} {new['rating']}"):
            assert part in note, (incident["id"], part)


def test_what_2_0_changed_among_the_incidents() -> None:
    """Only Crescendo moves: UP:L in the Severe tier now stops at the top of Medium (section 7.5)."""
    moved = {i["id"] for i in INCIDENTS if i["expected"] != i["v1_0"]["expected"]}
    assert moved == {"crescendo"}
    assert _score("crescendo").capped_by == ("UP:L",)


ORDERING = DATA["ordering"]


def test_enough_ordering_claims() -> None:
    assert len(ORDERING) >= 10
    for claim in ORDERING:
        assert claim["higher"] in BY_ID and claim["lower"] in BY_ID, claim
        assert claim["higher"] != claim["lower"]
        assert len(claim["why"].split()) >= 5, claim


@pytest.mark.parametrize("version", ["2.0", "1.0"])
@pytest.mark.parametrize("claim", ORDERING, ids=[f"{c['higher']}>{c['lower']}" for c in ORDERING])
def test_ordering_claim_holds(claim: dict[str, str], version: str) -> None:
    higher, lower = _score(claim["higher"], version), _score(claim["lower"], version)
    assert higher.value is not None and lower.value is not None
    assert higher.value > lower.value, (
        f"{claim['higher']} {higher.value} should exceed {claim['lower']} {lower.value}: {claim['why']}")


CONFLICTS = DATA.get("conflicts", [])


@pytest.mark.parametrize("version", ["2.0", "1.0"])
@pytest.mark.parametrize("claim", CONFLICTS, ids=[f"{c['higher']}>{c['lower']}" for c in CONFLICTS])
@pytest.mark.xfail(strict=True, reason="a defensible ordering JSS 1.0 and 2.0 do not meet (still a tie "
                   "under 2.0: the in-class refinement, jss-2.0.md section 13); reported to the lead")
def test_known_conflict(claim: dict[str, str], version: str) -> None:
    assert _score(claim["higher"], version).value > _score(claim["lower"], version).value  # type: ignore[operator]


@pytest.mark.parametrize("version", ["2.0", "1.0"])
def test_known_conflicts_are_ties_not_inversions(version: str) -> None:
    """A conflict is a tie, never an inversion: the calculator is weakly monotone even there."""
    for claim in CONFLICTS:
        assert _score(claim["higher"], version).value == _score(claim["lower"], version).value


def test_fable5_readings_differ_only_in_uplift() -> None:
    gov = spec.parse(BY_ID["fable5-government"]["vector"])
    lab = spec.parse(BY_ID["fable5-lab"]["vector"])
    differing = {a for a in spec.ORDER if gov.get(a) != lab.get(a)}
    assert differing == {"UP"}
    assert gov.get("UP") == "H" and lab.get("UP") == "N"


def test_fable5_government_rates_above_lab_because_of_uplift() -> None:
    gov = spec.parse(BY_ID["fable5-government"]["vector"])
    lab = spec.parse(BY_ID["fable5-lab"]["vector"])
    s_gov, s_lab = spec.score(gov), spec.score(lab)
    assert s_gov.value is not None and s_lab.value is not None
    assert s_gov.value > s_lab.value
    assert spec.RATINGS.index(s_gov.rating) > spec.RATINGS.index(s_lab.rating)  # type: ignore[arg-type]

    # The lab's score is the uplift gate at work (HD:S: a measured UP:N still reaches Low in 2.0).
    assert s_lab.capped_by == ("UP:N",)
    assert s_lab.value == 3.9 and s_lab.rating == "Low"
    assert s_gov.capped_by == ()

    # Setting the government's UP to N reproduces the lab's score and cap exactly.
    gov_as_lab = spec.score(gov.replace(UP="N"))
    assert (gov_as_lab.value, gov_as_lab.rating) == (s_lab.value, s_lab.rating)
    assert gov_as_lab.capped_by == ("UP:N",)

    # Any measured non-zero uplift lifts the lab's reading out of Low: UP alone carries the dispute.
    for up in ("L", "M", "H"):
        lifted = spec.score(lab.replace(UP=up))
        assert lifted.value is not None and lifted.value > s_lab.value, up
        assert lifted.rating == "Medium", up

    # And the recommended responses differ: Attend against Track under the default policy.
    assert spec.respond(gov).action.name == "Attend"
    assert spec.respond(lab).action.name == "Track"


def test_fable5_cjs_mapping_follows_the_same_split() -> None:
    """Under CJS as well, the lab's measured zero uplift is capability gain 0, CJS-0."""
    gov = spec.from_jss(spec.parse(BY_ID["fable5-government"]["vector"]))
    lab = spec.from_jss(spec.parse(BY_ID["fable5-lab"]["vector"]))
    assert lab.score is not None and lab.score.band == 0
    assert gov.score is not None and gov.score.band > lab.score.band


def test_narrow_low_fidelity_reference_never_reaches_suspend() -> None:
    for incident in INCIDENTS:
        v = spec.parse(incident["vector"])
        if v.get("UN") in ("N", "L") and v.get("FI") == "L":
            assert spec.respond(v).action.name != "Suspend", incident["id"]
