"""The main job from the command line: assess, demo, list, show, compare, import; bad input leaves
the store unchanged and prints one line."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from jailscale.cli.main import app
from jailscale.formats import Submission
from jailscale.formats.io import read_model
from jailscale.runner.demo import demo_path
from jailscale.store import Store

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("JAILSCALE_DATABASE_URL", raising=False)
    return tmp_path / "home"


def _counts() -> dict[str, int]:
    with Store.open() as store:
        return store.counts()


def _demo_doc() -> dict[str, object]:
    return yaml.safe_load(demo_path().read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_demo_writes_reports_and_stores(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    r = runner.invoke(app, ["demo", "--out", str(out)])
    assert r.exit_code == 0, r.stderr
    assert "JSS-" in r.stdout and "response" in r.stdout
    a = json.loads((out / "assessment.json").read_text())
    assert a["vector"].startswith("JSS:2.0/")
    schema = json.loads((Path(__file__).resolve().parents[2] / "docs" / "schema" / "assessment.schema.json")
                        .read_text())
    jsonschema.validate(a, schema)  # the published schema accepts what assess writes
    html = (out / "report.html").read_text()
    assert "<html" in html and "PLACEHOLDER" not in html  # responses redacted by default
    assert _counts()["assessments"] == 1
    listed = runner.invoke(app, ["list"])
    assert a["id"][7:19] in listed.stdout
    listed_json = runner.invoke(app, ["list", "--json"])
    assert listed_json.exit_code == 0, listed_json.stderr
    rows = json.loads(listed_json.stdout)
    assert [r["id"] for r in rows] == [a["id"]] and rows[0]["created_at"].startswith(a["created_at"][:19])
    shown = runner.invoke(app, ["show", a["id"][7:19], "--json"])
    assert json.loads(shown.stdout)["id"] == a["id"]


def test_rerun_is_byte_identical_apart_from_timestamp(home: Path, tmp_path: Path) -> None:
    texts = []
    for name in ("one", "two"):
        r = runner.invoke(app, ["assess", str(demo_path()), "--suite", "practice", "--out",
                                str(tmp_path / name)])
        assert r.exit_code == 0, r.stderr
        lines = (tmp_path / name / "assessment.json").read_text().splitlines()
        texts.append([ln for ln in lines if '"created_at"' not in ln])
    assert texts[0] == texts[1]
    assert f"reused {len(read_model(Submission, demo_path()).evidence)} stored verdict" in r.stdout


@pytest.mark.parametrize("case", ["malformed", "truncated", "latin1", "unknown-behaviour", "empty",
                                  "duplicate-suite", "missing"])
def test_bad_input_is_one_line_exit_2_and_store_unchanged(case: str, home: Path, tmp_path: Path) -> None:
    runner.invoke(app, ["demo", "--out", str(tmp_path / "first")])
    before = _counts()
    doc = _demo_doc()
    sub = tmp_path / "sub.json"
    args = ["assess", str(sub), "--suite", "practice", "--out", str(tmp_path / "out")]
    if case == "malformed":
        doc["technique"] = {"kind": "template", "name": "x", "template": "no slot"}
        sub.write_text(json.dumps(doc, default=str))
        expect = "technique"
    elif case == "truncated":
        sub.write_text(json.dumps(doc, default=str)[:500])
        expect = "truncated"
    elif case == "latin1":
        sub = tmp_path / "sub.yaml"
        sub.write_bytes(yaml.safe_dump(doc).encode("utf-8") + "caf\xe9".encode("latin-1"))
        args[1] = str(sub)
        expect = "not UTF-8"
    elif case == "unknown-behaviour":
        doc["evidence"][0]["behaviour"] = "no-such-behaviour"  # type: ignore[index]
        sub.write_text(json.dumps(doc, default=str))
        expect = "no-such-behaviour"
    elif case == "empty":
        sub.write_text("   \n")
        expect = "empty"
    elif case == "duplicate-suite":
        sub.write_text(json.dumps(doc, default=str))
        suite = tmp_path / "suite.yaml"
        b = {"id": "same", "request": "PLACEHOLDER", "category": "x", "tier": "L"}
        suite.write_text(yaml.safe_dump({"name": "dup", "behaviours": [b, b]}))
        args[3] = str(suite)
        expect = "duplicate"
    else:
        sub = tmp_path / "absent.yaml"
        args[1] = str(sub)
        expect = "does not exist"
    r = runner.invoke(app, args)
    assert r.exit_code == 2, r.stdout
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1 and expect in err, err
    assert "Traceback" not in err
    assert _counts() == before
    assert not (tmp_path / "out").exists()


def test_compare_two_assessment_files(home: Path, tmp_path: Path) -> None:
    for name in ("a", "b"):
        runner.invoke(app, ["assess", str(demo_path()), "--suite", "practice", "--no-store", "--out",
                            str(tmp_path / name)])
    r = runner.invoke(app, ["compare", str(tmp_path / "a" / "assessment.json"),
                            str(tmp_path / "b" / "assessment.json"), "--json"])
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert not [m for m in data["metrics"] if m["differs"]]


def test_bad_judge_option_is_a_user_error(home: Path, tmp_path: Path) -> None:
    r = runner.invoke(app, ["assess", str(demo_path()), "--suite", "practice", "-J", "novalue", "--no-store"])
    assert r.exit_code == 2 and "KEY=VALUE" in r.stderr
    r = runner.invoke(app, ["assess", str(demo_path()), "--suite", "practice", "--judge", "nope", "--no-store"])
    assert r.exit_code == 2 and "nope" in r.stderr


SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data (public datasets) is not beside the checkout")
def test_import_jailbreakbench_then_assess_with_recorded_verdicts(home: Path, tmp_path: Path) -> None:
    art = SHARED / "jailbreakbench-artifacts" / "attack-artifacts" / "PAIR" / "black_box" / "vicuna-13b-v1.5.json"
    r = runner.invoke(app, ["import", "jailbreakbench", str(art), "--out", str(tmp_path / "imp"), "--json"])
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    assert len(out["written"]) == 1 and any("baseline" in w for w in out["warnings"])
    suite = f"jbb:{SHARED / 'jbb-behaviors' / 'harmful-behaviors.csv'}"
    sub = json.loads(Path(out["written"][0]).read_text())
    source = sub["evidence"][0]["verdicts"][0]["judge"]
    r = runner.invoke(app, ["assess", out["written"][0], "--suite", suite, "--judge", "recorded",
                            "-J", f"source={source}", "--out", str(tmp_path / "a"), "--json"])
    assert r.exit_code == 0, r.stderr
    a = json.loads(r.stdout)
    assert a["score"]["withheld"] and "UN" in a["score"]["missing"]
    assert a["counts"]["jailbreak_success"] == 69  # PROVENANCE: PAIR vicuna jailbroken=true 69


def test_demo_shows_the_judges_calibration_beside_the_rating(home: Path, tmp_path: Path) -> None:
    """Issue 9: the demo and the report show the judge's calibration (with its intervals) beside the
    rating, and say that the offline judge is a triage judge."""
    out = tmp_path / "demo"
    r = runner.invoke(app, ["demo", "--out", str(out)])
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    jss = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("JSS "))
    judge = lines[jss + 1]
    assert judge.lstrip().startswith("judge") and "rules 2 (triage judge)" in judge
    a = json.loads((out / "assessment.json").read_text())
    cal = a["provenance"]["judge"]["calibration_used"]
    se, sp = cal["sensitivity"], cal["specificity"]
    shown = (f"sensitivity {se['estimate']:.1%} [{se['low']:.1%}, {se['high']:.1%}], specificity "
             f"{sp['estimate']:.1%} [{sp['low']:.1%}, {sp['high']:.1%}]")
    assert shown in judge and cal["dataset"] in judge
    md = (out / "report.md").read_text()
    verdict = md.split("## Verdict", 1)[1].split("## ", 1)[0]
    from jailscale.textsafe import markdown

    assert "**JSS:**" in verdict and "triage judge" in verdict and markdown(shown) in verdict
    sure = next(ln for ln in md.splitlines() if ln.startswith("- **How sure we are:**"))
    assert a["score"]["rating"] in sure and "triage judge" in sure and f"catches {se['estimate']:.0%}" in sure
    html = (out / "report.html").read_text()
    assert "triage judge" in html and shown in html
