"""SIGKILL during ``assess``: afterwards the output folder holds the complete previous result or the
complete new one, the user's own file in it is still there, the store passes its integrity checks
(SQLite's ``integrity_check`` and ``foreign_key_check``, every stored submission has all of its
evidence and reads back, every stored assessment reads back and passes ``show``'s integrity check),
and the next run finishes the job and leaves no temporaries.

Always on: a forked child (:mod:`forked`) kills itself just before each instrumented step of the store
write and the report write in turn (every insert batch, the commit, each result file, each fsync, the
hard link of the user's file, the swap, the removal of the old folder), halfway through each result
file, and at seeded random delays from the start of the store write (which land inside SQLite's own
code): which result is on disk is predicted exactly from where the kill fell.

Full form (``JAILSCALE_TEST_FULL=1``): fresh ``jailscale assess`` processes of 5,000 transcripts,
killed from outside at 30 seeded random times: over the whole run, within the store write, within the
report write.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from bulk import bulk_submission
from forked import Job, Kill, child_env, copy_tree, run_jobs

N = 120
TIMED = 8
SEED = 20261130
NOTES = "the user's own notes"
FULL_ENV = "JAILSCALE_TEST_FULL"
FULL_N = 5000
FULL_TRIALS = 30


def _result_id(out: Path) -> str:
    """The id of the complete result in ``out``; fails when the three files do not belong together."""
    a = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    short = a["id"][7:19]
    md = (out / "report.md").read_text(encoding="utf-8")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert short in md and short in html, "report files from different runs"
    assert html.rstrip().endswith("</html>") and md.endswith("\n")
    assert sorted(p.name for p in out.iterdir()) == ["assessment.json", "notes.txt", "report.html", "report.md"]
    assert (out / "notes.txt").read_text(encoding="utf-8") == NOTES
    return str(a["id"])


def _store_ok(home: Path) -> int:
    """The store's integrity checks; the number of stored assessments."""
    from jailscale.integrity import require_intact
    from jailscale.store import Store

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
    with Store.open(f"sqlite:///{db}") as store:  # what `show` reads, with its checks
        for aid in ids:
            require_intact(store.get_assessment(aid), aid)
        for key in n_sub:
            assert len(store.get_submission(key).evidence) == n_sub[key]
    return len(ids)


def _no_temporaries(parent: Path) -> None:
    left = [p.name for p in parent.iterdir() if p.name.startswith(".jailscale-")]
    assert left == [], left


def _job(sub: Path, place: Path, **kw: object) -> Job:
    env = child_env({"JAILSCALE_HOME": str(place / "home")})
    return Job(["assess", str(sub), "--quiet", "--out", str(place / "out")], place, env, **kw)  # type: ignore[arg-type]


