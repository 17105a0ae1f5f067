"""The JailbreakBench importer on the real artifacts in ../shared/data (counts as its PROVENANCE.md)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from jailscale import importers
from jailscale.formats import Submission
from jailscale.importers import jailbreakbench
from jailscale.suites import jbb

pytestmark = pytest.mark.shared

#: file -> (jailbroken=true, jailbroken_llama_guard1=true or None when absent, rows with a prompt),
#: the table in ../shared/data/jailbreakbench-artifacts/PROVENANCE.md.
TABLE: dict[str, tuple[int, int | None, int]] = {
    "PAIR/black_box/vicuna-13b-v1.5.json": (69, 82, 82),
    "PAIR/black_box/llama-2-7b-chat-hf.json": (0, 4, 4),
    "PAIR/black_box/gpt-3.5-turbo-1106.json": (71, 76, 87),
    "PAIR/black_box/gpt-4-0125-preview.json": (34, 50, 64),
    "GCG/white_box/vicuna-13b-v1.5.json": (80, 58, 100),
    "GCG/white_box/llama-2-7b-chat-hf.json": (3, 2, 100),
    "GCG/transfer/gpt-3.5-turbo-1106.json": (47, 34, 100),
    "GCG/transfer/gpt-4-0125-preview.json": (4, 1, 100),
    "JBC/manual/vicuna-13b-v1.5.json": (90, 79, 100),
    "JBC/manual/llama-2-7b-chat-hf.json": (0, 0, 100),
    "JBC/manual/gpt-3.5-turbo-1106.json": (0, 0, 100),
    "JBC/manual/gpt-4-0125-preview.json": (0, 0, 100),
    "prompt_with_random_search/black_box/vicuna-13b-v1.5.json": (89, 97, 100),
    "prompt_with_random_search/black_box/llama-2-7b-chat-hf.json": (90, 95, 100),
    "prompt_with_random_search/black_box/gpt-3.5-turbo-1106.json": (93, 99, 100),
    "prompt_with_random_search/black_box/gpt-4-0125-preview.json": (78, 88, 100),
    "DSN/white_box/vicuna-13b-v1.5.json": (95, None, 100),
    "DSN/white_box/llama-2-7b-chat-hf.json": (94, None, 100),
}


def _labels(sub: Submission, judge_prefix: str = "jailbreakbench/") -> Counter[str]:
    return Counter(v.label for t in sub.evidence for v in t.verdicts
                   if v.judge.startswith(judge_prefix) and v.judge != "jailbreakbench/llama-guard-1")


def _guard(sub: Submission) -> Counter[str]:
    guard = "jailbreakbench/llama-guard-1"
    return Counter(v.label for t in sub.evidence for v in t.verdicts if v.judge == guard)


def test_every_artifact_file_imports(artifacts: Path) -> None:
    files = sorted(p for p in artifacts.rglob("*.json") if p.name not in jailbreakbench.NOT_ARTIFACTS)
    assert len(files) == len(TABLE) + 3  # and the three test-artifact files
    for f in files:
        result = jailbreakbench.load(f)
        assert len(result.submissions) == 1, f
        sub = result.submissions[0]
        assert sub.evidence and all(t.condition == "jailbreak" and t.sample == 0 for t in sub.evidence)
        assert sub.technique.kind == "opaque"
        assert sub.target.model.startswith("jailbreakbench/")


@pytest.mark.parametrize("name", sorted(TABLE))
def test_counts_match_the_provenance_table(artifacts: Path, name: str) -> None:
    complied, guard, prompts = TABLE[name]
    sub = jailbreakbench.load(artifacts / name).submissions[0]
    labels = _labels(sub)
    assert labels["complied"] == complied
    assert sum(1 for t in sub.evidence if t.prompt) == prompts
    if name.startswith("PAIR/"):
        # PAIR's exhausted searches (null prompt, 90 queries, jailbroken: false) are failed attempts: the
        # denominator is 100, as the file's own attack_success_rate says (34/100 on gpt-4, not 34/64)
        assert labels["error"] == 0
        assert labels["refused"] == 100 - complied
        assert all(t.queries is not None and t.queries > 0 for t in sub.evidence)
    else:
        assert labels["error"] == 100 - prompts  # a missing attempt without a search record is an error
        assert labels["refused"] == prompts - complied
    if guard is None:
        assert not _guard(sub)
    else:
        assert _guard(sub)["complied"] == guard


@pytest.mark.parametrize(("model", "complied", "exhausted"), [
    ("gpt-4-0125-preview", 34, 36), ("gpt-3.5-turbo-1106", 71, 13), ("vicuna-13b-v1.5", 69, 18),
    ("llama-2-7b-chat-hf", 0, 96)])
def test_pair_exhausted_searches_are_failed_attempts_with_their_queries(
        artifacts: Path, model: str, complied: int, exhausted: int) -> None:
    path = artifacts / f"PAIR/black_box/{model}.json"
    sub = jailbreakbench.load(path).submissions[0]
    missing = [t for t in sub.evidence if not t.prompt]
    assert len(missing) == exhausted
    for t in missing:
        assert t.response is None and t.error is None and t.queries == 90
        assert {v.label for v in t.verdicts} == {"refused"}
        assert all("search exhausted" in v.rationale and "90 target queries" in v.rationale for v in t.verdicts)
    labels = _labels(sub)
    assert (labels["complied"], labels["refused"], sum(labels.values())) == (complied, 100 - complied, 100)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["parameters"]["attack_success_rate"] == complied / 100  # the file's own rate
    assert sum(t.queries or 0 for t in sub.evidence) == data["parameters"]["total_number_of_queries"]


def test_a_null_prompt_without_a_search_record_stays_an_error(artifacts: Path, tmp_path: Path) -> None:
    """Only jailbroken: false with queries spent is a failed search; otherwise a null prompt is missing
    evidence (an error, never a refusal)."""
    data = json.loads((artifacts / "PAIR/black_box/gpt-4-0125-preview.json").read_text(encoding="utf-8"))
    rows = [r for r in data["jailbreaks"] if r["prompt"] is None][:3]
    rows[0] = {**rows[0], "number_of_queries": None}
    rows[1] = {**rows[1], "jailbroken": None}
    rows[2] = {**rows[2], "number_of_queries": 0}
    path = tmp_path / "PAIR" / "black_box" / "gpt-4-0125-preview.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({**data, "jailbreaks": rows}), encoding="utf-8")
    sub = jailbreakbench.load(path).submissions[0]
    assert [t.error is not None for t in sub.evidence] == [True, True, True]
    assert "refused" not in {v.label for t in sub.evidence for v in t.verdicts
                             if v.judge != "jailbreakbench/llama-guard-1"}


def test_submission_fields(artifacts: Path) -> None:
    sub = jailbreakbench.load(artifacts / "GCG/white_box/vicuna-13b-v1.5.json").submissions[0]
    assert sub.id == "jailbreakbench:GCG:white_box:vicuna-13b-v1.5"
    assert str(sub.assessed_on) == "2024-03-18"
    assert sub.target.model == "jailbreakbench/vicuna-13b-v1.5" and sub.target.access == "weights"
    assert sub.declared["AR"].value == "W"
    assert sub.declared["AR"].justification == "white-box optimisation needs weights"
    assert sub.suite == "jbb-behaviors"
    assert sub.evidence[0].verdicts[0].judge == "jailbreakbench/litellm"
    transfer = jailbreakbench.load(artifacts / "GCG/transfer/gpt-4-0125-preview.json").submissions[0]
    assert transfer.declared["AR"].value == "A" and transfer.target.access == "api"
    jbc = jailbreakbench.load(artifacts / "JBC/manual/gpt-4-0125-preview.json").submissions[0]
    assert jbc.technique.kind == "opaque" and "AIM" in jbc.technique.description


def test_warnings_report_the_quirks(artifacts: Path) -> None:
    pair = jailbreakbench.load(artifacts / "PAIR/black_box/vicuna-13b-v1.5.json")
    text = "\n".join(pair.warnings)
    assert "no baseline transcripts: UN cannot be measured" in text
    assert "total_number_of_jailbreaks says 82 but 69" in text
    assert "18 of 100 row(s) are exhausted searches" in text and "have a null prompt" not in text
    dsn = jailbreakbench.load(artifacts / "DSN/white_box/vicuna-13b-v1.5.json")
    assert any("no jailbroken_llama_guard1 field" in w for w in dsn.warnings)
    rs = jailbreakbench.load(artifacts / "prompt_with_random_search/black_box/gpt-4-0125-preview.json")
    assert any("total_number_of_jailbreaks says 100 but 78" in w for w in rs.warnings)
    test = jailbreakbench.load(artifacts / "test-artifact/black_box/vicuna-13b-v1.5.json")
    assert any("1 row(s), not one per JBB behaviour" in w for w in test.warnings)
    assert any("number_of_submitted_prompts says 10 but 1" in w for w in test.warnings)
    renamed = jailbreakbench.load(artifacts / "GCG/transfer/gpt-4-0125-preview.json")
    assert any("'9_11 conspiracy' is named 'September 11th conspiracy'" in w for w in renamed.warnings)


def test_walking_the_whole_folder(artifacts: Path) -> None:
    result = importers.run("jailbreakbench", artifacts)
    ids = [s.id for s in result.submissions]
    assert len(ids) == len(set(ids)) == len(TABLE) + 3
    assert "jailbreakbench:test-artifact:black_box:vicuna-13b-v1.5" in ids
    assert sum("no baseline transcripts" in w for w in result.warnings) == len(ids)
    assert any("submission.json' skipped" in w for w in result.warnings)


def test_raw_submission_format_gives_the_same_evidence(artifacts: Path) -> None:
    raw = jailbreakbench.load(artifacts / "DSN" / "submission.json")
    assert [s.id for s in raw.submissions] == ["jailbreakbench:DSN:white_box:llama-2-7b-chat-hf",
                                               "jailbreakbench:DSN:white_box:vicuna-13b-v1.5"]
    assert any("no baseline transcripts" in w for w in raw.warnings)
    for sub in raw.submissions:
        model = sub.target.model.removeprefix("jailbreakbench/")
        per_model = jailbreakbench.load(artifacts / "DSN" / "white_box" / f"{model}.json").submissions[0]
        assert sub.id == per_model.id and str(sub.assessed_on) == "2024-10-14"
        pairs = [(t.behaviour, t.response, t.verdicts[0].label) for t in sub.evidence]
        assert pairs == [(t.behaviour, t.response, t.verdicts[0].label) for t in per_model.evidence]
        assert all(t.finished_at is not None for t in sub.evidence)  # from eval_logs
    assert [_labels(s)["complied"] for s in raw.submissions] == [94, 95]
    assert jailbreakbench.load(artifacts / "DSN" / "evaluation.json").submissions == raw.submissions


def test_behaviour_ids_match_the_jbb_suite(artifacts: Path, jbb_csv: Path) -> None:
    suite_ids = {b.id for b in jbb.load(jbb_csv).behaviours}
    assert len(suite_ids) == 100
    for sub in importers.run("jailbreakbench", artifacts).submissions:
        ids = {t.behaviour for t in sub.evidence}
        assert ids <= suite_ids, sub.id
        if len(sub.evidence) == 100:
            assert ids == suite_ids, sub.id
