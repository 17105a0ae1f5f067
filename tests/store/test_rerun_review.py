"""Outside review of the rerun shortcut (runner/rerun.py): attacks by the party being rated, through
the public CLI, on an SQLite store it can edit. Without the shortcut a stored row never reached
``assess``'s outputs (every run measured again); with it, a stored row is served, so what is served
must be what a fresh run would write, or the run must miss.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from jailscale.cli.main import app
from jailscale.runner import rerun

runner = CliRunner()
FILES = ("assessment.json", "report.md", "report.html")


def _assess(work: dict[str, Any], *extra: str) -> tuple[Path, Any]:
    work["n"] += 1
    out = work["dir"] / f"out{work['n']}"
    r = runner.invoke(app, ["assess", str(work["sub"]), "--out", str(out), "--db", work["db"], "-q", "--suite",
                            "practice", "--created-at", "2026-11-30T12:00:00Z", *extra])
    return out, r


def test_a_rerun_row_with_edited_reports_is_not_served(work: dict[str, Any]) -> None:
    """Only the stored assessment.json was checked against the stored assessment: a row whose
    report.md and report.html were rewritten (here: a lower rating in words) was served as is."""
    first, r = _assess(work)
    assert r.exit_code == 0, r.output
    with sqlite3.connect(work["file"]) as c:
        (blob,) = c.execute("select outputs from assessment_reruns").fetchone()
        outputs = rerun.unpack(bytes(blob))
        assert outputs is not None
        forged = {**outputs[0], "report.md": "PLACEHOLDER forged report: rated None",
                  "report.html": "<p>PLACEHOLDER forged report: rated None</p>"}
        c.execute("update assessment_reruns set outputs = ?", (rerun.pack(forged, outputs[1]),))  # the old seal
    again, r = _assess(work)
    assert r.exit_code == 0, r.output
    assert b"forged" not in (again / "report.md").read_bytes()
    assert b"forged" not in (again / "report.html").read_bytes()
    assert all((first / n).read_bytes() == (again / n).read_bytes() for n in FILES)


def test_a_stored_assessment_that_fails_its_own_check_is_not_served(work: dict[str, Any]) -> None:
    """An assessment row edited consistently with its columns (score, rating, label lowered; the
    rerun row's assessment.json rewritten to match) passes the store's column check but not
    ``check_assessment`` (the vector rescores to the true score): ``show`` refuses it, so a rerun
    must not serve it either."""
    first, r = _assess(work)
    assert r.exit_code == 0, r.output
    true = json.loads((first / "assessment.json").read_text(encoding="utf-8"))
    from jailscale.formats import Assessment
    from jailscale.runner.build import assessment_json

    with sqlite3.connect(work["file"]) as c:
        (body,) = c.execute("select body from assessments").fetchone()
        data = json.loads(body)
        data["score"].update({"value": 0.0, "rating": "None", "label": "None", "low": 0.0, "high": 0.0,
                              "rating_low": "None", "rating_high": "None", "withheld": False})
        forged = Assessment.model_validate(data)
        c.execute("update assessments set body = ?, score = 0.0, rating = 'None', label = 'None'",
                  (json.dumps(data),))
        (blob,) = c.execute("select outputs from assessment_reruns").fetchone()
        outputs = rerun.unpack(bytes(blob))
        assert outputs is not None
        c.execute("update assessment_reruns set outputs = ?",
                  (rerun.pack({**outputs[0], "assessment.json": assessment_json(forged)}, outputs[1]),))
    # show refuses the edited row
    shown = runner.invoke(app, ["show", true["id"][7:19], "--db", work["db"]])
    assert shown.exit_code != 0
    _, r = _assess(work, "--json")
    served = json.loads(r.stdout) if r.exit_code == 0 else None
    assert served is None or served["score"] == true["score"], "an edited stored assessment was served"


def test_edited_verdict_rows_do_not_lower_a_fresh_run(work: dict[str, Any]) -> None:
    """Not the rerun row: the verdict cache. Every stored 'complied' verdict rewritten to 'refused'
    (label, quality, body) and the same file assessed again with another created-at (so the rerun
    shortcut misses): the reused verdicts took the demo from 10.0 Critical to 0.0 None, top 0.0."""
    _, r = _assess(work, "--json")
    assert r.exit_code == 0, r.output
    before = json.loads(r.stdout)
    with sqlite3.connect(work["file"]) as c:
        c.execute("update verdicts set label = 'refused', quality = 0.0, body = json_set(json_set(body, '$.label', "
                  "'refused'), '$.quality', 0.0) where label = 'complied'")
    r = runner.invoke(app, ["assess", str(work["sub"]), "--out", str(work["dir"] / "later"), "--db", work["db"], "-q",
                            "--suite", "practice", "--created-at", "2026-12-01T12:00:00Z", "--json"])
    assert r.exit_code == 0, r.output
    after = json.loads(r.stdout)
    assert after["score"]["high"] >= before["score"]["high"], (before["score"], after["score"])


def test_the_same_bytes_beside_another_suite_file_are_not_served_the_first_result(work: dict[str, Any]) -> None:
    """Two submissions with the same bytes whose ``suite:`` names a file beside them: the suite each
    resolves to differs (one behaviour re-tiered), so the second must be measured, not served."""
    from jailscale.suites import practice

    text = work["sub"].read_text(encoding="utf-8").replace("\nsuite: practice\n", "\nsuite: suite.json\n")
    assert "suite: suite.json" in text
    suite = practice().model_dump(mode="json")
    results = []
    for name, tier in (("one", None), ("two", "L")):
        d = work["dir"] / name
        d.mkdir()
        (d / "sub.yaml").write_text(text, encoding="utf-8")
        data = json.loads(json.dumps(suite))
        if tier:
            for b in data["behaviours"]:
                b["tier"] = tier
        (d / "suite.json").write_text(json.dumps(data), encoding="utf-8")
        r = runner.invoke(app, ["assess", str(d / "sub.yaml"), "--out", str(d / "out"), "--db", work["db"], "-q",
                                "--created-at", "2026-11-30T12:00:00Z", "--json"])
        assert r.exit_code == 0, r.output
        results.append(json.loads(r.stdout))
    assert work["calls"]["full"] == 2, "the second file was served the first one's stored result"
    assert results[0]["vector"] != results[1]["vector"]
