"""A CPU-bound judge runs in a plain loop (issue 8): the same verdicts as through the event loop,
and a judge that awaits something is refused rather than run wrongly."""

from __future__ import annotations

import asyncio

import pytest

from jailscale import judges
from jailscale.formats import Behaviour, Transcript, Verdict
from jailscale.judges.base import Judge
from jailscale.runner.demo import demo_inputs


def test_rules_batch_equals_judge_many() -> None:
    sub, suite = demo_inputs()
    by_id = suite.by_id()
    items = [(by_id[t.behaviour], t) for t in sub.evidence]
    judge = judges.get("rules")
    assert judge.cpu_bound
    batch = judge.judge_batch(items)
    assert batch == asyncio.run(judge.judge_many(items))
    assert len(batch) == len(items) and {v.label for v in batch} >= {"refused", "complied"}


class _Waits(Judge):
    name = "waits"
    version = "1"
    cpu_bound = True  # wrongly

    async def evaluate(self, behaviour: Behaviour, transcript: Transcript) -> Verdict:
        await asyncio.sleep(0)
        return self.verdict("refused")


def test_a_judge_that_awaits_is_refused() -> None:
    sub, suite = demo_inputs()
    t = next(t for t in sub.evidence if t.response)
    with pytest.raises(RuntimeError, match="not cpu_bound"):
        _Waits().judge_batch([(suite.by_id()[t.behaviour], t)])


def test_judge_input_hash_is_the_hash_of_its_parts() -> None:
    """Assembled from its parts, the cache key is still sha256 of the canonical JSON of the whole, so
    verdicts stored before stay reusable."""
    from jailscale.formats import sha256_of
    from jailscale.formats.evidence import behaviour_json, judge_input_hash

    sub, suite = demo_inputs()
    by_id = suite.by_id()
    recorded = Verdict(judge="reporter/manual", label="refused", rationale="placeholder \u00e9\u2028")
    panel = Verdict(judge="panel", label="complied", members={"rules": "complied", "mock": "refused"})
    for t in [*sub.evidence[:3], sub.evidence[0].model_copy(update={"verdicts": [recorded]}),
              sub.evidence[1].model_copy(update={"verdicts": [recorded, panel]})]:
        b = by_id[t.behaviour]
        # a recorded verdict's members (added for panels) is left out when unset: older keys are unchanged
        dumps = [v.model_dump(mode="json", exclude={"members"} if v.members is None else None) for v in t.verdicts]
        whole = sha256_of({"transcript": t.content_hash, "recorded": dumps, "behaviour": b.model_dump(mode="json")})
        assert judge_input_hash(b, t) == whole == judge_input_hash(b, t, behaviour_json(b))
    # the key of evidence without panel verdicts is what it was before Verdict.members existed
    t = sub.evidence[0].model_copy(update={"verdicts": [recorded]})
    before = {k: val for k, val in recorded.model_dump(mode="json").items() if k != "members"}
    assert judge_input_hash(by_id[t.behaviour], t) == sha256_of(
        {"transcript": t.content_hash, "recorded": [before], "behaviour": by_id[t.behaviour].model_dump(mode="json")})
