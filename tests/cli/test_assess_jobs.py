"""``assess --jobs N`` (runner/pool.py): judging in worker processes gives the same assessment, the
same outputs and the same stored rows as one process, holds a bounded number of chunks, refuses a
judge that waits on a model, and turns a worker that died into an environment fault."""

from __future__ import annotations

import json
import os
import sqlite3
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from jailscale import judges
from jailscale.cli.main import app
from jailscale.errors import EnvironmentFault, UserError
from jailscale.formats.lines import LINES_FORMAT
from jailscale.runner import assess as assess_mod
from jailscale.runner.demo import demo_inputs
from jailscale.runner.pool import JudgingPool, check_jobs

runner = CliRunner()
FILES = ("assessment.json", "report.md", "report.html")


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAILSCALE_DATABASE_URL", raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764504000")


@pytest.fixture
def lines(tmp_path: Path) -> Path:
    """The demo submission as JSON Lines (217 transcripts of placeholder text)."""
    sub, _ = demo_inputs()
    path = tmp_path / "demo.jsonl"
    head = {**sub.model_dump(mode="json", exclude={"evidence"}), "format": LINES_FORMAT}
    path.write_text("".join(json.dumps(x) + "\n" for x in [head, *(t.model_dump(mode="json") for t in sub.evidence)]))
    return path


def _assess(monkeypatch: pytest.MonkeyPatch, home: Path, out: Path, *args: str) -> Any:
    monkeypatch.setenv("JAILSCALE_HOME", str(home))
    return runner.invoke(app, ["assess", *args, "--out", str(out), "--quiet"])


def _stored(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """What a store holds of the evidence, without the seals (each home has its own secret)."""
    con = sqlite3.connect(db)
    try:
        return {
            "transcripts": con.execute("SELECT * FROM transcripts ORDER BY hash").fetchall(),
            "verdicts": con.execute("SELECT transcript_hash, judge, judge_version, config_hash, input_hash, label, "
                                    "quality, body FROM verdicts ORDER BY transcript_hash, input_hash").fetchall(),
            "links": con.execute("SELECT * FROM submission_evidence ORDER BY submission_key, position").fetchall(),
        }
    finally:
        con.close()


def test_jobs_give_the_same_outputs_and_the_same_store(lines: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assess_mod, "CHUNK", 13)  # 17 chunks: more than 2 * jobs in flight
    made: list[object] = []
    real = assess_mod.pool_for
    monkeypatch.setattr(assess_mod, "pool_for", lambda *a: made.append(real(*a)) or made[-1])
    one = _assess(monkeypatch, tmp_path / "home-1", tmp_path / "one", str(lines))
    two = _assess(monkeypatch, tmp_path / "home-2", tmp_path / "two", str(lines), "--jobs", "2")
    assert made[0] is None and isinstance(made[1], JudgingPool) and made[1].jobs == 2  # judged in workers
    assert one.exit_code == 0, one.stderr
    assert two.exit_code == 0, two.stderr
    assert "judged 217" in one.stdout and "judged 217" in two.stdout
    for name in FILES:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    a, b = _stored(tmp_path / "home-1" / "jailscale.sqlite3"), _stored(tmp_path / "home-2" / "jailscale.sqlite3")
    assert len(a["verdicts"]) == 217 and a == b


def test_a_judge_that_waits_on_a_model_is_not_pooled(lines: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    r = _assess(monkeypatch, tmp_path / "home", tmp_path / "out", str(lines), "--judge", "mock", "--jobs", "2")
    assert r.exit_code == 2
    assert "--jobs 2: judge 'mock' waits on a model" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("jobs", [0, 257])
def test_jobs_out_of_range_are_refused(jobs: int) -> None:
    with pytest.raises(UserError, match=f"--jobs {jobs}: give a number of judging processes from 1 to 256"):
        check_jobs(jobs, judges.get("rules"))
    r = runner.invoke(app, ["assess", "x.jsonl", "--jobs", str(jobs)])
    assert r.exit_code == 2 and "--jobs" in r.stderr


class _CountingPool:
    """A pool that judges at once in this process and counts the batches handed out and not yet taken."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.judge = judges.get("rules")
        self.by_id = demo_inputs()[1].by_id()
        self.out = self.most = self.batches = 0

    def __enter__(self) -> _CountingPool:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def submit(self, items: list[tuple[str, Any]]) -> Future[list[Any]]:
        self.out += 1
        self.batches += 1
        self.most = max(self.most, self.out)
        done: Future[list[Any]] = Future()
        done.set_result(self.judge.judge_batch([(self.by_id[b], t) for b, t in items]))
        return done

    def result(self, future: Future[list[Any]]) -> list[Any]:
        self.out -= 1
        return future.result()


def test_chunks_in_flight_are_bounded_and_taken_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    sub, suite = demo_inputs()
    monkeypatch.setattr(assess_mod, "CHUNK", 10)
    alone = assess_mod.assess(sub, suite, now=None, jobs=1).assessment
    pool = _CountingPool(jobs=3)
    monkeypatch.setattr(assess_mod, "pool_for", lambda *a: pool)
    pooled = assess_mod.assess(sub, suite, now=alone.created_at, jobs=3).assessment
    assert pool.batches == 22 and pool.most == 2 * 3
    assert pool.out == 0
    assert pooled.model_dump_json() == alone.model_dump_json()


def test_a_worker_that_dies_is_an_environment_fault() -> None:
    _, suite = demo_inputs()
    with JudgingPool("rules", {}, suite, jobs=2) as pool:
        assert pool._pool is not None
        dying = pool._pool.submit(os._exit, 3)
        with pytest.raises(EnvironmentFault, match="a judging process ended without answering"):
            pool.result(dying)


def test_a_pool_judges_as_this_process_does() -> None:
    sub, suite = demo_inputs()
    items = [(t.behaviour, t) for t in sub.evidence[:40]]
    here = judges.get("rules").judge_batch([(suite.by_id()[b], t) for b, t in items])
    with JudgingPool("rules", {}, suite, jobs=2) as pool:
        assert pool.result(pool.submit(items)) == here
        assert pool.result(pool.submit([])) == []
    with pytest.raises(RuntimeError, match="closed"):
        pool.submit(items)


def test_a_bad_transcript_stops_a_pooled_run_with_nothing_stored(lines: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assess_mod, "CHUNK", 13)
    rows = lines.read_text().splitlines()
    bad = json.loads(rows[150])
    bad["behaviour"] = "no-such-behaviour"
    rows[150] = json.dumps(bad)
    lines.write_text("\n".join(rows) + "\n")
    r = _assess(monkeypatch, tmp_path / "home", tmp_path / "out", str(lines), "--jobs", "2")
    assert r.exit_code == 2, r.stderr
    assert "line 151" in r.stderr and "no-such-behaviour" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()
    con = sqlite3.connect(tmp_path / "home" / "jailscale.sqlite3")
    try:
        assert con.execute("SELECT count(*) FROM transcripts").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM assessments").fetchone() == (0,)
    finally:
        con.close()
