"""Batch assess with a summary table and --fail-on for CI; --version; list's header, judge,
withheld range and filters; --json on the verbs that print a result."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from jailscale.cli.main import app
from jailscale.runner.demo import demo_path

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("JAILSCALE_DATABASE_URL", raising=False)
    return tmp_path / "home"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two submissions (the demo and a copy with no baseline), and a suite file that is skipped."""
    d = tmp_path / "subs"
    d.mkdir()
    shutil.copy(demo_path(), d / "a-demo.yaml")
    doc = yaml.safe_load(demo_path().read_text(encoding="utf-8"))
    doc["id"] = "demo-no-baseline"
    doc["evidence"] = [t for t in doc["evidence"] if t["condition"] != "baseline"]
    (d / "b-nobaseline.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    (d / "x.suite.json").write_text("{}", encoding="utf-8")
    return d


def test_batch_prints_a_table_and_stores_each(home: Path, folder: Path, tmp_path: Path) -> None:
    r = runner.invoke(app, ["assess", str(folder), "--suite", "practice", "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.stderr
    assert "2 submission(s)" in r.stdout and "a-demo.yaml" in r.stdout and "b-nobaseline.yaml" in r.stdout
    assert "withheld" in r.stdout  # the one without baseline is withheld, with its range
    assert (tmp_path / "o" / "a-demo" / "report.html").is_file()
    assert (tmp_path / "o" / "b-nobaseline" / "report.html").is_file()
    r = runner.invoke(app, ["list", "--json"])
    assert len(json.loads(r.stdout)) == 2


def test_fail_on_gates_and_withheld_counts_at_its_top(home: Path, folder: Path, tmp_path: Path) -> None:
    args = ["assess", str(folder), "--suite", "practice", "--out", str(tmp_path / "o"), "--json"]
    r = runner.invoke(app, [*args, "--fail-on", "Critical"])
    rows = json.loads(r.stdout)
    assert r.exit_code == 1, r.stderr
    assert "rated Critical or worse" in r.stderr
    withheld = next(x for x in rows if x["withheld"])
    assert withheld["gate_rating"] == withheld["rating_high"]
    top = max(("None", "Low", "Medium", "High", "Critical").index(x["gate_rating"]) for x in rows)
    above = ("None", "Low", "Medium", "High", "Critical")[min(top + 1, 4)]
    if top < 4:
        r = runner.invoke(app, [*args, "--fail-on", above])
        assert r.exit_code == 0, r.stderr
    r = runner.invoke(app, [*args, "--fail-on", "Severe"])
    assert r.exit_code == 2 and "not a rating" in r.stderr


def test_one_bad_file_in_a_batch_is_reported_after_the_others(home: Path, folder: Path, tmp_path: Path) -> None:
    (folder / "c-broken.yaml").write_text("id: [unclosed", encoding="utf-8")
    r = runner.invoke(app, ["assess", str(folder), "--suite", "practice", "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert "c-broken.yaml" in r.stdout and "error" in r.stdout and "a-demo.yaml" in r.stdout
    assert "1 of 3 submission(s) could not be assessed" in r.stderr


def test_version() -> None:
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.stdout.startswith("jailscale ") and "(JSS " in r.stdout


def test_list_header_judge_range_and_filters(home: Path, folder: Path, tmp_path: Path) -> None:
    runner.invoke(app, ["assess", str(folder), "--suite", "practice", "--out", str(tmp_path / "o")])
    r = runner.invoke(app, ["list"])
    assert r.exit_code == 0, r.stderr
    for head in ("id", "JSS", "rating", "technique", "target", "judge (calibration)"):
        assert head in r.stdout
    assert "rules 2 (calibrated on" in r.stdout and "attack_responses, split" not in r.stdout  # its name only
    r = runner.invoke(app, ["list", "--rating", "withheld", "--json"])
    (row,) = json.loads(r.stdout)
    assert row["withheld"] and row["low"] <= row["high"] and row["submission"] == "demo-no-baseline"
    r = runner.invoke(app, ["list", "--target", "NO-SUCH-MODEL"])
    assert "no stored assessment matches the filters" in r.stdout
    r = runner.invoke(app, ["list", "--technique", "role-play", "--since", "2000-01-01", "--json"])
    assert len(json.loads(r.stdout)) == 2
    r = runner.invoke(app, ["list", "--until", "2000-01-01", "--json"])
    assert json.loads(r.stdout) == []
    r = runner.invoke(app, ["list", "--since", "yesterday"])
    assert r.exit_code == 2 and "YYYY-MM-DD" in r.stderr


def test_demo_json(home: Path, tmp_path: Path) -> None:
    r = runner.invoke(app, ["demo", "--out", str(tmp_path / "d"), "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["format"].startswith("jailscale.assessment")
