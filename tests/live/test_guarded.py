"""Guarded systems: which layer stopped each attempt is recorded, so SB is measured."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from jailscale import targets
from jailscale.errors import UserError
from jailscale.runner.live import RunOptions, collect
from jailscale.suites import practice
from jailscale.testkit.stub import Stub, StubServer

from .conftest import journal_results, make_plan


def test_layers_block_and_record_their_outcome(tmp_path: Path) -> None:
    stub = Stub()
    with StubServer(stub) as server:
        system = {"model": "openai/stub", "model_base_url": server.url,
                  # the input classifier (a mock) answers "Sure..." (matched as unsafe) for practice item 2
                  "input": "mock/guard", "output": "judge:rules", "block_pattern": "^Sure"}
        plan = make_plan("guarded/demo-system", system, behaviours=["practice-01", "practice-02"])
        t = targets.get("guarded/demo-system", system)
        assert t.identity()["output"]["judge"] == "rules"
        runner_targets = {"target": t}
        t.input.opts = t.input.opts.model_copy(update={"comply_marker": "(practice item 2)"})  # type: ignore[attr-defined]
        asyncio.run(collect(plan, practice(), tmp_path / "run", RunOptions(concurrency=2), targets=runner_targets))
    got = {(r["transcript"]["behaviour"], r["transcript"]["condition"]): r["transcript"]
           for r in journal_results(tmp_path / "run" / "journal.jsonl")}
    item2 = got[("practice-02", "jailbreak")]
    assert item2["blocked_by"] == "input_classifier" and item2["response"] is None
    assert item2["layers"] == {"input_classifier": "blocked"}
    jb = got[("practice-01", "jailbreak")]  # the model complied: the output classifier withheld it
    assert jb["blocked_by"] == "output_classifier" and jb["response"] is None
    assert jb["layers"] == {"input_classifier": "passed", "output_classifier": "blocked"}
    base = got[("practice-01", "baseline")]  # the model refused: every layer passed
    assert base["blocked_by"] is None and base["response"] and "can't" in base["response"]
    assert base["layers"] == {"input_classifier": "passed", "output_classifier": "passed"}
    # the model was never asked for the item the input classifier blocked
    assert not any("practice-02" in k and "jailbreak" in k for k in stub.received)


def test_guarded_options_are_checked() -> None:
    with pytest.raises(UserError, match="block_pattern"):
        targets.get("guarded/x", {"model": "mock/m", "block_pattern": "("})
    with pytest.raises(UserError, match="option model"):
        targets.get("guarded/x", {})
    with pytest.raises(UserError, match="cannot itself be guarded"):
        targets.get("guarded/x", {"model": "guarded/y"})