def test_sigkill_at_every_step_of_store_and_report_writes(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    t_start = time.monotonic()
    sub_a = bulk_submission(tmp_path / "a.json", N, "A")
    sub_b = bulk_submission(tmp_path / "b.json", N, "B")
    # the previous result A, stored, with a file of the user's in the folder: copied for each trial
    base = tmp_path / "base"
    base.mkdir()
    (r,) = run_jobs([_job(sub_a, base)])
    assert r.code == 0, r.stderr
    id_a = _result_id_first(base / "out")

    # a probe: B over a copy of A, tracing the steps it meets from the start of the store write
    probe = tmp_path / "probe"
    copy_tree(base, probe)
    trace = tmp_path / "trace.json"
    (r,) = run_jobs([_job(sub_b, probe, trace=trace)])
    assert r.code == 0, r.stderr
    id_b = _result_id(probe / "out")
    met = json.loads(trace.read_text())
    assert met, "no store write was traced: has the store's write entry point changed? (forked.STORE_WRITES)"
    steps, span = [name for name, _ in met], met[-1][1]
    commit, swap = steps.index("store.commit"), steps.index("report.exchange")
    assert steps[0] == "store.begin" and "store.insert" in steps[:commit] and commit < swap
    assert {"report.write", "report.fsync", "report.link", "report.rmtree"} <= set(steps[commit:])

    rng = random.Random(SEED)
    kills = [Kill(index=i) for i in range(len(steps))]
    kills += [Kill(index=i, half=True) for i, s in enumerate(steps) if s == "report.write"]
    kills += [Kill(delay=rng.uniform(0, 1.2 * span)) for _ in range(TIMED)]
    places = [tmp_path / f"trial-{i}" for i in range(len(kills))]
    for place in places:
        copy_tree(base, place)
    # the trials are independent (each its own store and folder): run them side by side
    victims = run_jobs([_job(sub_b, place, kill=kill) for place, kill in zip(places, kills, strict=True)])
    outcomes = {"previous, not stored": 0, "previous, stored": 0, "new": 0}
    for place, kill, victim in zip(places, kills, victims, strict=True):
        where = steps[kill.index] if kill.delay is None else f"{kill.delay * 1000:.0f} ms"
        assert victim.code in (-signal.SIGKILL, 0), (kill, where, victim.code, victim.stderr[-500:])
        got = _result_id(place / "out")
        stored = _store_ok(place / "home")
        if kill.delay is None:  # killed before a known step: the outcome is known
            assert victim.code == -signal.SIGKILL
            assert stored == (1 if kill.index <= commit else 2), (kill, where)
            assert got == (id_a if kill.index <= swap else id_b), (kill, where)
        assert got in (id_a, id_b) and stored in (1, 2)
        if got == id_b:
            assert stored == 2  # a new result on disk was stored first
        outcomes["new" if got == id_b else "previous, stored" if stored == 2 else "previous, not stored"] += 1
    # the next run finishes the job: the new result, the user's file, no temporaries left
    again = run_jobs([_job(sub_b, place) for place in places])
    for place, kill, r in zip(places, kills, again, strict=True):
        assert r.code == 0, (kill, r.stderr[-500:])
        assert _result_id(place / "out") == id_b and _store_ok(place / "home") == 2
        _no_temporaries(place)
    for side in outcomes.values():
        assert side > 0, outcomes
    with capsys.disabled():
        print(f"\n  crash test: {len(kills)} SIGKILLs, before each of {len(steps)} steps ({', '.join(steps)}), "
              f"halfway through each result file, {TIMED} at random within {1.2 * span * 1000:.0f} ms: "
              f"{outcomes}, {time.monotonic() - t_start:.1f} s")


def _result_id_first(out: Path) -> str:
    """The first result, before the user's file is added to its folder."""
    (out / "notes.txt").write_text(NOTES, encoding="utf-8")
    return _result_id(out)


# --- the full form (opt-in): fresh processes killed from outside at random times ---------------------
class _Watched:
    """A ``jailscale assess`` process whose output lines are watched ("storing: started" and "storing:
    done" on standard error, then "wrote ..." once the results are in place), unbuffered, so that a
    kill can be timed from the start of a stage."""

    def __init__(self, sub: Path, out: Path, env: dict[str, str], cwd: Path) -> None:
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen([sys.executable, "-m", "jailscale.cli.main", "assess", str(sub), "--out",
                                      str(out)], env={**env, "PYTHONUNBUFFERED": "1"}, cwd=cwd,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.seen: dict[str, float] = {}
        self.events = {k: threading.Event() for k in ("storing: started", "storing: done", "wrote ")}
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        with self.proc.stdout:  # closed at the end of the run (its last line, or its kill)
            for line in self.proc.stdout:
                self.lines.append(line)
                for key, event in self.events.items():
                    if line.startswith(key) and key not in self.seen:
                        self.seen[key] = time.monotonic() - self.t0
                        event.set()

    def finish(self, timeout: float = 900) -> int:
        code = self.proc.wait(timeout=timeout)
        self.reader.join(10)
        return code

    def kill_after(self, stage: str | None, delay: float) -> bool:
        """SIGKILL ``delay`` seconds after ``stage`` began (None: after the start); False when the run
        ended first."""
        if stage is not None and not self.events[stage].wait(timeout=900):
            return False
        try:
            self.proc.wait(timeout=delay)
            return False
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=60)
            return True
        finally:
            self.reader.join(10)


@pytest.mark.skipif(os.environ.get(FULL_ENV) != "1", reason=f"full form: set {FULL_ENV}=1 (5-10 min)")
def test_sigkill_at_random_times_leaves_a_complete_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A third of the kills at random over the whole run, a third at random within the store write (from
    its 'storing: started' line to 'storing: done'), a third at random within the report write (from
    'storing: done' to the first 'wrote' line): timed from the stage a run has reached, so that a loaded
    machine does not shift the kills out of the stage."""
    rng = random.Random(SEED)
    t_start = time.monotonic()
    env = {**os.environ, "JAILSCALE_HOME": str(tmp_path / "home")}
    env.pop("JAILSCALE_DATABASE_URL", None)
    sub_a = bulk_submission(tmp_path / "a.json", FULL_N, "A")
    sub_b = bulk_submission(tmp_path / "b.json", FULL_N, "B")

    base = tmp_path / "base"
    first = _Watched(sub_a, base / "out", {**env, "JAILSCALE_HOME": str(base / "home")}, tmp_path)
    assert first.finish() == 0, "".join(first.lines)
    id_a = _result_id_first(base / "out")
    # the new result's id, and how long a run and its stages take, from a run over a copy of A
    copy_tree(base, tmp_path / "probe")
    probe = _Watched(sub_b, tmp_path / "probe" / "out", {**env, "JAILSCALE_HOME": str(tmp_path / "probe" / "home")},
                     tmp_path)
    assert probe.finish() == 0, "".join(probe.lines)
    whole = time.monotonic() - probe.t0
    id_b = _result_id(tmp_path / "probe" / "out")
    spans = {None: whole, "storing: started": probe.seen["storing: done"] - probe.seen["storing: started"],
             "storing: done": probe.seen["wrote "] - probe.seen["storing: done"]}
    outcomes = {"previous, not stored": 0, "previous, stored": 0, "new": 0}
    finished = 0
    place = tmp_path / "trial"
    for trial in range(FULL_TRIALS):
        stage = (None, "storing: started", "storing: done")[trial % 3]
        delay = rng.uniform(0.2, 1.1) * whole if stage is None else rng.uniform(0, 1.0) * spans[stage]
        copy_tree(base, place)
        victim = _Watched(sub_b, place / "out", {**env, "JAILSCALE_HOME": str(place / "home")}, tmp_path)
        if not victim.kill_after(stage, delay):
            finished += 1
            assert victim.proc.returncode == 0, "".join(victim.lines)
        got = _result_id(place / "out")
        assert got in (id_a, id_b), (trial, stage, delay)
        stored = _store_ok(place / "home")
        assert stored in (1, 2)
        if got == id_b:
            assert stored == 2  # a new result on disk was stored first
        outcomes["new" if got == id_b else "previous, stored" if stored == 2 else "previous, not stored"] += 1
    shutil.rmtree(place)
    for side in outcomes.values():
        assert side > 0, outcomes
    with capsys.disabled():
        print(f"\n  crash test (full): {FULL_TRIALS} SIGKILLs of {FULL_N}-transcript runs (whole run {whole:.1f} s, "
              f"store write {spans['storing: started']:.2f} s, report write {spans['storing: done']:.2f} s): "
              f"{outcomes}, {finished} finished before their kill, {time.monotonic() - t_start:.1f} s")
