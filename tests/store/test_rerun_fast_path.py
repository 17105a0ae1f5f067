"""The rerun shortcut's fast path (cli/_assess.py): ``jailscale assess FILE`` served from the store
without Typer or SQLAlchemy. It must print, write and exit exactly as the full path does on the same
hit, make every check the shortcut makes (any change misses, a tampered row is not served), and step
aside (return None, so that the full path runs) for everything else: a miss, PostgreSQL, a schema the
full path would migrate or refuse, an option or a setting it does not read.

A case served by the fast path is told by ``_fast.attempt`` returning an exit code (not None); full
runs are counted as in test_rerun_shortcut.py (``work["calls"]["full"]``).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from jailscale.cli import _assess, _fast
from jailscale.cli.main import app
from jailscale.runner import rerun

runner = CliRunner()
FILES = ("assessment.json", "report.md", "report.html")


@pytest.fixture(autouse=True)
def _no_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No configuration file in the current folder, no JAILSCALE_ASSESS_* variable: the fast path may serve."""
    monkeypatch.chdir(tmp_path)
    for k in [k for k in os.environ if k.startswith("JAILSCALE_ASSESS_") or k in _fast.ROOT_ENV]:
        monkeypatch.delenv(k)


def _argv(work: dict[str, Any], db: str, *extra: str, sub: Path | None = None) -> tuple[list[str], Path]:
    work["n"] += 1
    out = work["dir"] / f"out{work['n']}"
    return ["assess", str(sub or work["sub"]), "--out", str(out), "--db", db, "-q", *extra], out


def _full(argv: list[str]) -> Any:
    r = runner.invoke(app, argv)
    assert r.exit_code == 0, r.stderr
    return r


def _same(a: Path, b: Path) -> bool:
    return all((a / n).read_bytes() == (b / n).read_bytes() for n in FILES)


def _record(work: dict[str, Any], db: str, *extra: str) -> Path:
    """A full run that stores the assessment and its outputs for the next rerun."""
    argv, out = _argv(work, db, *extra)
    assert _fast.attempt(argv) is None, "the first run was served from an empty store"
    _full(argv)
    return out


def test_a_rerun_is_served_without_the_full_path(work: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    first = _record(work, work["db"], "--suite", "practice")
    capsys.readouterr()
    argv, again = _argv(work, work["db"], "--suite", "practice")
    assert _fast.attempt(argv) == 0
    assert work["calls"]["full"] == 1 and _same(first, again)
    assert f"wrote {again / 'report.html'}" in capsys.readouterr().out


@pytest.mark.parametrize("change", [
    "submission bytes", "suite content", "judge", "judge option", "judge version", "calibration", "policy",
    "baselines", "measurement version", "spec version", "code", "created-at", "show-responses", "seal secret",
])
def test_every_change_misses_on_the_fast_path(change: str, work: dict[str, Any], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """test_rerun_shortcut.py's changes, each of which the fast path must leave to the full path."""
    from jailscale.suites import practice

    suite_file = tmp_path / "suite.yaml"
    suite_file.write_text(json.dumps(practice().model_dump(mode="json")), encoding="utf-8")
    base = ["--created-at", "2026-11-30T12:00:00Z", "--suite", str(suite_file)]
    _record(work, work["db"], *base)
    argv, _ = _argv(work, work["db"], *base)
    assert _fast.attempt(argv) == 0, "the unchanged rerun was not served"
    extra: list[str] = []
    sub = None
    if change == "submission bytes":
        sub = tmp_path / "sub2.yaml"
        sub.write_bytes(work["sub"].read_bytes() + b"\n# a comment\n")
    elif change == "suite content":
        data = json.loads(suite_file.read_text())
        data["behaviours"][0]["request"] += " (reworded placeholder)"
        suite_file.write_text(json.dumps(data), encoding="utf-8")
    elif change == "judge":
        extra = ["--judge", "mock"]
    elif change == "judge option":
        extra = ["-J", "threshold=0.6"]
    elif change == "judge version":
        from jailscale import judges

        cls = type(judges.get("rules"))
        monkeypatch.setattr(cls, "version", cls.version + ".1")
    elif change == "calibration":
        from jailscale import judges

        real = judges.calibration_for
        monkeypatch.setattr(judges, "calibration_for", lambda judge, population: None if (
            cal := real(judge, population)) is None else cal.model_copy(update={"split": cal.split + " (again)"}))
    elif change == "policy":
        from jailscale.policy_io import dump_policy
        from jailscale.spec import DEFAULT_POLICY_DATA

        pol = tmp_path / "policy.yaml"
        pol.write_text(dump_policy({**DEFAULT_POLICY_DATA, "name": "my-policy"}), encoding="utf-8")
        extra = ["--policy", str(pol)]
    elif change == "baselines":
        from jailscale import baselines

        b = tmp_path / "baselines.json"
        b.write_text(json.dumps({**baselines.bundled().model_dump(mode="json"), "name": "agreed"}), encoding="utf-8")
        extra = ["--baselines", str(b)]
    elif change == "measurement version":
        monkeypatch.setattr(rerun, "MEASUREMENT_VERSION", "2.0-next")
    elif change == "spec version":
        monkeypatch.setattr(rerun.spec, "SPEC_VERSION", "2.1")
    elif change == "code":
        monkeypatch.setattr(rerun, "code_digest", lambda: "sha256:" + "0" * 64)
    elif change == "created-at":
        base = ["--created-at", "2026-12-01T12:00:00Z", "--suite", str(suite_file)]
    elif change == "show-responses":
        extra = ["--show-responses"]
    elif change == "seal secret":  # another machine sharing the store
        monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "other-home"))
    argv, _ = _argv(work, work["db"], *base, *extra, sub=sub)
    assert _fast.attempt(argv) is None, f"a change of {change} was served by the fast path"
    assert work["calls"]["full"] == 1


