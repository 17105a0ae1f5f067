"""The JailbreakBench importer on small neutral artifact files: quirks, errors and the registry."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from jailscale import importers
from jailscale.errors import UserError
from jailscale.importers import ImportResult, jailbreakbench

Write = Callable[..., Path]


def row(index: int, behavior: str, prompt: str | None = "PLACEHOLDER prompt",
        response: str | None = "PLACEHOLDER response", jailbroken: bool = False,
        **extra: Any) -> dict[str, Any]:
    return {"index": index, "goal": "PLACEHOLDER goal", "behavior": behavior, "category": "Privacy",
            "prompt": prompt, "response": response, "jailbroken": jailbroken, **extra}


def test_registry() -> None:
    assert importers.available() == ["garak", "inspect", "jailbreakbench", "promptfoo"]
    assert importers.get("jailbreakbench") is jailbreakbench.load
    with pytest.raises(UserError, match="unknown importer 'nope'; known importers: garak, inspect, jailbreakbench"):
        importers.get("nope")


def test_register_a_custom_importer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importers, "_IMPORTERS", dict(importers._IMPORTERS))

    def empty(path: Path) -> ImportResult:
        return ImportResult(warnings=[f"nothing in {path.name}"])

    importers.register("empty", empty)
    assert importers.run("empty", Path("x")).warnings == ["nothing in x"]
    with pytest.raises(ValueError, match="already registered"):
        importers.register("jailbreakbench", empty)


def test_labels_null_prompts_and_null_responses(write_artifact: Write) -> None:
    path = write_artifact([
        row(0, "Placeholder A", jailbroken=True, jailbroken_llama_guard1=True),
        row(1, "Placeholder B", jailbroken=False, jailbroken_llama_guard1=True),
        row(2, "Placeholder C", prompt=None, response=None, jailbroken=False, jailbroken_llama_guard1=False),
        row(3, "Placeholder D", response=None, jailbroken=False, jailbroken_llama_guard1=False),
    ], total_number_of_jailbreaks=3, attack_success_rate=0.5, number_of_submitted_prompts=4)
    result = jailbreakbench.load(path)
    (sub,) = result.submissions
    assert sub.id == "jailbreakbench:PAIR:black_box:placeholder-model"
    assert [t.behaviour for t in sub.evidence] == ["placeholder-a", "placeholder-b", "placeholder-c",
                                                   "placeholder-d"]
    assert [[v.label for v in t.verdicts] for t in sub.evidence] == [
        ["complied", "complied"], ["refused", "complied"], ["error", "error"], ["error", "error"]]
    assert [v.judge for v in sub.evidence[0].verdicts] == ["jailbreakbench/placeholder",
                                                           "jailbreakbench/llama-guard-1"]
    no_attempt, no_answer = sub.evidence[2], sub.evidence[3]
    assert no_attempt.prompt == [] and no_attempt.response is None
    assert "no attempt" in (no_attempt.error or "")
    assert no_answer.prompt and no_answer.response is None and "no answer" in (no_answer.error or "")
    text = "\n".join(result.warnings)
    for expected in ("no baseline transcripts", "4 row(s), not one per JBB behaviour",
                     "total_number_of_jailbreaks says 3 but 1",
                     "attack_success_rate says 0.5 but the rows give 1/4",
                     "number_of_submitted_prompts says 4 but 3", "1 of 4 row(s) have a null prompt",
                     "1 row(s) have a prompt but a null response"):
        assert expected in text, expected


def test_missing_verdict_fields(write_artifact: Write) -> None:
    r = row(0, "Placeholder A")
    del r["jailbroken"]
    result = jailbreakbench.load(write_artifact([r]))
    assert result.submissions[0].evidence[0].verdicts == []
    assert any("no jailbroken_llama_guard1 field" in w for w in result.warnings)
    assert any("no 'jailbroken' verdict" in w for w in result.warnings)


def test_declarations_follow_the_attack_type(write_artifact: Write) -> None:
    white = jailbreakbench.load(write_artifact([row(0, "P")], attack="GCG", attack_type="white_box"))
    assert {k: v.value for k, v in white.submissions[0].declared.items()} == {"AR": "W", "AC": "H"}
    rs = jailbreakbench.load(write_artifact([row(0, "P")], attack="adaptive_random_search"))
    assert rs.submissions[0].declared == {}


def test_file_outside_the_folder_layout_is_named_by_method(tmp_path: Path) -> None:
    path = tmp_path / "loose.json"
    path.write_text(json.dumps({"parameters": {"method": "PAIR", "model": "m", "attack_type": "black_box",
                                               "evaluation_date": "2024-01-02"},
                                "jailbreaks": [row(0, "P")]}), encoding="utf-8")
    sub = jailbreakbench.load(path).submissions[0]
    assert sub.id == "jailbreakbench:PAIR:black_box:m"
    assert sub.evidence[0].verdicts[0].judge == "jailbreakbench/recorded"


def _error(path: Path) -> str:
    with pytest.raises(UserError) as e:
        jailbreakbench.load(path)
    return str(e.value)


def test_errors_name_the_file(tmp_path: Path, write_artifact: Write) -> None:
    assert "does not exist" in _error(tmp_path / "missing.json")
    (tmp_path / "empty").mkdir()
    assert "holds no JailbreakBench artifact files" in _error(tmp_path / "empty")
    cut = tmp_path / "cut.json"
    cut.write_text('{"parameters": {"method": "PAIR"', encoding="utf-8")
    assert "truncated" in _error(cut) and str(cut) in _error(cut)
    other = tmp_path / "other.json"
    other.write_text('{"rows": []}', encoding="utf-8")
    assert "no 'parameters', 'jailbreaks'" in _error(other)
    nameless = write_artifact([{"index": 0, "prompt": "PLACEHOLDER"}])
    assert "jailbreaks[0]: a row needs a 'behavior' name" in _error(nameless)
    twice = write_artifact([row(0, "Same"), row(1, "same")], model="twice")
    message = _error(twice)
    assert str(twice) in message and "repeats behaviour 'same'" in message
    undated = write_artifact([row(0, "P")], model="undated", evaluation_date=None)
    assert "no evaluation_date" in _error(undated)
    info = tmp_path / "attack-info.json"
    info.write_text("{}", encoding="utf-8")
    assert "not evidence" in _error(info)


def test_raw_submission_format(tmp_path: Path) -> None:
    folder = tmp_path / "ATTACK"
    folder.mkdir()
    rows = [row(0, "Placeholder A", jailbroken=True), row(1, "Placeholder B", prompt=None, response=None)]
    summary = {"total_number_of_jailbreaks": 1, "attack_success_rate": 0.5, "number_of_submitted_prompts": 1}
    (folder / "submission.json").write_text(json.dumps({
        "summaries": {"m": {"model_summary": summary, "jailbreaks": rows}}, "test_logs": {},
        "eval_logs": {"m": {"Placeholder A": [[{"timestamp": "2024-01-02T03:04:05+00:00"}, []]]}}}),
        encoding="utf-8")
    (folder / "evaluation.json").write_text(json.dumps({
        "m": {"Placeholder A": {"prompt": "PLACEHOLDER prompt", "response": "PLACEHOLDER response",
                                "jailbroken": False},
              "Placeholder B": {"prompt": None, "response": None, "jailbroken": False}},
        "details": {"llm_provider": "placeholder", "evaluation_date": "2024-01-02"}}), encoding="utf-8")
    (folder / "attack-info.json").write_text(json.dumps({"models": {"m": ["black_box"]}}), encoding="utf-8")
    result = jailbreakbench.load(tmp_path)  # a walk finds the raw format when no artifact files exist
    (sub,) = result.submissions
    assert sub.id == "jailbreakbench:ATTACK:black_box:m"
    # evaluation.json is the verdict of record; the disagreement is reported
    assert [t.verdicts[0].label for t in sub.evidence] == ["refused", "error"]
    assert any("jailbroken differs between submission.json and evaluation.json" in w for w in result.warnings)
    assert sub.evidence[0].finished_at is not None and sub.evidence[1].finished_at is None
