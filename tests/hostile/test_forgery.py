"""Forgery: an edited score, an edited vector, a re-hashed forgery, an edited database row: each is
detected by the integrity check, and ``show`` / ``compare`` refuse it with one line and exit 2."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from jailscale.cli.main import app
from jailscale.formats import Assessment
from jailscale.integrity import TamperedError, check_assessment, content_id, require_intact
from jailscale.runner.assess import assess
from jailscale.runner.demo import demo_inputs

runner = CliRunner()


@pytest.fixture(scope="module")
def genuine() -> Assessment:
    sub, suite = demo_inputs()
    return assess(sub, suite).assessment


def _edit(a: Assessment, rehash: bool = False, **paths: Any) -> Assessment:
    data = a.model_dump(mode="json")
    for path, value in paths.items():
        node = data
        keys = path.split("__")
        for k in keys[:-1]:
            node = node[int(k)] if isinstance(node, list) else node[k]
        node[keys[-1]] = value
    forged = Assessment.model_validate(data)
    if rehash:
        forged.id = content_id(forged)
    return forged


def _fields(a: Assessment) -> set[str]:
    return {p.field for p in check_assessment(a)}


def test_genuine_assessment_is_intact(genuine: Assessment) -> None:
    assert check_assessment(genuine) == []
    assert require_intact(genuine, "x") is genuine


def test_edited_score_is_detected(genuine: Assessment) -> None:
    forged = _edit(genuine, score__value=1.2, score__rating="Low")
    assert {"score.value", "score.rating", "id"} <= _fields(forged)


def test_rehashed_score_forgery_is_detected(genuine: Assessment) -> None:
    forged = _edit(genuine, rehash=True, score__value=1.2, score__rating="Low")
    fields = _fields(forged)
    assert "id" not in fields and {"score.value", "score.rating"} <= fields


def test_edited_vector_is_detected(genuine: Assessment) -> None:
    lowered = genuine.vector.replace("HD:C", "HD:L")
    assert lowered != genuine.vector
    fields = _fields(_edit(genuine, rehash=True, vector=lowered))
    assert "metrics.HD.value" in fields and "score.value" in fields


def test_edited_range_label_cjs_and_response_are_detected(genuine: Assessment) -> None:
    assert "score.low" in _fields(_edit(genuine, rehash=True, score__low=0.1))
    assert "score.label" in _fields(_edit(genuine, rehash=True, score__label="JSS-B"))
    assert "cjs.band" in _fields(_edit(genuine, rehash=True, cjs__band="CJS-1"))
    assert "response.action" in _fields(_edit(genuine, rehash=True, response__action="Monitor"))


def test_edited_metric_range_is_detected(genuine: Assessment) -> None:
    i = next(i for i, m in enumerate(genuine.metrics) if m.abbr == "HD")
    forged = _edit(genuine, rehash=True, **{f"metrics__{i}__low": "L"})
    assert "score.low" in _fields(forged)


def test_invalid_vector_and_unknown_spec_version_are_problems(genuine: Assessment) -> None:
    assert "vector" in _fields(_edit(genuine, vector="JSS:1.0/HD:Q"))
    assert "provenance.spec_version" in _fields(_edit(genuine, provenance__spec_version="9.9"))


def _write(path: Path, a: Assessment) -> str:
    path.write_text(a.model_dump_json(indent=2), encoding="utf-8")
    return str(path)


def test_show_and_compare_refuse_a_forged_file(genuine: Assessment, tmp_path: Path) -> None:
    good = _write(tmp_path / "good.json", genuine)
    bad = _write(tmp_path / "bad.json", _edit(genuine, score__value=1.2, score__rating="Low"))
    ok = runner.invoke(app, ["show", good])
    assert ok.exit_code == 0, ok.stderr
    for args in (["show", bad], ["show", bad, "--json"], ["compare", good, bad], ["compare", bad, good]):
        r = runner.invoke(app, args)
        assert r.exit_code == 2, args
        assert r.stdout == ""
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and "fails its integrity check" in lines[0] and "score.value" in lines[0]


def test_edited_database_row_and_body_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("JAILSCALE_DATABASE_URL", raising=False)
    r = runner.invoke(app, ["demo", "--out", str(tmp_path / "d")])
    assert r.exit_code == 0, r.stderr
    aid = json.loads((tmp_path / "d" / "assessment.json").read_text())["id"][7:19]
    assert runner.invoke(app, ["show", aid]).exit_code == 0
    db = sqlite3.connect(tmp_path / "home" / "jailscale.sqlite3")
    db.execute("UPDATE assessments SET score = 1.2, rating = 'Low'")
    db.commit()
    r = runner.invoke(app, ["show", aid])
    assert r.exit_code == 2 and "row.score" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    # the body edited to match the columns: the rescoring catches it
    (body,) = db.execute("SELECT body FROM assessments").fetchone()
    data = json.loads(body)
    data["score"]["value"], data["score"]["rating"] = 1.2, "Low"
    db.execute("UPDATE assessments SET body = ?", (json.dumps(data),))
    db.commit()
    r = runner.invoke(app, ["show", aid])
    assert r.exit_code == 2 and "score.value" in r.stderr and "row." not in r.stderr
    # a body that is not an assessment at all
    db.execute("UPDATE assessments SET body = ?", (json.dumps({"x": 1}),))
    db.commit()
    db.close()
    r = runner.invoke(app, ["show", aid])
    assert r.exit_code == 2 and "not a valid assessment" in r.stderr


def test_tampered_error_is_one_line_and_escapes_values(genuine: Assessment) -> None:
    forged = _edit(genuine, score__rating="Low\x1b]0;owned\x07\n")
    with pytest.raises(TamperedError) as e:
        require_intact(forged, "f.json")
    msg = str(e.value)
    assert "\x1b" not in msg and "\n" not in msg and "\\x1b" in msg


@pytest.mark.parametrize(("name", "field"), [("vector", "metrics.HD.value"), ("rehashed", "score.value")])
def test_show_refuses_an_edited_vector_and_a_rehashed_forgery(genuine: Assessment, tmp_path: Path,
                                                              name: str, field: str) -> None:
    if name == "vector":
        forged = _edit(genuine, vector=genuine.vector.replace("HD:C", "HD:L"))
    else:
        forged = _edit(genuine, rehash=True, score__value=1.2, score__rating="Low")
    bad = _write(tmp_path / f"{name}.json", forged)
    for args in (["show", bad], ["compare", bad, _write(tmp_path / "good.json", genuine)]):
        r = runner.invoke(app, args)
        assert r.exit_code == 2 and r.stdout == "", args
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and "fails its integrity check" in lines[0] and field in lines[0], lines


@pytest.mark.postgres
def test_edited_database_row_on_postgresql_is_refused(tmp_path: Path, pg_url: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import create_engine, text

    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("JAILSCALE_DATABASE_URL", pg_url)
    r = runner.invoke(app, ["demo", "--out", str(tmp_path / "d")])
    assert r.exit_code == 0, r.stderr
    aid = json.loads((tmp_path / "d" / "assessment.json").read_text())["id"][7:19]
    assert runner.invoke(app, ["show", aid]).exit_code == 0
    engine = create_engine(pg_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE assessments SET score = 1.2, rating = 'Low'"))
    finally:
        engine.dispose()
    for args in (["show", aid], ["compare", aid, str(tmp_path / "d" / "assessment.json")]):
        r = runner.invoke(app, args)
        lines = r.stderr.strip().splitlines()
        assert r.exit_code == 2 and len(lines) == 1 and "row.score" in lines[0], (args, r.stderr)
