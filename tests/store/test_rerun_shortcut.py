"""The rerun shortcut (runner/rerun.py, issue 8): a rerun into a store that holds this exact run writes
its stored outputs without reading, judging or measuring again, and never serves a stale result: any
change in what the run reads (the submission's bytes, the suite, the judge and its version, the
calibration, the policy, the baselines), in the code's measurement version, the spec, the code itself,
the creation-time rule or --show-responses misses, and the full run gives a fresh result.

A hit is told from a miss by counting calls of the full run (``jailscale.runner.assess.assess``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from jailscale.cli.main import app
from jailscale.runner import rerun
from jailscale.store import Store
from jailscale.store._seal import SEAL_FILE

runner = CliRunner()
FILES = ("assessment.json", "report.md", "report.html")


def _assess(work: dict[str, Any], db: str, *extra: str, sub: Path | None = None) -> tuple[Path, str]:
    work["n"] += 1
    out = work["dir"] / f"out{work['n']}"
    r = runner.invoke(app, ["assess", str(sub or work["sub"]), "--out", str(out), "--db", db, "-q", *extra])
    assert r.exit_code == 0, r.stderr
    return out, r.stdout


def _same(a: Path, b: Path) -> bool:
    return all((a / n).read_bytes() == (b / n).read_bytes() for n in FILES)


def test_a_rerun_of_the_same_run_is_served_from_the_store(work: dict[str, Any], store_url: str) -> None:
    first, printed = _assess(work, store_url, "--suite", "practice")
    again, printed_again = _assess(work, store_url, "--suite", "practice")
    assert work["calls"]["full"] == 1, "the rerun ran in full"
    assert _same(first, again)
    assert printed_again.replace(str(again), "OUT") == printed.replace(str(first), "OUT").replace(
        "judged 217 transcript(s), reused 0", "judged 0 transcript(s), reused 217")
    # the submission's own suite: field is another way of naming it: its first run is a full one,
    # its rerun a hit, with the same files
    third, _ = _assess(work, store_url)
    fourth, _ = _assess(work, store_url)
    assert work["calls"]["full"] == 2 and _same(first, third) and _same(first, fourth)
    # --json prints the stored assessment
    r = runner.invoke(app, ["assess", str(work["sub"]), "--out", str(work["dir"] / "j"), "--db", store_url,
                            "-q", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["id"] == json.loads((first / "assessment.json").read_text())["id"]
    assert work["calls"]["full"] == 2


def test_a_deleted_assessment_is_not_served(work: dict[str, Any], store_url: str) -> None:
    first, _ = _assess(work, store_url, "--suite", "practice")
    a_id = json.loads((first / "assessment.json").read_text())["id"]
    assert runner.invoke(app, ["delete", a_id[7:19], "--yes", "--db", store_url]).exit_code == 0
    with Store.open(store_url) as s:
        assert s.counts()["assessment_reruns"] == 0
    _assess(work, store_url, "--suite", "practice")
    assert work["calls"]["full"] == 2


def _patch_calibration(monkeypatch: pytest.MonkeyPatch) -> None:
    """The judge's calibration is re-measured (as a user's own under $JAILSCALE_HOME/calibrations would be)."""
    from jailscale import judges

    real = judges.calibration_for

    def other(judge: Any, population: str) -> Any:
        cal = real(judge, population)
        return None if cal is None else cal.model_copy(update={"split": cal.split + " (re-measured)"})

    monkeypatch.setattr(judges, "calibration_for", other)


def _patch_judge_version(monkeypatch: pytest.MonkeyPatch) -> None:
    from jailscale import judges

    cls = type(judges.get("rules"))
    monkeypatch.setattr(cls, "version", cls.version + ".1")


#: The options of the runs below, before the suite file's path.
BASE = ["--created-at", "2026-11-30T12:00:00Z", "--suite"]


def test_the_unchanged_run_hits(work: dict[str, Any], tmp_path: Path) -> None:
    """With the options of test_every_change_misses, nothing changed: the rerun is a hit (so a miss there
    is the change's doing)."""
    db = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    from jailscale.suites import practice

    suite_file = tmp_path / "suite.yaml"
    suite_file.write_text(json.dumps(practice().model_dump(mode="json")), encoding="utf-8")
    first, _ = _assess(work, db, *BASE, str(suite_file))
    again, _ = _assess(work, db, *BASE, str(suite_file))
    assert work["calls"]["full"] == 1 and _same(first, again)


@pytest.mark.parametrize("change", [
    "submission bytes", "suite content", "judge", "judge option", "judge version", "calibration", "policy",
    "baselines", "measurement version", "spec version", "code", "created-at", "show-responses",
])
def test_every_change_misses(change: str, work: dict[str, Any], tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    db = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    suite_file = tmp_path / "suite.yaml"
    from jailscale.suites import practice

    suite_file.write_text(json.dumps(practice().model_dump(mode="json")), encoding="utf-8")
    base = [*BASE, str(suite_file)]
    _assess(work, db, *base)
    assert work["calls"]["full"] == 1  # the unchanged rerun with these options hits: test_the_unchanged_run_hits
    extra: list[str] = []
    sub = work["sub"]
    if change == "submission bytes":  # the same submission, other bytes: a comment more
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
        _patch_judge_version(monkeypatch)
    elif change == "calibration":
        _patch_calibration(monkeypatch)
    elif change == "policy":
        from jailscale.policy_io import dump_policy
        from jailscale.spec import DEFAULT_POLICY_DATA

        pol = tmp_path / "policy.yaml"
        pol.write_text(dump_policy({**DEFAULT_POLICY_DATA, "name": "my-policy"}), encoding="utf-8")
        extra = ["--policy", str(pol)]
    elif change == "baselines":
        from jailscale import baselines

        b = tmp_path / "baselines.json"
        data = baselines.bundled().model_dump(mode="json")
        data["name"] = "agreed-baselines"
        b.write_text(json.dumps(data), encoding="utf-8")
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
    r = runner.invoke(app, ["assess", str(sub), "--out", str(tmp_path / "changed"), "--db", db, "-q", *base, *extra])
    assert r.exit_code == 0, r.stderr
    assert work["calls"]["full"] == 2, f"a change of {change} was served from the store"


def test_tampered_outputs_are_not_served(work: dict[str, Any], tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    first, _ = _assess(work, db, "--suite", "practice")
    import sqlite3

    with sqlite3.connect(tmp_path / "store.sqlite3") as c:
        c.execute("update assessment_reruns set outputs = ?",
                  (rerun.pack({"assessment.json": "{}", "report.md": "forged", "report.html": "forged"},
                              "hmac-sha256:" + "0" * 64),))
    again, _ = _assess(work, db, "--suite", "practice")
    assert work["calls"]["full"] == 2 and _same(first, again)
    assert b"forged" not in (again / "report.md").read_bytes()


def test_outputs_sealed_on_one_machine_are_not_served_on_another(work: dict[str, Any], tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The seal's secret is in the jailscale home folder, not in the database: another home (another
    machine sharing the store) cannot verify the row and runs in full; the secret is its owner's only."""
    db = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    first, _ = _assess(work, db, "--suite", "practice")
    secret = tmp_path / "home" / SEAL_FILE
    assert secret.stat().st_mode & 0o777 == 0o600 and len(secret.read_bytes()) == 32
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "other-home"))
    again, _ = _assess(work, db, "--suite", "practice")
    assert work["calls"]["full"] == 2 and _same(first, again)


def test_unpack_refuses_what_pack_did_not_write() -> None:
    good = {"assessment.json": "{}", "report.md": "m", "report.html": "h"}
    assert rerun.unpack(rerun.pack(good, "s")) == (good, "s")
    import zlib

    assert rerun.unpack(b"not zlib") is None
    assert rerun.unpack(zlib.compress(b'{"report.md": "m"}')) is None
    assert rerun.unpack(zlib.compress(b"\0" * (rerun.MAX_OUTPUTS_BYTES + 1))) is None  # a bomb stays bounded


def test_the_code_digest_follows_every_file(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "r.j2").write_text("{{ x }}\n")
    before = rerun.tree_digest(tmp_path)
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"cache")
    assert rerun.tree_digest(tmp_path) == before, "caches are not code"
    (tmp_path / "t" / "r.j2").write_text("{{ y }}\n")
    changed = rerun.tree_digest(tmp_path)
    assert changed != before
    (tmp_path / "b.yaml").write_text("k: v\n")
    assert rerun.tree_digest(tmp_path) != changed
