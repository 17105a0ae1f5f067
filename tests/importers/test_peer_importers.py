"""The Inspect, garak and promptfoo importers: on the real files in ../shared/data/peer-outputs (read
in place), and on every quirk listed in its PROVENANCE.md, with small neutral files made here."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from jailscale import importers
from jailscale.errors import UserError
from jailscale.importers import ImportOptions, inspect
from jailscale.importers._common import file_name, label_for, safe_id

Opts = ImportOptions


def _eval(peer: Path) -> Path:
    return next((peer / "inspect").glob("*.eval"))


# --- Inspect ----------------------------------------------------------------------------------------

def test_inspect_eval_archive_reads_zstd_members_per_sample_and_epoch(peer_outputs: Path) -> None:
    r = importers.run("inspect", _eval(peer_outputs), Opts(complied_when={"refusal_rule": "C"}))
    (sub,) = r.submissions
    # 5 behaviours x {baseline, jailbreak} x 2 epochs, each sample file one transcript
    assert len(sub.evidence) == 20
    keys = {(t.behaviour, t.condition, t.sample) for t in sub.evidence}
    assert keys == {(f"b0{i}", c, e) for i in range(5) for c in ("baseline", "jailbreak") for e in (0, 1)}
    assert sub.target.model == "openai-api/stub/stub-complier"
    assert sub.technique.name == "placeholder-roleplay"  # from sample metadata
    assert str(sub.assessed_on) == "2026-11-30"
    suite = r.suites[sub.id]
    assert {b.tier for b in suite.behaviours} == {"L"}  # metadata.tier
    # the request is the baseline input, not the wrapped jailbreak prompt
    assert all(b.request.startswith("Placeholder behaviour") for b in suite.behaviours)
    t = sub.evidence[0]
    assert [v.judge for v in t.verdicts] == ["inspect/refusal_rule"]
    assert t.verdicts[0].label == "complied" and t.response and t.prompt[-1].role == "user"
    assert any("model_graded_qa not imported" in w for w in r.warnings)
    assert ":" not in file_name(sub.id)


def test_inspect_needs_the_sense_of_each_scorer(peer_outputs: Path) -> None:
    with pytest.raises(UserError, match=r"--complied-when model_graded_qa=C .*met the criterion"):
        importers.run("inspect", _eval(peer_outputs))
    with pytest.raises(UserError, match="no scorer named 'nope'; the log's scorers are model_graded_qa, refusal_rule"):
        importers.run("inspect", _eval(peer_outputs), Opts(complied_when={"nope": "C"}))


def test_inspect_sense_is_the_users(peer_outputs: Path) -> None:
    """The same C read as complied or as refused, as the user states."""
    a = importers.run("inspect", _eval(peer_outputs), Opts(complied_when={"refusal_rule": "C"}))
    b = importers.run("inspect", _eval(peer_outputs), Opts(complied_when={"refusal_rule": "I"}))
    assert {v.label for t in a.submissions[0].evidence for v in t.verdicts} == {"complied"}
    assert {v.label for t in b.submissions[0].evidence for v in t.verdicts} == {"refused"}


def test_label_for_reads_pairs_and_never_guesses() -> None:
    assert label_for("C", "C") == "complied" and label_for("I", "C") == "refused"
    assert label_for(1.0, "1") == "complied" and label_for(0, "1") == "refused"
    assert label_for(True, "false") == "refused" and label_for("P", "C") == "partial"
    assert label_for("N", "C") == "unscoreable" and label_for(0.5, "1") == "unscoreable"


def _json_log(samples: list[dict[str, Any]]) -> dict[str, Any]:
    return {"version": 2, "status": "success",
            "eval": {"task": "placeholder", "model": "mockllm/model", "created": "2026-01-02T03:04:05+00:00",
                     "packages": {"inspect_ai": "0.3.0"}, "scorers": [{"name": "s"}]},
            "samples": samples}


def _sample(sid: str, epoch: int = 1, score: str = "C", **meta: Any) -> dict[str, Any]:
    return {"id": sid, "epoch": epoch, "input": f"PLACEHOLDER request {sid}",
            "messages": [{"role": "user", "content": f"PLACEHOLDER request {sid}"},
                         {"role": "assistant", "content": "PLACEHOLDER answer"}],
            "output": {"completion": "PLACEHOLDER answer"}, "scores": {"s": {"value": score}}, "metadata": meta}


def test_inspect_json_log_gives_the_same_evidence_as_the_archive(peer_outputs: Path, tmp_path: Path) -> None:
    header, samples = inspect.read_eval_archive(_eval(peer_outputs))
    log = tmp_path / "log.json"
    log.write_text(json.dumps({**header, "samples": samples}), encoding="utf-8")
    o = Opts(complied_when={"refusal_rule": "C"})
    a, b = importers.run("inspect", _eval(peer_outputs), o), importers.run("inspect", log, o)
    assert a.submissions[0].evidence_hashes() == b.submissions[0].evidence_hashes()


def test_inspect_without_condition_is_jailbreak_only_and_says_so(tmp_path: Path) -> None:
    log = tmp_path / "log.json"
    log.write_text(json.dumps(_json_log([_sample("a"), _sample("a", epoch=2, score="I"), _sample("b")])))
    with pytest.raises(UserError, match="--tier"):
        importers.run("inspect", log, Opts(complied_when={"s": "C"}))
    r = importers.run("inspect", log, Opts(complied_when={"s": "C"}, tier="M"))
    ev = r.submissions[0].evidence
    assert {t.condition for t in ev} == {"jailbreak"}
    assert [(t.behaviour, t.sample, t.verdicts[0].label) for t in ev] == [
        ("a", 0, "complied"), ("a", 1, "refused"), ("b", 0, "complied")]
    assert any("no baseline transcripts" in w and "withheld" in w for w in r.warnings)


def test_inspect_errors_are_not_refusals_and_attachments_resolve(tmp_path: Path) -> None:
    bad = _sample("a", condition="jailbreak", tier="L")
    bad["error"] = {"message": "PLACEHOLDER timeout"}
    att = _sample("b", condition="jailbreak", tier="L")
    att["messages"][0]["content"] = "attachment://abc"
    att["attachments"] = {"abc": "PLACEHOLDER long request"}
    log = tmp_path / "log.json"
    log.write_text(json.dumps(_json_log([bad, att])))
    ev = importers.run("inspect", log, Opts(complied_when={"s": "C"})).submissions[0].evidence
    assert ev[0].response is None and "PLACEHOLDER timeout" in (ev[0].error or "")
    assert ev[1].prompt[0].content == "PLACEHOLDER long request"


def test_inspect_rejects_bad_condition_and_hostile_sizes(peer_outputs: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "log.json"
    log.write_text(json.dumps(_json_log([_sample("a", condition="control", tier="L")])))
    with pytest.raises(UserError, match=r"metadata\.condition 'control' is not one of baseline, jailbreak"):
        importers.run("inspect", log, Opts(complied_when={"s": "C"}))
    monkeypatch.setattr(inspect, "MAX_MEMBER_BYTES", 1000)
    with pytest.raises(UserError, match="over the limit of 1000"):
        importers.run("inspect", _eval(peer_outputs), Opts(complied_when={"refusal_rule": "C"}))
    junk = tmp_path / "x.eval"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(UserError, match=r"not an Inspect \.eval archive"):
        importers.run("inspect", junk, Opts(complied_when={"s": "C"}))


# --- garak ------------------------------------------------------------------------------------------

def test_garak_deduplicates_attempts_and_keeps_detectors_and_tags(peer_outputs: Path) -> None:
    report = peer_outputs / "garak" / "jss-sample.report.jsonl"
    rows = [json.loads(line) for line in report.read_text().splitlines() if line.strip()]
    attempts = [r for r in rows if r["entry_type"] == "attempt"]
    assert len(attempts) > len({a["uuid"] for a in attempts})  # the quirk is in the file
    r = importers.run("garak", report, Opts(tier="M"))
    by_id = {s.id: s for s in r.submissions}
    dan = by_id["garak.dan.Dan_11_0.openai.OpenAICompatible-stub-complier"]
    b64 = by_id["garak.encoding.InjectBase64.openai.OpenAICompatible-stub-complier"]
    # one transcript per output (2 generations) of each distinct attempt: 1 + 8 attempts
    assert len(dan.evidence) == 2 and len(b64.evidence) == 16
    assert {t.condition for t in dan.evidence} == {"jailbreak"}
    labels = {v.judge: v.label for v in dan.evidence[0].verdicts}
    assert labels == {"garak/dan.DAN": "refused", "garak/mitigation.MitigationBypass": "complied"}
    tags = r.suites[dan.id].behaviours[0].tags
    assert "owasp:llm01" in tags and "avid-effect:security:S0403" in tags and "garak:probe:dan.Dan_11_0" in tags
    assert r.suites[b64.id].behaviours[0].category in ("S005hate", "S008inject")
    assert sum("no baseline transcripts" in w for w in r.warnings) == 2
    assert any("merged by uuid" in w for w in r.warnings)


def test_garak_needs_a_tier_and_takes_no_sense(peer_outputs: Path) -> None:
    report = peer_outputs / "garak" / "jss-sample.report.jsonl"
    with pytest.raises(UserError, match="--tier"):
        importers.run("garak", report)
    with pytest.raises(UserError, match="does not apply to garak"):
        importers.run("garak", report, Opts(tier="L", complied_when={"x": "1"}))


def test_garak_attempt_never_scored_carries_no_verdict(tmp_path: Path) -> None:
    rows = [{"entry_type": "init", "garak_version": "0.0", "start_time": "2026-01-02T00:00:00"},
            {"entry_type": "start_run setup", "plugins.target_name": "m", "plugins.target_type": "t"},
            {"entry_type": "attempt", "uuid": "u1", "seq": 0, "status": 1, "probe_classname": "p.P",
             "prompt": {"turns": [{"role": "user", "content": {"text": "PLACEHOLDER"}}]},
             "outputs": [{"text": "PLACEHOLDER"}, None], "detector_results": {}}]
    f = tmp_path / "r.report.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows))
    r = importers.run("garak", f, Opts(tier="L"))
    ev = r.submissions[0].evidence
    assert [t.verdicts for t in ev] == [[], []] and ev[1].error and ev[1].response is None
    assert any("carry no detector results" in w for w in r.warnings)


# --- promptfoo --------------------------------------------------------------------------------------

def test_promptfoo_eval_pass_means_safe_and_condition_from_metadata(peer_outputs: Path) -> None:
    r = importers.run("promptfoo", peer_outputs / "promptfoo" / "results.json", Opts(tier="L"))
    subs = {s.target.model: s for s in r.submissions}
    assert set(subs) == {"stub-complier", "stub-refuser"}
    ref = subs["stub-refuser"]
    assert len(ref.evidence) == 10 and {t.condition for t in ref.evidence} == {"baseline", "jailbreak"}
    v = {x.judge: x.label for x in ref.evidence[0].verdicts}
    # is-refusal passed on the refuser (pass = safe = refused); the overall test failed (the rubric failed)
    assert v["promptfoo/rule_refusal"] == "refused" and v["promptfoo/judge_refusal"] == "complied"
    # promptfoo writes the grader's reason into `error` on an ordinary failed assertion: not an error
    assert all(t.error is None and t.response for t in ref.evidence)
    assert not any("no baseline" in w for w in r.warnings)


def test_promptfoo_sense_can_be_turned(peer_outputs: Path) -> None:
    r = importers.run("promptfoo", peer_outputs / "promptfoo" / "results.json",
                      Opts(complied_when={"rule_refusal": "pass"}, tier="L"))
    ref = next(s for s in r.submissions if s.target.model == "stub-refuser")
    assert {x.judge: x.label for x in ref.evidence[0].verdicts}["promptfoo/rule_refusal"] == "complied"
    with pytest.raises(UserError, match="say pass or fail"):
        importers.run("promptfoo", peer_outputs / "promptfoo" / "results.json",
                      Opts(complied_when={"x": "C"}, tier="L"))


def test_promptfoo_redteam_pairs_strategies_with_plain_tests(peer_outputs: Path) -> None:
    rt = peer_outputs / "promptfoo"
    r = importers.run("promptfoo", rt / "rt-results.json", Opts(tier="M", redteam_config=rt / "redteam.yaml"))
    subs = {s.technique.name: s for s in r.submissions}
    assert set(subs) == {"base64", "rot13"}
    for s in subs.values():
        base = {t.behaviour for t in s.evidence if t.condition == "baseline"}
        jb = {t.behaviour for t in s.evidence if t.condition == "jailbreak"}
        assert base == jb and len(base) == 3  # each strategy variant paired with its plain test
        # one judge name for both conditions ("ExcessiveAgency/Base64" loses its strategy suffix)
        assert {v.judge for t in s.evidence for v in t.verdicts} == {"promptfoo/ExcessiveAgency", "promptfoo/pass"}
    prompts = [t.prompt[0].content for t in subs["base64"].evidence if t.condition == "jailbreak"]
    assert all(p != "[REDACTED]" and p.startswith("UGxlYXNl") for p in prompts)  # recovered from the YAML
    assert any("all were recovered" in w for w in r.warnings)


def test_promptfoo_redacted_without_config_is_kept_without_prompt_and_said(peer_outputs: Path) -> None:
    r = importers.run("promptfoo", peer_outputs / "promptfoo" / "rt-results.json", Opts(tier="M"))
    b64 = next(s for s in r.submissions if s.technique.name == "base64")
    assert all(t.prompt == [] for t in b64.evidence if t.condition == "jailbreak")
    assert any("--redteam-config" in w for w in r.warnings)


def test_promptfoo_errored_row_is_an_error_not_a_refusal(peer_outputs: Path, tmp_path: Path) -> None:
    data = json.loads((peer_outputs / "promptfoo" / "results.json").read_text())
    row = copy.deepcopy(data["results"]["results"][2])
    row.update(failureReason=2, error="PLACEHOLDER provider error", response={"error": "PLACEHOLDER"})
    data["results"]["results"] = [data["results"]["results"][0], row]
    f = tmp_path / "results.json"
    f.write_text(json.dumps(data))
    (sub,) = importers.run("promptfoo", f, Opts(tier="L")).submissions
    jb = next(t for t in sub.evidence if t.condition == "jailbreak")
    assert jb.response is None and "error" in (jb.error or "")


def test_promptfoo_only_baseline_rows_says_nothing_to_assess(peer_outputs: Path, tmp_path: Path) -> None:
    data = json.loads((peer_outputs / "promptfoo" / "results.json").read_text())
    data["results"]["results"] = [r for r in data["results"]["results"]
                                  if r["testCase"]["metadata"]["condition"] == "baseline"]
    f = tmp_path / "results.json"
    f.write_text(json.dumps(data))
    with pytest.raises(UserError, match="no jailbreak rows"):
        importers.run("promptfoo", f, Opts(tier="L"))


# --- all --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("wrong", "rel", "right"), [
    ("garak", "promptfoo/results.json", "promptfoo"),
    ("promptfoo", "garak/jss-sample.report.jsonl", "garak"),
    ("inspect", "garak/jss-sample.report.jsonl", "garak"),
    ("garak", "inspect/*.eval", "inspect"),
])
def test_a_file_of_another_kind_names_the_importer_that_fits(peer_outputs: Path, wrong: str, rel: str,
                                                             right: str) -> None:
    path = next(peer_outputs.glob(rel))
    article = {"inspect": "an Inspect", "garak": "a garak", "promptfoo": "a promptfoo"}
    with pytest.raises(UserError, match=f"is {article[right]} file, not {article[wrong]} file; import it with: "
                                        f"jailscale import {right}"):
        importers.run(wrong, path, Opts(tier="L"))


def test_a_tools_other_files_say_which_file_to_import(peer_outputs: Path) -> None:
    with pytest.raises(UserError, match=r"garak's AVID export .* import the report\.jsonl"):
        importers.run("garak", peer_outputs / "garak" / "jss-sample.avid.jsonl", Opts(tier="L"))
    with pytest.raises(UserError, match=r"promptfoo configuration, not its results: import the results\.json .* "
                                        r"--redteam-config"):
        importers.run("promptfoo", peer_outputs / "promptfoo" / "redteam.yaml", Opts(tier="L"))


def test_safe_ids_are_file_names_on_every_os() -> None:
    for raw in ("jailbreakbench:PAIR:black_box:vicuna", "a/b\\c:d*e?f\"g<h>i|j", "..", "x" * 500):
        s = safe_id(raw)
        assert s and len(s) <= 120 and not set(s) & set(':/\\*?"<>| ') and s.strip(".")
    assert safe_id("x" * 500) != safe_id("x" * 499)
    assert ":" not in file_name("jailbreakbench:PAIR:black_box:vicuna-13b-v1.5")
    assert file_name("nul") == "_nul" and file_name("COM1.x") == "_COM1.x" and file_name("console") == "console"


def test_hostile_text_is_kept_as_evidence_but_escaped_when_shown(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from jailscale.report import render_html, render_markdown
    from jailscale.report.summary import plain, summary_lines
    from jailscale.runner.assess import assess

    evil = "\x1b]0;pwned\x07<script>alert(1)</script>\u202e"
    log = _json_log([_sample("a", condition="jailbreak", tier="L"), _sample("a", condition="baseline", tier="L")])
    log["eval"]["model"] = "mock/" + evil
    log["eval"]["task"] = "task" + evil
    f = tmp_path / "log.json"
    f.write_text(json.dumps(log))
    r = importers.run("inspect", f, Opts(complied_when={"s": "C"}))
    sub = r.submissions[0]
    assert ":" not in sub.id and "\x1b" not in sub.id and "<" not in sub.id  # ids are made safe
    assert sub.target.model.endswith(evil)  # evidence is kept as recorded
    a = assess(sub, r.suites[sub.id]).assessment
    html = render_html(a, sub.evidence)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    md = render_markdown(a, sub.evidence)
    assert "<script>" not in md and "\x1b" not in md and "\u202e" not in md
    assert not any("\x1b" in line or "\u202e" in line for line in plain(summary_lines(a)))
    monkeypatch.setattr("jailscale.importers._common.MAX_TEXT", 10)
    with pytest.raises(UserError, match="over the limit of 10"):
        importers.run("inspect", f, Opts(complied_when={"s": "C"}))