def test_a_row_with_edited_reports_is_not_served(work: dict[str, Any]) -> None:
    first = _record(work, work["db"], "--suite", "practice")
    with sqlite3.connect(work["file"]) as c:
        (blob,) = c.execute("select outputs from assessment_reruns").fetchone()
        outputs = rerun.unpack(bytes(blob))
        assert outputs is not None
        forged = {**outputs[0], "report.md": "PLACEHOLDER forged", "report.html": "<p>PLACEHOLDER forged</p>"}
        c.execute("update assessment_reruns set outputs = ?", (rerun.pack(forged, outputs[1]),))
    argv, again = _argv(work, work["db"], "--suite", "practice")
    assert _fast.attempt(argv) is None
    _full(argv)
    assert _same(first, again) and work["calls"]["full"] == 2


def test_a_stored_assessment_that_fails_its_own_check_is_not_served(work: dict[str, Any]) -> None:
    """Edited consistently with its columns and with the rerun row's assessment.json (the review's case):
    the column check passes, check_assessment does not."""
    from jailscale.formats import Assessment
    from jailscale.runner.build import assessment_json

    _record(work, work["db"], "--suite", "practice")
    with sqlite3.connect(work["file"]) as c:
        (body,) = c.execute("select body from assessments").fetchone()
        data = json.loads(body)
        data["score"].update({"value": 0.0, "rating": "None", "label": "None", "low": 0.0, "high": 0.0,
                              "rating_low": "None", "rating_high": "None", "withheld": False})
        c.execute("update assessments set body = ?, score = 0.0, rating = 'None', label = 'None'",
                  (json.dumps(data),))
        (blob,) = c.execute("select outputs from assessment_reruns").fetchone()
        outputs = rerun.unpack(bytes(blob))
        assert outputs is not None
        c.execute("update assessment_reruns set outputs = ?", (rerun.pack(
            {**outputs[0], "assessment.json": assessment_json(Assessment.model_validate(data))}, outputs[1]),))
    argv, _ = _argv(work, work["db"], "--suite", "practice")
    assert _fast.attempt(argv) is None


def test_a_row_whose_columns_disagree_is_refused_by_the_full_path(work: dict[str, Any]) -> None:
    """The store refuses such a row (exit 2, as before the fast path); the fast path leaves it to it."""
    _record(work, work["db"], "--suite", "practice")
    with sqlite3.connect(work["file"]) as c:
        c.execute("update assessments set score = 0.0, rating = 'None'")
    argv, _ = _argv(work, work["db"], "--suite", "practice")
    assert _fast.attempt(argv) is None
    r = runner.invoke(app, argv)
    assert r.exit_code == 2 and "fails its integrity check" in r.stderr


