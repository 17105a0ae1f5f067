"""SIGKILL at random points of ``assess`` (while judging, storing, rendering, writing reports), 24
trials: afterwards the output folder holds the complete previous result or the complete new one, the
user's own file in it is still there, and the store passes its integrity checks (SQLite's
``integrity_check``, and every stored assessment shows)."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bulk import bulk_submission
from hostile_cli import run_here

TRIALS = 24
N = 1500
SEED = 20261130


def _assess(sub: Path, out: Path, env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    with (cwd / "assess.stderr").open("ab") as err:
        return subprocess.Popen([sys.executable, "-m", "jailscale.cli.main", "assess", str(sub), "--out",
                                 str(out)], env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)


def _result_id(out: Path) -> str:
    """The id of the complete result in ``out``; fails when the three files do not belong together."""
    a = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    short = a["id"][7:19]
    md = (out / "report.md").read_text(encoding="utf-8")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert short in md and short in html, "report files from different runs"
    assert html.rstrip().endswith("</html>") and md.endswith("\n")
    return str(a["id"])


def _store_ok(home: Path, tmp: Path) -> int:
    db = home / "jailscale.sqlite3"
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        ids = [r[0] for r in con.execute("SELECT id FROM assessments")]
        n_links = {r[0]: r[1] for r in con.execute(
            "SELECT submission_key, count(*) FROM submission_evidence GROUP BY submission_key")}
        n_sub = {r[0]: r[1] for r in con.execute("SELECT key, evidence FROM submissions")}
    finally:
        con.close()
    assert n_links == n_sub  # every stored submission has all of its evidence, or is not there
    for aid in ids:
        r = run_here(["show", aid[7:19]], tmp, env={"JAILSCALE_HOME": str(home)})
        assert r.code == 0, r.stderr
    return len(ids)


def test_sigkill_at_random_points_leaves_a_complete_result(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    home = tmp_path / "home"
    env = {**os.environ, "JAILSCALE_HOME": str(home)}
    env.pop("JAILSCALE_DATABASE_URL", None)
    sub_a = bulk_submission(tmp_path / "a.json", N, "A")
    sub_b = bulk_submission(tmp_path / "b.json", N, "B")
    # the new result's id, and how long a whole run takes, from a run elsewhere
    probe_home = tmp_path / "probe-home"
    t0 = time.monotonic()
    p = _assess(sub_b, tmp_path / "probe-out", {**env, "JAILSCALE_HOME": str(probe_home)}, tmp_path)
    assert p.wait(timeout=900) == 0, (tmp_path / "assess.stderr").read_text()
    whole = time.monotonic() - t0
    id_b = _result_id(tmp_path / "probe-out")

    # the previous result A, stored, with a file of the user's in the folder: made once, copied per trial
    base_out, base_home = tmp_path / "base-out", tmp_path / "base-home"
    first = _assess(sub_a, base_out, {**env, "JAILSCALE_HOME": str(base_home)}, tmp_path)
    assert first.wait(timeout=900) == 0
    id_a = _result_id(base_out)
    (base_out / "notes.txt").write_text("the user's own notes", encoding="utf-8")
    out = tmp_path / "out"
    outcomes = {"previous": 0, "new": 0}
    for trial in range(TRIALS):
        home_trial = tmp_path / f"home-{trial}"
        subprocess.run(["rm", "-rf", str(out)], check=True)
        subprocess.run(["cp", "-a", str(base_out), str(out)], check=True)
        subprocess.run(["cp", "-a", str(base_home), str(home_trial)], check=True)
        env_t = {**env, "JAILSCALE_HOME": str(home_trial)}
        delay = rng.uniform(0.2, 1.1) * whole
        victim = _assess(sub_b, out, env_t, tmp_path)
        time.sleep(delay)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=60)
        got = _result_id(out)
        assert got in (id_a, id_b), (trial, delay)
        outcomes["previous" if got == id_a else "new"] += 1
        assert (out / "notes.txt").read_text(encoding="utf-8") == "the user's own notes"
        stored = _store_ok(home_trial, tmp_path)
        assert stored in (1, 2)
        if got == id_b:
            assert stored == 2  # a new result on disk was stored first
        subprocess.run(["rm", "-rf", str(home_trial)], check=True)
    # the random points covered both sides of the swap
    assert outcomes["previous"] > 0 and outcomes["new"] > 0, outcomes
    print(f"\n  crash test: {TRIALS} SIGKILLs over 0.2-1.1 x {whole:.1f} s: {outcomes}")
