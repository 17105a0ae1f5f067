"""Eight ``assess`` runs at once into one store, SQLite and PostgreSQL: all eight stored, exact row counts.

Always on (forked children, :mod:`forked`; 200 transcripts each), three rounds, each forced to race:
the eight children start at one instant and, once judged, all write at one instant.

- ``a``: an empty store: eight migrations at once (concurrent first use), then eight writers;
- ``b``: the same store, now existing, eight more writers;
- ``c``: eight submissions sharing the same transcripts, each in another order: concurrent inserts of
  the same transcript and verdict rows (a lock-order deadlock on PostgreSQL unless inserts are ordered).

The issue's full size runs when ``JAILSCALE_TEST_FULL=1``: eight fresh ``jailscale assess`` processes of
30,000 transcripts each, no gates, from empty and from existing (about 15 to 25 minutes per database
on a shared two-core machine; figures in docs/security.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from bulk import bulk_submission
from forked import Job, child_env, run_jobs
from sqlalchemy import create_engine, text

RUNS = 8
SMALL = 200
FULL = 30_000
FULL_ENV = "JAILSCALE_TEST_FULL"
TABLES = ("assessments", "submissions", "transcripts", "verdicts", "submission_evidence")


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in TABLES}
    finally:
        engine.dispose()


def _expect(before: dict[str, int], n: int, shared: bool) -> dict[str, int]:
    """Eight more assessments and submissions, with their links; transcripts and verdicts once each
    when the eight share them."""
    rows = n if shared else RUNS * n
    return {"assessments": before["assessments"] + RUNS, "submissions": before["submissions"] + RUNS,
            "transcripts": before["transcripts"] + rows, "verdicts": before["verdicts"] + rows,
            "submission_evidence": before["submission_evidence"] + RUNS * n}


def _forked_round(tmp: Path, url: str, n: int, round_: str, shared: bool) -> float:
    subs = [bulk_submission(tmp / f"sub-{round_}-{i}.json", n, f"{round_}{i}",
                            text_tag=round_ if shared else None, shuffle=i if shared else None)
            for i in range(RUNS)]
    env = child_env({"JAILSCALE_DATABASE_URL": url, "JAILSCALE_HOME": str(tmp / "home")})
    jobs = [Job(["assess", str(s), "--quiet", "--out", str(tmp / f"out-{round_}-{i}")], tmp, env)
            for i, s in enumerate(subs)]
    t0 = time.monotonic()
    results = run_jobs(jobs, together=True, gate_store=True, timeout=600)
    seconds = time.monotonic() - t0
    failures = [(r.code, r.stderr[-500:]) for r in results if r.code != 0]
    assert failures == [], failures
    assert all("stored as " in r.stdout for r in results)
    return seconds


def _forked_scenario(tmp: Path, url: str, capsys: pytest.CaptureFixture[str]) -> None:
    zero = dict.fromkeys(TABLES, 0)
    times = []
    expected = zero
    for round_, shared in (("a", False), ("b", False), ("c", True)):
        times.append(_forked_round(tmp, url, SMALL, round_, shared))
        expected = _expect(expected, SMALL, shared)
        assert _counts(url) == expected, round_
    with capsys.disabled():
        print(f"\n  concurrency {url.split(':')[0]}: {RUNS} x {SMALL} transcripts, empty {times[0]:.1f} s, "
              f"existing {times[1]:.1f} s, shared transcripts {times[2]:.1f} s")


def test_eight_runs_into_one_sqlite_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _forked_scenario(tmp_path, f"sqlite:///{tmp_path / 'store.sqlite3'}", capsys)


@pytest.mark.postgres
def test_eight_runs_into_one_postgres_schema(tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _forked_scenario(tmp_path, pg_url, capsys)


# --- the full size (opt-in): fresh processes, no gates ----------------------------------------------
def _process_round(tmp: Path, url: str, n: int, round_: str) -> float:
    subs = [bulk_submission(tmp / f"sub-{round_}-{i}.json", n, f"{round_}{i}") for i in range(RUNS)]
    env = {**os.environ, "JAILSCALE_DATABASE_URL": url, "JAILSCALE_HOME": str(tmp / "home")}
    t0 = time.monotonic()
    procs = [subprocess.Popen([sys.executable, "-m", "jailscale.cli.main", "assess", str(s), "--out",
                               str(tmp / f"out-{round_}-{i}")], env=env, cwd=tmp,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i, s in enumerate(subs)]
    results = [(p.wait(timeout=3600), p.communicate()) for p in procs]
    seconds = time.monotonic() - t0
    failures = [(code, err[-500:]) for code, (_, err) in results if code != 0]
    assert failures == [], failures
    return seconds


def _full_scenario(tmp: Path, url: str, capsys: pytest.CaptureFixture[str]) -> None:
    zero = dict.fromkeys(TABLES, 0)
    first = _process_round(tmp, url, FULL, "a")  # empty store: eight processes migrate and write at once
    assert _counts(url) == _expect(zero, FULL, False)
    second = _process_round(tmp, url, FULL, "b")  # existing store
    assert _counts(url) == _expect(_expect(zero, FULL, False), FULL, False)
    with capsys.disabled():
        print(f"\n  concurrency {url.split(':')[0]}: {RUNS} x {FULL} transcripts, empty {first:.1f} s, "
              f"existing {second:.1f} s, rows {_counts(url)}")


full = pytest.mark.skipif(os.environ.get(FULL_ENV) != "1", reason=f"full size: set {FULL_ENV}=1 (15-25 min)")


@full
def test_eight_full_size_runs_into_one_sqlite_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _full_scenario(tmp_path, f"sqlite:///{tmp_path / 'store.sqlite3'}", capsys)


@full
@pytest.mark.postgres
def test_eight_full_size_runs_into_one_postgres_schema(tmp_path: Path, pg_url: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    _full_scenario(tmp_path, pg_url, capsys)


# --- lock order on shared rows (deterministic) ----------------------------------------------------
@pytest.mark.postgres
def test_writers_of_shared_transcripts_in_opposite_orders_do_not_deadlock(
        tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two transactions store two submissions holding the same transcripts in opposite orders, one
    row per insert, stepping in lock-step after their first row. Inserted in evidence order, each
    would hold the row the other needs next (PostgreSQL: 'deadlock detected'); inserted in hash order,
    the second waits for the first and both commit."""
    from jailscale.formats import Submission
    from jailscale.formats.io import read_model
    from jailscale.store import Store, _write

    subs = [read_model(Submission, bulk_submission(tmp_path / f"s{i}.json", 6, f"o{i}", text_tag="shared"))
            for i in range(2)]
    subs[1] = subs[1].model_copy(update={"evidence": list(reversed(subs[0].evidence))})
    assert {t.content_hash for t in subs[0].evidence} == {t.content_hash for t in subs[1].evidence}
    Store.open(pg_url).close()  # the schema
    step = threading.Barrier(2)
    first_rows: dict[str, int] = {}
    insert = _write._insert_new

    def one_row_at_a_time(conn, table, rows):  # type: ignore[no-untyped-def]
        for row in rows:
            insert(conn, table, [row])
            if table.name == "transcripts" and first_rows.setdefault(threading.current_thread().name, 0) == 0:
                first_rows[threading.current_thread().name] = 1
                # both hold their first row, then both go on (unless one waits for the other)
                with contextlib.suppress(threading.BrokenBarrierError):
                    step.wait(timeout=3)

    monkeypatch.setattr(_write, "_insert_new", one_row_at_a_time)
    errors: list[str] = []

    def write(sub: Submission) -> None:
        engine = create_engine(pg_url)
        try:
            with engine.begin() as conn:
                key = _write.submission_key(sub)
                _write.put_submission(conn, sub, key, dt.datetime.now(dt.UTC))
                _write.put_transcripts(conn, sub, key)
        except Exception as e:  # the failure is the finding
            errors.append(str(getattr(e, "orig", e)).splitlines()[0])
        finally:
            engine.dispose()

    threads = [threading.Thread(target=write, args=(s,), name=f"w{i}") for i, s in enumerate(subs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert _counts(pg_url)["transcripts"] == 6 and _counts(pg_url)["submission_evidence"] == 12