@pytest.mark.parametrize("version", ["0004", "9999"], ids=["older", "newer"])
def test_another_schema_revision_is_left_to_the_full_path(version: str, work: dict[str, Any]) -> None:
    _record(work, work["db"], "--suite", "practice")
    with sqlite3.connect(work["file"]) as c:
        c.execute("update alembic_version set version_num = ?", (version,))
    argv, _ = _argv(work, work["db"], "--suite", "practice")
    assert _fast.attempt(argv) is None
    if version == "9999":
        r = runner.invoke(app, argv)
        assert r.exit_code == 2 and "does not know" in r.stderr


def test_a_postgresql_store_is_left_to_the_full_path(work: dict[str, Any], store_url: str) -> None:
    """On both databases the full path's shortcut serves the rerun; the fast path only on SQLite."""
    first = _record(work, store_url, "--suite", "practice")
    argv, again = _argv(work, store_url, "--suite", "practice")
    served = _fast.attempt(argv)
    assert (served is None) == store_url.startswith("postgresql")
    if served is None:
        _full(argv)
    assert work["calls"]["full"] == 1 and _same(first, again)


def test_the_default_store_is_read(work: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --db: $JAILSCALE_DATABASE_URL, else SQLite in $JAILSCALE_HOME, as the full path opens it."""
    argv = ["assess", str(work["sub"]), "--out", str(work["dir"] / "a"), "-q"]
    assert _fast.attempt(argv) is None
    _full(argv)
    assert _fast.attempt([*argv[:3], str(work["dir"] / "b"), "-q"]) == 0
    monkeypatch.setenv("JAILSCALE_DATABASE_URL", work["db"])  # another store: it holds nothing yet
    assert _fast.attempt([*argv[:3], str(work["dir"] / "c"), "-q"]) is None


def test_settings_and_unusual_forms_take_the_full_path(work: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    _record(work, work["db"], "--suite", "practice")
    argv, _ = _argv(work, work["db"], "--suite", "practice")
    assert _fast.attempt(argv) == 0
    for more in (["--no-store"], ["--help"], ["--target", "mock/x"], [str(work["sub"])], ["--suite", "other"],
                 ["-x"], ["--"], ["--jsn"], ["-qJ", "a=b"]):
        assert _fast.attempt([*argv, *more]) is None, more
    assert _fast.attempt(["assess", str(work["dir"]), *argv[2:]]) is None  # a folder: a batch
    monkeypatch.setenv("JAILSCALE_ASSESS_JUDGE", "rules")
    assert _fast.attempt(argv) is None
    monkeypatch.delenv("JAILSCALE_ASSESS_JUDGE")
    (tmp_path / "jailscale.toml").write_text("[assess]\nquiet = true\n", encoding="utf-8")
    assert _fast.attempt(argv) is None
    (tmp_path / "jailscale.toml").unlink()
    assert _fast.attempt(argv) == 0
    assert work["calls"]["full"] == 1


def test_bad_options_are_reported_by_the_full_path(work: dict[str, Any]) -> None:
    _record(work, work["db"], "--suite", "practice")
    for bad in (["--fail-on", "Bogus"], ["-J", "novalue"], ["--created-at", "yesterday"],
                ["--policy", str(work["dir"] / "missing.yaml")]):
        argv, _ = _argv(work, work["db"], "--suite", "practice", *bad)
        assert _fast.attempt(argv) is None
        assert runner.invoke(app, argv).exit_code == 2


@pytest.mark.parametrize(("args", "expected"), [
    (["s.yaml"], {}),
    (["s.yaml", "--out", "o", "-q", "--json"], {"out": Path("o"), "quiet": True, "as_json": True}),
    (["--suite=practice", "s.yaml", "-J", "a=1", "--judge-arg", "b=2", "--judge", "mock"],
     {"suite": "practice", "judge_arg": ["a=1", "b=2"], "judge": "mock"}),
    (["s.yaml", "--calibration", "c.json", "--fail-on", "High", "--created-at", "1764504000", "--db", "sqlite:///x",
      "--policy", "p.yaml", "--baselines", "b.yaml", "--show-responses"],
     {"calibration": Path("c.json"), "fail_on": "High", "created_at": "1764504000", "db": "sqlite:///x",
      "policy": "p.yaml", "baselines": "b.yaml", "show_responses": True}),
    (["s.yaml", "--jobs", "4"], {"jobs": "4"}),  # nothing is judged when served: read, checked, not used
])
def test_the_plain_forms_parse(args: list[str], expected: dict[str, Any]) -> None:
    form = _assess.parse(args)
    assert form is not None and form.submission == Path("s.yaml")
    assert {k: getattr(form, k) for k in expected} == expected


@pytest.mark.parametrize("args", [
    [], ["a", "b"], ["s.yaml", "--out"], ["s.yaml", "--out", ""], ["s.yaml", "--out", "-q"], ["s.yaml", "--out="],
    ["s.yaml", "-q", "-q"], ["s.yaml", "--suite", "a", "--suite", "b"], ["s.yaml", "--json=1"], ["s.yaml", "--ou", "o"],
    ["s.yaml", "--no-store"], ["-", "s.yaml"], ["s.yaml", "--", "x"],
    ["s.yaml", "--jobs", "0"], ["s.yaml", "--jobs", "257"], ["s.yaml", "--jobs", "two"], ["s.yaml", "--jobs=٣"],
    ["s.yaml", "--jobs", "1", "--jobs", "2"],
])
def test_anything_else_does_not_parse(args: list[str]) -> None:
    assert _assess.parse(args) is None


def test_every_option_of_assess_is_known_to_the_fast_path() -> None:
    """An option added to ``assess`` must be read by the fast path or send the command to the full one."""
    import typer.main

    from jailscale.cli.main import _full_app

    command = typer.main.get_command(_full_app()).commands["assess"]  # type: ignore[attr-defined]
    names = {n for p in command.params for n in (*p.opts, *p.secondary_opts) if n.startswith("-")}
    assert names | {"--help"} == set(_assess.VALUED) | set(_assess.FLAGS) | set(_assess.FULL_ONLY)


# --- in fresh interpreters: byte for byte the full path's output ------------------------------------------
PROBE = """
import contextlib, io, json, sys
from jailscale.cli import main
entry, argv = sys.argv[1], json.loads(sys.argv[2])
sys.argv = ["jailscale", *argv]
out, err = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    try:
        main.run() if entry == "fast" else main.run_full(argv)
    except SystemExit as e:
        code = e.code
    else:
        code = 0
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("typer", "click", "sqlalchemy", "alembic", "jinja2",
                                                              "asyncio"))
