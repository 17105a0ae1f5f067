"""The file formats reject bad input with errors that name the file and the field (neutral data)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jailscale.errors import UserError
from jailscale.formats import Submission, Suite, Transcript
from jailscale.formats.io import read_data, read_model, validate


def submission(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "placeholder-1", "title": "PLACEHOLDER jailbreak", "assessed_on": "2024-01-02",
        "technique": {"kind": "template", "name": "placeholder", "template": "PLACEHOLDER {request}"},
        "target": {"model": "placeholder/model"},
        "evidence": [{"behaviour": "b1", "condition": "baseline", "response": "PLACEHOLDER"},
                     {"behaviour": "b1", "condition": "jailbreak", "response": "PLACEHOLDER"}],
    }
    data.update(over)
    return data


def _invalid(data: dict[str, Any], model: type[Any] = Submission) -> str:
    with pytest.raises(UserError) as e:
        validate(model, data, "sub.yaml")
    message = str(e.value)
    assert message.startswith(f"sub.yaml: not a valid {model.__name__}: ")
    return message


def test_a_valid_submission() -> None:
    sub = validate(Submission, submission(), "sub.yaml")
    assert len(sub.evidence) == 2 and sub.content_hash.startswith("sha256:")
    assert sub.evidence_hashes() == [t.content_hash for t in sub.evidence]


def test_missing_and_malformed_fields_are_named() -> None:
    assert "target.model: Field required" in _invalid(submission(target={}))
    assert "assessed_on: " in _invalid(submission(assessed_on="not a date"))
    assert "evidence.0.condition: " in _invalid(submission(evidence=[{"behaviour": "b", "condition": "x"}]))
    assert "colour: Extra inputs are not permitted" in _invalid(submission(colour="blue"))
    assert "id: String should match pattern" in _invalid(submission(id="has spaces"))


def test_template_needs_a_request_slot() -> None:
    no_slot = {"kind": "template", "name": "t", "template": "PLACEHOLDER only"}
    message = _invalid(submission(technique=no_slot))
    assert "technique: " in message and "{request} slot" in message
    assert "'turns', one containing {request}" in _invalid(
        submission(technique={"kind": "multi_turn", "name": "t", "turns": ["PLACEHOLDER"]}))
    assert "unknown transform(s) rot47" in _invalid(
        submission(technique={"kind": "transforms", "name": "t", "transforms": ["base64", "rot47"]}))


def test_reference_transcripts_need_a_declared_reference() -> None:
    unnamed = [{"behaviour": "b1", "condition": "reference", "response": "PLACEHOLDER"}]
    assert "must name its alternative" in _invalid(submission(evidence=unnamed))
    undeclared = [{"behaviour": "b1", "condition": "reference", "reference": "alt",
                   "response": "PLACEHOLDER"}]
    assert "names reference 'alt', which is not among the declared references (none)" in _invalid(
        submission(evidence=undeclared))
    declared = [{"name": "alt", "kind": "open_weights", "version": "1", "date": "2024-01-01"}]
    assert validate(Submission, submission(evidence=undeclared, references=declared), "s").evidence


def test_duplicate_behaviour_condition_sample_is_rejected() -> None:
    twice = [{"behaviour": "b1", "condition": "jailbreak", "sample": 2, "response": "PLACEHOLDER"}] * 2
    assert "evidence[1] repeats behaviour 'b1', condition 'jailbreak', sample 2" in _invalid(
        submission(evidence=twice))
    other_sample = [twice[0], {**twice[0], "sample": 3}]
    assert len(validate(Submission, submission(evidence=other_sample), "s").evidence) == 2


def test_claimed_vector_is_checked_by_the_spec_parser() -> None:
    ok = validate(Submission, submission(claimed_vector="JSS:1.0/HD:S/UN:H/FI:M/RL:M/SB:A"), "s")
    assert ok.claimed_vector == "JSS:1.0/HD:S/UN:H/FI:M/RL:M/SB:A"
    assert "claimed_vector: " in _invalid(submission(claimed_vector="JSS:1.0/HD:Q/UN:H/FI:M/RL:M/SB:A"))
    assert "claimed_vector: " in _invalid(submission(claimed_vector="not a vector"))


def test_declared_metrics_are_limited_and_checked() -> None:
    assert "'HD' cannot be declared" in _invalid(
        submission(declared={"HD": {"value": "S", "justification": "PLACEHOLDER"}}))
    assert "declared AR value 'Z' is not one of" in _invalid(
        submission(declared={"AR": {"value": "Z", "justification": "PLACEHOLDER"}}))
    unjustified = {"AR": {"value": "A", "justification": ""}}
    assert "declared.AR.justification" in _invalid(submission(declared=unjustified))


def test_suite_duplicate_ids_and_tiers() -> None:
    b = {"id": "b1", "request": "PLACEHOLDER", "category": "placeholder", "tier": "L"}
    assert "duplicate behaviour ids: b1" in _invalid({"name": "s", "behaviours": [b, b]}, Suite)
    assert "behaviours.0.tier: " in _invalid({"name": "s", "behaviours": [{**b, "tier": "X"}]}, Suite)
    assert "behaviours: " in _invalid({"name": "s", "behaviours": []}, Suite)


def test_transcript_reference_rules() -> None:
    with pytest.raises(ValueError, match="only 'reference' transcripts name an alternative"):
        Transcript(behaviour="b", condition="jailbreak", reference="alt")


# formats.io: file-level errors name the file and say what is wrong.

def _io_error(path: Path) -> str:
    with pytest.raises(UserError) as e:
        read_data(path)
    assert str(path) in str(e.value)
    return str(e.value)


def test_truncated_json(tmp_path: Path) -> None:
    path = tmp_path / "sub.json"
    path.write_text(json.dumps(submission())[:-20], encoding="utf-8")
    message = _io_error(path)
    assert "is not valid JSON" in message and "truncated" in message


def test_wrong_encoding(tmp_path: Path) -> None:
    path = tmp_path / "sub.yaml"
    path.write_bytes("title: PLACEHOLDER caf\u00e9\n".encode("latin-1"))
    assert "is not UTF-8 text (byte 0xe9" in _io_error(path)


def test_empty_missing_directory_and_bad_yaml(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("  \n", encoding="utf-8")
    assert "is empty" in _io_error(empty)
    assert "does not exist" in _io_error(tmp_path / "missing.yaml")
    assert "is a directory" in _io_error(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [unclosed\n", encoding="utf-8")
    assert "is not valid YAML" in _io_error(bad)


def test_read_model_names_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "sub.json"
    path.write_text(json.dumps(submission(target={"model": ""})), encoding="utf-8")
    with pytest.raises(UserError, match=r"sub\.json: not a valid Submission: target\.model: "):
        read_model(Submission, path)


def test_transcript_hash_is_kept_and_forgotten_on_change() -> None:
    """The content hash is computed once (issue 8) but never stale: assigning a field or copying with
    an update gives the hash of the new content, and the cache is not part of equality."""
    from jailscale.formats import Transcript

    t = Transcript(behaviour="b", condition="jailbreak", response="PLACEHOLDER one")
    first = t.content_hash
    assert t.content_hash is first
    t.response = "PLACEHOLDER two"
    assert t.content_hash != first
    assert t.model_copy(update={"response": "PLACEHOLDER one"}).content_hash == first
    fresh = Transcript.model_validate(t.model_dump())
    assert fresh == t and fresh.content_hash == t.content_hash
    assert t.model_copy(update={"response": "PLACEHOLDER three"}) != t
