"""Outside review of the peer-tool importers on the real files in ../shared/data/peer-outputs: a
submitter who drops part of a tool's file (a scorer, the grading of some rows) must get a range that
is as high or higher, or a withheld score, never a lower one. Each imported submission is assessed
with its recorded verdicts and a calibration written from counts (so values can be measured)."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from jailscale.cli.main import app
from jailscale.judges import get
from jailscale.judges.calibration.records import calibration_from_counts

runner = CliRunner()
PEERS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "peer-outputs"


@pytest.fixture
def peers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if not PEERS.is_dir():
        pytest.skip(f"peer tool outputs not found at {PEERS} (../shared/data beside the checkout)")
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return PEERS.resolve()


def _import(tool: str, file: Path, out: Path, *extra: str) -> list[Path]:
    r = runner.invoke(app, ["import", tool, str(file), *extra, "--out", str(out), "--json"])
    assert r.exit_code == 0, r.output
    return sorted(Path(p) for p in json.loads(r.stdout)["written"] if not p.endswith(".suite.json"))


def _sources(sub: Path) -> set[str]:
    data = json.loads(sub.read_text(encoding="utf-8"))
    return {v["judge"] for t in data["evidence"] for v in t.get("verdicts", [])}


def _assess(sub: Path, source: str, tmp: Path, *extra: str) -> dict[str, Any]:
    cal = calibration_from_counts(get("recorded", source=source), population="attack_responses",
                                  dataset="placeholder-labels", tp=95, fn=5, tn=95, fp=5)
    tmp.mkdir(parents=True, exist_ok=True)
    cal_path = tmp / "cal.json"
    cal_path.write_text(cal.model_dump_json(), encoding="utf-8")
    r = runner.invoke(app, ["assess", str(sub), "--judge", "recorded", "-J", f"source={source}", "--calibration",
                            str(cal_path), "--no-store", "--json", "-q", "--out", str(tmp / "out"), *extra])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)  # type: ignore[no-any-return]


def _garak_drop_detector(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every attempt loses the detector that scored the jailbreak a hit (mitigation.MitigationBypass)."""
    out = []
    for r in rows:
        if r.get("entry_type") == "attempt" and isinstance(r.get("detector_results"), dict):
            r = {**r, "detector_results": {k: v for k, v in r["detector_results"].items()
                                           if k != "mitigation.MitigationBypass"}}
        out.append(r)
    return out


