"""Search attacks as plug-ins: PAIR's loop through the runner, its query count recorded."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from jailscale.errors import UserError
from jailscale.runner.attacks import PAIR, get_attack
from jailscale.runner.live import RunOptions, collect
from jailscale.runner.plan import AttackSpec, TargetSpec
from jailscale.suites import practice
from jailscale.targets import Reply, Request, Target
from jailscale.testkit.stub import Stub, StubServer

from .conftest import journal_results, make_plan


class ScriptedAttacker(Target):
    """An attacker that tries a plain prompt first and the stub's marker second."""

    provider = "scripted"
    model = "attacker"

    def __init__(self) -> None:
        self.calls = 0
        self.per_goal: dict[str, int] = {}

    async def complete(self, request: Request) -> Reply:
        self.calls += 1
        goal = request.messages[0]["content"].split("request: ", 1)[1].split("\n", 1)[0]
        seen = self.per_goal[goal] = self.per_goal.get(goal, 0) + 1
        if seen == 1:
            return Reply(text="not json at all")  # an unusable answer: the attack asks again
        prompt = goal if seen == 2 else f"PLACEHOLDER role-play frame: {goal}"
        return Reply(text=json.dumps({"improvement": "try again", "prompt": prompt}))


def test_pair_runs_until_the_judge_sees_compliance(tmp_path: Path) -> None:
    stub = Stub()
    attacker = ScriptedAttacker()
    with StubServer(stub) as server:
        plan = make_plan(options={"base_url": server.url}, behaviours=["practice-01", "practice-02"],
                         kind="opaque", template=None)
        plan = plan.model_copy(update={"attack": AttackSpec(name="pair", attacker=TargetSpec(address="mock/x"),
                                                            options={"iterations": "5"})})
        r = asyncio.run(collect(plan, practice(), tmp_path / "run", RunOptions(concurrency=1),
                                targets={"attacker": attacker}))
    assert r.complete and r.errors == 0
    recs = {(x["transcript"]["behaviour"], x["transcript"]["condition"]): x["transcript"]
            for x in journal_results(tmp_path / "run" / "journal.jsonl")}
    jb = recs[("practice-01", "jailbreak")]
    assert jb["queries"] == 2 and "PLACEHOLDER answer" in jb["response"]
    assert jb["prompt"][0]["content"].startswith("PLACEHOLDER role-play frame:")
    assert "queries" not in recs[("practice-01", "baseline")]
    assert attacker.calls == 6  # per behaviour: one unusable answer, then two prompts
    # the target saw each search query once, labelled by stream and iteration
    assert stub.received["practice-01|jailbreak||0|pair-s0-i1"] == 1
    assert stub.received["practice-01|jailbreak||0|pair-s0-i2"] == 1


def test_pair_budget_is_bounded_and_recorded_when_nothing_works(tmp_path: Path) -> None:
    class Stubborn(ScriptedAttacker):
        async def complete(self, request: Request) -> Reply:
            return Reply(text=json.dumps({"improvement": "-", "prompt": "plain"}))

    with StubServer() as server:
        plan = make_plan(options={"base_url": server.url}, behaviours=["practice-01"], kind="opaque", template=None)
        plan = plan.model_copy(update={"conditions": ["jailbreak"], "attack": AttackSpec(
            name="pair", attacker=TargetSpec(address="mock/x"), options={"iterations": "3", "streams": "2"})})
        asyncio.run(collect(plan, practice(), tmp_path / "run", targets={"attacker": Stubborn()}))
    (t,) = [x["transcript"] for x in journal_results(tmp_path / "run" / "journal.jsonl")]
    assert t["queries"] == 6 and "can't" in t["response"]


def test_attack_needs_an_opaque_technique_and_known_name(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="unknown search attack"):
        get_attack("gcg")
    with pytest.raises(UserError, match="bad options"):
        get_attack("pair", {"iterations": "0"})
    assert PAIR.parse('noise {"improvement": "x", "prompt": "p"} tail') == "p"
    assert PAIR.parse('{"prompt": ""}') is None
    plan = make_plan("mock").model_copy(update={"attack": AttackSpec(name="pair", attacker=TargetSpec(
        address="mock/x"))})
    with pytest.raises(UserError, match="kind 'opaque'"):
        asyncio.run(collect(plan, practice(), tmp_path / "run"))
