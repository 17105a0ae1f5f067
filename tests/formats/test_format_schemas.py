"""The committed JSON Schemas in docs/schema/ equal what scripts/write_schemas.py generates, and
documents jailscale writes validate against them."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest
import yaml

from jailscale import suites
from jailscale.formats import Submission, Transcript, Verdict

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = ROOT / ".." / "shared" / "data"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("write_schemas", ROOT / "scripts" / "write_schemas.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCRIPT = _script()
NAMES = ("suite", "submission", "assessment", "verdict", "transcript", "baselines", "plan", "conformance",
         "signed", "submission-lines")


def _validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads(SCRIPT.path_of(name).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _errors(name: str, doc: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator(name).iter_errors(doc)]


def test_every_format_has_a_schema() -> None:
    assert tuple(SCRIPT.MODELS) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_committed_schema_equals_the_generated_one(name: str) -> None:
    path = SCRIPT.path_of(name)
    assert path.is_file(), f"{path} is missing: run scripts/write_schemas.py"
    assert path.read_text(encoding="utf-8") == SCRIPT.render(name), (
        f"{path} is out of date with the pydantic model: run .venv/bin/python scripts/write_schemas.py")


@pytest.mark.parametrize("name", NAMES)
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    schema = json.loads(SCRIPT.path_of(name).read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"urn:jailscale:schema:{name}:1"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_the_practice_suite_file_validates() -> None:
    doc = yaml.safe_load(suites.practice_path().read_text(encoding="utf-8"))
    assert _errors("suite", doc) == []
    assert _errors("suite", suites.practice().model_dump(mode="json")) == []


def test_a_neutral_submission_transcript_and_verdict_validate() -> None:
    verdict = Verdict(judge="rules/refusal", label="refused")
    transcript = Transcript(behaviour="b1", condition="jailbreak", response="PLACEHOLDER", verdicts=[verdict])
    sub = Submission.model_validate({
        "id": "placeholder-1", "title": "PLACEHOLDER", "assessed_on": "2024-01-02",
        "technique": {"kind": "transforms", "name": "t", "transforms": ["base64"]},
        "target": {"model": "placeholder/model"}, "claimed_vector": "JSS:1.0/HD:S/UN:H/FI:M/RL:M/SB:A",
        "declared": {"AR": {"value": "A", "justification": "PLACEHOLDER"}},
        "evidence": [transcript.model_dump(mode="json")]})
    assert _errors("verdict", verdict.model_dump(mode="json")) == []
    assert _errors("transcript", transcript.model_dump(mode="json")) == []
    assert _errors("submission", sub.model_dump(mode="json")) == []
    assert _errors("submission", json.loads(sub.model_dump_json(exclude_none=True))) == []


def test_invalid_documents_fail() -> None:
    assert _errors("verdict", {"judge": "j", "label": "maybe"})
    assert _errors("transcript", {"behaviour": "b", "condition": "jailbreak", "extra": 1})
    assert _errors("suite", {"name": "s", "behaviours": []})


def test_an_assessment_validates() -> None:
    from assessment_factory import make_assessment

    assert _errors("assessment", make_assessment().model_dump(mode="json")) == []


@pytest.mark.shared
def test_an_imported_jailbreakbench_submission_validates() -> None:
    path = SHARED_DATA / "jailbreakbench-artifacts" / "attack-artifacts" / "PAIR" / "black_box"
    if not path.is_dir():
        pytest.skip(f"JailbreakBench artifacts not found at {path} (../shared/data beside the checkout)")
    from jailscale.importers import jailbreakbench

    sub = jailbreakbench.load(path / "vicuna-13b-v1.5.json").submissions[0]
    assert _errors("submission", json.loads(sub.model_dump_json())) == []


def test_a_json_lines_submission_validates_line_by_line() -> None:
    """The header line against submission-lines.schema.json, every further line against transcript."""
    from jailscale.formats.lines import LINES_FORMAT
    from jailscale.runner.demo import demo_inputs

    sub, _ = demo_inputs()
    head = {**sub.model_dump(mode="json", exclude={"evidence"}), "format": LINES_FORMAT}
    assert _errors("submission-lines", head) == []
    assert _errors("submission-lines", {**head, "format": "jailscale.submission/1"})
    assert _errors("submission-lines", {**head, "evidence": [sub.evidence[0].model_dump(mode="json")]})
    for t in sub.evidence[:20]:
        assert _errors("transcript", t.model_dump(mode="json")) == []