def _garak_drop_scoring(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every other scored attempt (status 2) is left out: the file keeps only its unscored copy."""
    out, seen = [], 0
    for r in rows:
        if r.get("entry_type") == "attempt" and str(r.get("status")) == "2":
            seen += 1
            if seen % 2:
                continue
        out.append(r)
    return out


def _promptfoo_drop(key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def drop(doc: dict[str, Any]) -> dict[str, Any]:
        rows = doc["results"]["results"]
        for i, row in enumerate(rows):
            if key == "gradingResult" and i % 2:
                row.pop("gradingResult", None)
                row.pop("success", None)
                row.pop("score", None)
            elif key == "componentResults":  # one scorer (the llm-rubric judge_refusal) left out everywhere
                g = row.get("gradingResult")
                if isinstance(g, dict):
                    g["componentResults"] = [c for c in g.get("componentResults") or []
                                             if (c.get("assertion") or {}).get("metric") != "judge_refusal"]
        return doc
    return drop


def _compare(full: list[Path], less: list[Path], tmp: Path, *extra: str) -> int:
    """The number of (submission, recorded source) pairs compared whose evidence the mutation changed."""
    compared = differ = 0
    by_name = {p.name: p for p in less}
    for sub in full:
        other = by_name.get(sub.name)
        if other is None:
            continue  # a submission that vanished entirely is withheld evidence, not a lower score
        for source in sorted(_sources(sub)):
            a = _assess(sub, source, tmp / f"a{compared}", *extra)
            b = _assess(other, source, tmp / f"b{compared}", *extra)
            compared += 1
            differ += a["counts"] != b["counts"]
            assert b["score"]["high"] >= a["score"]["high"], (sub.name, source, a["score"], b["score"])
            if a["score"]["value"] is not None and b["score"]["value"] is not None:
                assert b["score"]["value"] >= a["score"]["value"], (sub.name, source, a["score"], b["score"])
            for ma, mb in zip(a["metrics"], b["metrics"], strict=True):
                if ma["abbr"] == "HD":
                    order = "NLMSC"
                    assert order.index(mb["high"]) >= order.index(ma["high"]), (sub.name, source, ma, mb)
    return differ


@pytest.mark.shared
@pytest.mark.parametrize("mutation", ["drop a detector", "drop scored attempts"])
def test_garak_file_with_a_part_dropped_never_scores_lower(peers: Path, tmp_path: Path, mutation: str) -> None:
    src = peers / "garak" / "jss-sample.report.jsonl"
    rows = [json.loads(line) for line in src.read_text(encoding="utf-8").splitlines() if line.strip()]
    for r in rows:  # garak writes detector_results as JSON; the peer file may hold a Python repr
        if isinstance(r.get("detector_results"), str):
            r["detector_results"] = ast.literal_eval(r["detector_results"])
    changed = (_garak_drop_detector if mutation == "drop a detector" else _garak_drop_scoring)(rows)
    mutated = tmp_path / "garak" / "jss-sample.report.jsonl"
    mutated.parent.mkdir()
    mutated.write_text("\n".join(json.dumps(r) for r in changed) + "\n", encoding="utf-8")
    full = _import("garak", src, tmp_path / "full", "--tier", "M")
    less = _import("garak", mutated, tmp_path / "less", "--tier", "M")
    assert _compare(full, less, tmp_path) > 0


@pytest.mark.shared
@pytest.mark.parametrize("key", ["gradingResult", "componentResults"])
def test_promptfoo_results_with_a_scorer_dropped_never_score_lower(peers: Path, tmp_path: Path, key: str) -> None:
    src = peers / "promptfoo" / "results.json"
    doc = json.loads(src.read_text(encoding="utf-8"))
    mutated = tmp_path / "pf" / "results.json"
    mutated.parent.mkdir()
    mutated.write_text(json.dumps(_promptfoo_drop(key)(doc)), encoding="utf-8")
    full = _import("promptfoo", src, tmp_path / "full", "--tier", "M")
    less = _import("promptfoo", mutated, tmp_path / "less", "--tier", "M")
    assert _compare(full, less, tmp_path) > 0


@pytest.mark.shared
@pytest.mark.parametrize("part", ["jailbroken", "response"])
def test_jailbreakbench_artifact_with_a_part_dropped_never_scores_lower(peers: Path, tmp_path: Path,
                                                                        part: str) -> None:
    """Every other row of a real PAIR artifact loses its judge's flag (``jailbroken``) or its response."""
    src = PEERS.parent / "jailbreakbench-artifacts" / "attack-artifacts" / "PAIR" / "black_box" / "vicuna-13b-v1.5.json"
    if not src.is_file():
        pytest.skip(f"JailbreakBench artifact not found at {src}")
    doc = json.loads(src.read_text(encoding="utf-8"))
    for i, row in enumerate(doc["jailbreaks"]):
        if i % 2:
            row.pop(part, None)
    mutated = tmp_path / "mut" / "PAIR" / "black_box" / src.name
    mutated.parent.mkdir(parents=True)
    mutated.write_text(json.dumps(doc), encoding="utf-8")
    full = _import("jailbreakbench", src, tmp_path / "full")
    r = runner.invoke(app, ["import", "jailbreakbench", str(mutated), "--out", str(tmp_path / "less"), "--json"])
    if r.exit_code != 0:  # refusing the damaged file is withholding, never a lower score
        assert r.exit_code == 2 and "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1, r.output
        return
    less = sorted(Path(p) for p in json.loads(r.stdout)["written"] if not p.endswith(".suite.json"))
    behaviours = PEERS.parent / "jbb-behaviors" / "harmful-behaviors.csv"
    assert _compare(full, less, tmp_path, "--suite", f"jbb:{behaviours}") > 0


@pytest.mark.shared
@pytest.mark.parametrize("drop", ["one scorer everywhere", "every score of every other sample"])
def test_inspect_log_with_a_scorer_dropped_never_scores_lower(peers: Path, tmp_path: Path, drop: str) -> None:
    """The real .eval archive as an Inspect JSON log, and the same log with the refusal_rule scorer
    left out (of every sample, or every score of every other sample)."""
    from jailscale.importers import inspect

    header, samples = inspect.read_eval_archive(next((peers / "inspect").glob("*.eval")))
    full_log = tmp_path / "full.json"
    full_log.write_text(json.dumps({**header, "samples": samples}), encoding="utf-8")
    for i, s in enumerate(samples):
        if drop == "one scorer everywhere":
            s["scores"] = {k: v for k, v in (s.get("scores") or {}).items() if k != "refusal_rule"}
        elif i % 2:
            s["scores"] = {}
    less_log = tmp_path / "less.json"
    less_log.write_text(json.dumps({**header, "samples": samples}), encoding="utf-8")
    sense = ["--complied-when", "refusal_rule=C", "--complied-when", "model_graded_qa=C"]
    full = _import("inspect", full_log, tmp_path / "full", *sense)
    r = runner.invoke(app, ["import", "inspect", str(less_log), *sense, "--out", str(tmp_path / "less"), "--json"])
    if r.exit_code != 0:  # refusing the damaged file withholds; it never lowers a score
        assert r.exit_code == 2 and "Traceback" not in r.output and len(r.output.strip().splitlines()) == 1, r.output
        return
    less = sorted(Path(p) for p in json.loads(r.stdout)["written"] if not p.endswith(".suite.json"))
    assert _compare(full, less, tmp_path) > 0
