"""End to end, from each peer tool's native file to a stored assessment: import on the command
line, assess the written submission with its recorded verdicts, find it in the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jailscale.cli.main import app
from jailscale.store import Store

runner = CliRunner()
PEERS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "peer-outputs"


@pytest.fixture
def peers() -> Path:
    if not PEERS.is_dir():
        pytest.skip(f"peer tool outputs not found at {PEERS} (../shared/data beside the checkout)")
    return PEERS.resolve()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("JAILSCALE_DATABASE_URL", raising=False)
    return tmp_path / "home"


CASES = {
    "inspect": (["inspect/*.eval", "--complied-when", "refusal_rule=C"], "stub-complier", "inspect/refusal_rule"),
    "garak": (["garak/jss-sample.report.jsonl", "--tier", "M"], "Dan_11_0", "garak/mitigation.MitigationBypass"),
    "promptfoo": (["promptfoo/rt-results.json", "--tier", "M", "--redteam-config", "promptfoo/redteam.yaml"],
                  "base64", "promptfoo/ExcessiveAgency"),
}


@pytest.mark.parametrize("tool", sorted(CASES))
def test_native_file_to_stored_assessment(tool: str, peers: Path, home: Path, tmp_path: Path) -> None:
    args, pick, judge = CASES[tool]
    args = [str(next(peers.glob(a))) if "/" in a else a for a in args]
    out = tmp_path / "imported"
    r = runner.invoke(app, ["import", tool, *args, "--out", str(out), "--json"])
    assert r.exit_code == 0, r.stderr
    written = [Path(p) for p in json.loads(r.stdout)["written"]]
    assert written and all(":" not in p.name for p in written)
    sub = next(p for p in written if pick in p.name)
    assert (sub.parent / sub.name.replace(".json", ".suite.json")).is_file()
    r = runner.invoke(app, ["assess", str(sub), "--judge", "recorded", "-J", f"source={judge}",
                            "--out", str(tmp_path / "report"), "--json"])
    assert r.exit_code == 0, r.stderr
    a = json.loads(r.stdout)
    assert a["provenance"]["evidence"] > 0 and a["counts"]
    with Store.open() as store:
        assert [row.id for row in store.list_assessments()] == [a["id"]]
    if tool == "garak":  # no baseline: the score is withheld with a range, never lowered
        assert a["score"]["withheld"] is True and "UN" in a["score"]["missing"]
        assert a["score"]["low"] <= a["score"]["high"]


def test_import_of_a_file_of_another_kind_is_one_line(peers: Path, tmp_path: Path) -> None:
    r = runner.invoke(app, ["import", "garak", str(peers / "promptfoo" / "results.json"), "--out", str(tmp_path)])
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1 and "jailscale import promptfoo" in r.stderr


def test_jailbreakbench_files_have_no_colons(tmp_path: Path) -> None:
    art = tmp_path / "PAIR" / "black_box" / "placeholder-model.json"
    art.parent.mkdir(parents=True)
    art.write_text(json.dumps({"parameters": {"method": "PAIR", "model": "placeholder-model",
                                              "attack_type": "black_box", "evaluation_date": "2024-01-02"},
                               "jailbreaks": [{"index": 1, "goal": "PLACEHOLDER", "behavior": "Defamation",
                                               "category": "Harassment/Discrimination", "prompt": "PLACEHOLDER",
                                               "response": "PLACEHOLDER", "jailbroken": False}]}))
    r = runner.invoke(app, ["import", "jailbreakbench", str(art), "--out", str(tmp_path / "o"), "--json"])
    assert r.exit_code == 0, r.stderr
    (name,) = [Path(p).name for p in json.loads(r.stdout)["written"]]
    assert name == "jailbreakbench-PAIR-black_box-placeholder-model.json"


def test_a_recorded_source_the_file_lacks_is_named_with_the_ones_it_has(peers: Path, home: Path,
                                                                       tmp_path: Path) -> None:
    """garak scores each probe with its own detectors: asking for another probe's detector judges
    nothing, and the assessment says so first, with the sources the file does carry."""
    r = runner.invoke(app, ["import", "garak", str(peers / "garak" / "jss-sample.report.jsonl"), "--tier", "M",
                            "--out", str(tmp_path / "imp")])
    assert r.exit_code == 0, r.stderr
    sub = next((tmp_path / "imp").glob("garak.encoding.InjectBase64*[!e].json"))
    r = runner.invoke(app, ["assess", str(sub), "--judge", "recorded", "-J", "source=garak/mitigation.MitigationBypass",
                            "--out", str(tmp_path / "out"), "--json"])
    assert r.exit_code == 0, r.stderr
    a = json.loads(r.stdout)
    assert a["counts"] == {"jailbreak_unscoreable": 16}
    first = a["warnings"][0]
    assert first.startswith("no transcript carries a recorded verdict from 'garak/mitigation.MitigationBypass'")
    assert "garak/encoding.DecodeMatch" in a["warnings"][0]
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "none of the 16 jailbreak attempts could be judged" in report
    r = runner.invoke(app, ["assess", str(sub), "--judge", "recorded", "-J", "source=garak/encoding.DecodeMatch",
                            "--out", str(tmp_path / "out2"), "--json"])
    a = json.loads(r.stdout)
    assert r.exit_code == 0 and not a["warnings"][0].startswith("no transcript carries")
    assert "jailbreak_unscoreable" not in a["counts"]
