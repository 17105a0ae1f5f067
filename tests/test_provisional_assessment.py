"""A withheld score's recommended response, end to end: decided at the top of the consistent range,
naming the metrics to measure, carried in the assessment and re-checked by the integrity rescore."""

from __future__ import annotations

from jailscale import spec
from jailscale.formats import Assessment
from jailscale.integrity import check_assessment, content_id
from jailscale.runner.assess import assess
from jailscale.suites import practice
from script_loader import load_script

case = load_script("make_fable5_case")


def test_withheld_assessment_names_what_to_measure_and_passes_integrity() -> None:
    sub = case.submission("government")
    sub = sub.model_copy(update={"evidence": [t for t in sub.evidence if t.condition != "baseline"]})
    a = assess(sub, practice(), judge_name="rules").assessment
    assert a.provenance.spec_version == "2.0" and a.vector.startswith("JSS:2.0/")
    assert a.score.withheld and a.response.provisional
    assert a.response.measure and set(a.score.missing) <= set(a.response.measure)

    # the response is the one at the top of the consistent range the assessment states
    v = spec.parse(a.vector)
    ranges = {m.abbr: (m.low, m.high) for m in a.metrics if m.value is not None}
    top = spec.score_range(v, ranges)
    assert a.response.action == spec.respond(top.vector_high).action.name
    assert check_assessment(a) == []

    edited = a.model_copy(update={"response": a.response.model_copy(update={"measure": []})})
    assert any(p.field == "response.measure" for p in check_assessment(edited))


def test_a_file_written_without_the_field_keeps_its_id() -> None:
    """``response.measure`` is left out of the content id when unset, so a file written before the
    field existed (no key at all) recomputes to the id it was written with."""
    sub = case.submission("government")
    a = assess(sub, practice(), judge_name="rules").assessment
    old = a.model_copy(update={"response": a.response.model_copy(update={"measure": None})})
    data = old.model_dump(mode="json")
    del data["response"]["measure"]
    assert content_id(Assessment.model_validate(data)) == content_id(old)
    assert content_id(old) != content_id(a) or not a.response.measure
