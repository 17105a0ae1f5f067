"""Eight ``assess`` runs at once into one store, SQLite and PostgreSQL, from an empty store (concurrent
first use: the migrations race) and from an existing one: all eight stored, exact row counts.

Always on: 400 transcripts per run. The issue's full size (30,000 transcripts per run) runs when
``JAILSCALE_TEST_FULL=1`` (CI sets it; on a loaded two-core machine one such run takes about 1:45).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bulk import bulk_submission
from sqlalchemy import create_engine, text

RUNS = 8
SMALL = 400
FULL = 30_000
FULL_ENV = "JAILSCALE_TEST_FULL"


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())
                    for t in ("assessments", "submissions", "transcripts", "verdicts", "submission_evidence")}
    finally:
        engine.dispose()


def _run_all(tmp: Path, url: str, n: int, round_: str) -> float:
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


def _check(url: str, rounds: int, n: int) -> None:
    total = rounds * RUNS
    assert _counts(url) == {"assessments": total, "submissions": total, "transcripts": total * n,
                            "verdicts": total * n, "submission_evidence": total * n}


def _scenario(tmp: Path, url: str, n: int, capsys: pytest.CaptureFixture[str]) -> None:
    first = _run_all(tmp, url, n, "a")  # empty store: eight processes migrate and write at once
    _check(url, 1, n)
    second = _run_all(tmp, url, n, "b")  # existing store
    _check(url, 2, n)
    with capsys.disabled():
        print(f"\n  concurrency {url.split(':')[0]}: {RUNS} x {n} transcripts, empty {first:.1f} s, "
              f"existing {second:.1f} s")


def _sizes() -> list[int]:
    return [SMALL, FULL] if os.environ.get(FULL_ENV) == "1" else [SMALL]


@pytest.mark.parametrize("n", _sizes())
def test_eight_runs_into_one_sqlite_store(tmp_path: Path, n: int, capsys: pytest.CaptureFixture[str]) -> None:
    _scenario(tmp_path, f"sqlite:///{tmp_path / 'store.sqlite3'}", n, capsys)


@pytest.mark.postgres
@pytest.mark.parametrize("n", _sizes())
def test_eight_runs_into_one_postgres_schema(tmp_path: Path, pg_url: str, n: int,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    _scenario(tmp_path, pg_url, n, capsys)
