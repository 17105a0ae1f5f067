"""The runner against the stub server under each fault: no result lost, none duplicated.

Each fault hits a known share of items on their first attempt (the stub decides from the item's
label). After the run, every planned item must be in the journal exactly once with an answer, the
stub must have sent exactly one complete answer per item, and the items the stub faulted must have
been asked exactly twice (one fault, one retry).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from jailscale.runner.limits import RetryPolicy
from jailscale.runner.live import RunOptions, collect
from jailscale.runner.plan import count, items
from jailscale.suites import practice
from jailscale.testkit.stub import KINDS, REFUSAL, Faults, Stub, StubServer

from .conftest import journal_results, label_counts, make_plan

SHARE = 0.3


@pytest.mark.parametrize("kind", KINDS)
def test_no_lost_no_duplicated_result_under_fault(kind: str, tmp_path: Path) -> None:
    faults = Faults(**{kind: SHARE}, retry_after=0.05, hang=1.5, slow_seconds=0.2)  # type: ignore[arg-type]
    stub = Stub(faults=faults)
    with StubServer(stub) as server:
        plan = make_plan(options={"base_url": server.url, "timeout": "0.6"}, samples=2)
        st = practice()
        opts = RunOptions(concurrency=16, retry=RetryPolicy(base=0.02, cap=0.2), cache=tmp_path / "cache.jsonl")
        result = asyncio.run(collect(plan, st, tmp_path / "run", opts))
    labels = [i.label for i in items(plan, st)]
    assert len(labels) == count(plan, st) == 124
    recorded = label_counts(tmp_path / "run" / "journal.jsonl")
    assert recorded == dict.fromkeys(labels, 1), "every planned item recorded exactly once"
    assert all(r["transcript"]["response"] is not None and r["transcript"]["error"] is None
               for r in journal_results(tmp_path / "run" / "journal.jsonl"))
    assert stub.answered == dict.fromkeys(labels, 1), "exactly one complete answer per item"
    faulted = {lab for lab in labels if faults.pick(lab, 0) is not None}
    assert 0.15 * len(labels) < len(faulted) < 0.45 * len(labels)  # the fault was really injected
    if kind != "slow":
        assert stub.received == {lab: 2 if lab in faulted else 1 for lab in labels}
        assert result.retries == len(faulted)
        assert stub.faulted[kind] == len(faulted)
    assert result.complete and result.errors == 0 and result.recorded == 124


def test_a_fault_that_persists_is_recorded_as_an_error_not_a_refusal(tmp_path: Path) -> None:
    stub = Stub(faults=Faults(server_error=1.0, fault_attempts=99))
    with StubServer(stub) as server:
        plan = make_plan(options={"base_url": server.url}, behaviours=["practice-01", "practice-02"])
        opts = RunOptions(concurrency=4, retry=RetryPolicy(attempts=3, base=0.01, cap=0.02))
        result = asyncio.run(collect(plan, practice(), tmp_path / "run", opts))
    recs = journal_results(tmp_path / "run" / "journal.jsonl")
    assert len(recs) == 4 and result.errors == 4 and result.answered == 0
    for r in recs:
        t = r["transcript"]
        assert t["response"] is None and "HTTP 500" in t["error"] and "after 3 attempts" in t["error"]
        assert r["usage"]["error_kind"] == "server"
    assert set(stub.received.values()) == {3}

    from jailscale.formats import Submission
    from jailscale.formats.io import read_model
    from jailscale.judges import get
    from jailscale.runner.collected import write_submission

    sub = read_model(Submission, write_submission(plan, tmp_path / "run" / "journal.jsonl", tmp_path / "s.json"))
    judge = get("rules")
    by_id = practice().by_id()
    labels = {v.label for v in asyncio.run(judge.judge_many([(by_id[t.behaviour], t) for t in sub.evidence]))}
    assert labels == {"error"}


def test_rate_limits_shrink_concurrency_and_honour_retry_after(tmp_path: Path) -> None:
    from jailscale.runner.live import Runner

    stub = Stub(faults=Faults(rate_limit=0.5, retry_after=0.2))
    with StubServer(stub) as server:
        plan = make_plan(options={"base_url": server.url})
        runner = Runner(plan, practice(), tmp_path / "run", RunOptions(concurrency=16, retry=RetryPolicy(base=0.01)))
        result = asyncio.run(runner.run())
    limiter = runner.limiters["target"]
    assert limiter.decreases > 0 and limiter.limit < 16
    assert result.complete and result.errors == 0 and stub.answered == dict.fromkeys(stub.answered, 1)
    assert sum(stub.answered.values()) == 62
    assert REFUSAL  # baseline answers are the stub's refusal text, judged later