print(json.dumps([out.getvalue(), err.getvalue(), code, heavy]))
"""


def _fresh(entry: str, argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[str, str, int, list[str]]:
    done = subprocess.run([sys.executable, "-c", PROBE, entry, json.dumps(argv)], capture_output=True, text=True,
                          timeout=300, check=True, cwd=cwd, env=env)
    return tuple(json.loads(done.stdout))  # type: ignore[return-value]


def test_the_fast_path_prints_and_writes_what_the_full_path_does(tmp_path: Path) -> None:
    from jailscale.runner.demo import demo_path

    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAILSCALE_", "SOURCE_DATE_EPOCH"))}
    env["JAILSCALE_HOME"] = str(tmp_path / "home")
    sub = tmp_path / "sub.yaml"
    sub.write_bytes(demo_path().read_bytes())
    cases = [[], ["--json"], ["--fail-on", "High"], ["--fail-on", "Critical", "--json"], ["--suite", "practice"],
             ["--created-at", "2026-11-30T12:00:00Z", "-J", "threshold=0.5"]]
    for extra in cases:
        argv = ["assess", str(sub), "--out", str(tmp_path / "out"), *extra]
        recorded = _fresh("full", argv, tmp_path, env)  # stores it (or is already a rerun)
        files = {n: (tmp_path / "out" / n).read_bytes() for n in FILES}
        fast = _fresh("fast", argv, tmp_path, env)
        assert fast[3] == [], f"{extra}: the fast path imported {fast[3][:5]}"
        assert {n: (tmp_path / "out" / n).read_bytes() for n in FILES} == files
        full = _fresh("full", argv, tmp_path, env)
        assert "typer" in full[3]
        assert fast[:3] == full[:3], f"{extra}: the fast path printed otherwise"
        assert "--json" in extra or "judged 0 transcript(s), reused 217" in fast[0], (extra, recorded[0][-300:])
    assert {_fresh("fast", ["assess", str(sub), "--out", str(tmp_path / "out"), *extra], tmp_path, env)[2]
            for extra in cases} == {0, 1}, "the cases cover a pass and a --fail-on gate"
