"""Reproducible output (issue 8): with the creation time fixed, assess writes byte-identical files
across reruns, stores and output folders; a rerun into a store that holds the assessment reports the
stored time in its files and on its printed line."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jailscale.cli.main import app
from jailscale.errors import UserError
from jailscale.runner.build import creation_time
from jailscale.runner.demo import demo_path

runner = CliRunner()
FILES = ("assessment.json", "report.md", "report.html")


@pytest.fixture(autouse=True)
def _no_db_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAILSCALE_DATABASE_URL", raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def _assess(monkeypatch: pytest.MonkeyPatch, home: Path, out: Path, *extra: str) -> str:
    monkeypatch.setenv("JAILSCALE_HOME", str(home))
    r = runner.invoke(app, ["assess", str(demo_path()), "--suite", "practice", "--out", str(out), *extra])
    assert r.exit_code == 0, r.stderr
    return r.stdout


def test_source_date_epoch_gives_byte_identical_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764504000")
    _assess(monkeypatch, tmp_path / "home-a", tmp_path / "a")
    _assess(monkeypatch, tmp_path / "home-b", tmp_path / "b", "--no-store")  # another store, none at all
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    a = json.loads((tmp_path / "a" / "assessment.json").read_text())
    assert datetime.fromisoformat(a["created_at"]) == datetime(2025, 11, 30, 12, 0, tzinfo=UTC)
    # the clock alone would not do it: an unfixed run differs in created_at
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    _assess(monkeypatch, tmp_path / "home-c", tmp_path / "c", "--no-store")
    assert (tmp_path / "c" / "assessment.json").read_bytes() != (tmp_path / "a" / "assessment.json").read_bytes()


def test_rerun_into_store_reports_the_stored_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    first = _assess(monkeypatch, home, tmp_path / "one", "--created-at", "2026-01-02T03:04:05Z")
    assert "created 2026-01-02T03:04:05+00:00" in first
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764504000")  # a later rerun asks for another time
    again = _assess(monkeypatch, home, tmp_path / "two")
    assert "created 2026-01-02T03:04:05+00:00" in again  # the printed line uses the stored time
    for name in FILES:  # and so do the files
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    listed = json.loads(runner.invoke(app, ["list", "--json"]).stdout)
    assert len(listed) == 1 and listed[0]["created_at"].startswith("2026-01-02T03:04:05")


def test_creation_time_rules() -> None:
    assert creation_time(None, {}) is None
    assert creation_time(None, {"SOURCE_DATE_EPOCH": "0"}) == datetime(1970, 1, 1, tzinfo=UTC)
    assert creation_time("2026-11-30T12:00:00.5+01:00", {"SOURCE_DATE_EPOCH": "0"}) == datetime(
        2026, 11, 30, 11, 0, tzinfo=UTC)  # the flag wins, in UTC, whole seconds
    assert creation_time("2026-11-30T12:00:00", {}) == datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    with pytest.raises(UserError, match="SOURCE_DATE_EPOCH '2026-11-30'"):
        creation_time(None, {"SOURCE_DATE_EPOCH": "2026-11-30"})
    with pytest.raises(UserError, match="--created-at 'yesterday'"):
        creation_time("yesterday", {})


def test_bad_created_at_is_a_one_line_user_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "home"))
    r = runner.invoke(app, ["assess", str(demo_path()), "--suite", "practice", "--out", str(tmp_path / "o"),
                            "--created-at", "soon\x1b[31m"])
    assert r.exit_code == 2 and "--created-at" in r.stderr and "\x1b" not in r.stderr
    assert not (tmp_path / "o").exists()
