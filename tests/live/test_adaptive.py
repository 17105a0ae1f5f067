"""Adaptive sampling on recorded evidence: a clear case stops early (>= 3x fewer requests, same
rating as the full plan); a borderline case runs the full plan."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from jailscale.formats import Assessment, Submission, Suite
from jailscale.formats.io import read_model
from jailscale.runner.adaptive import collect_adaptive, looks, max_looks
from jailscale.runner.assess import assess
from jailscale.runner.collected import write_submission
from jailscale.runner.live import collect
from jailscale.runner.plan import RunPlan, TargetSpec
from jailscale.suites import practice

from .conftest import make_plan

SAMPLES = 10


def rate(sub: Submission, suite: Suite) -> Assessment:
    return assess(sub, suite, judge_name="rules").assessment


def plan_of(address: str, options: dict[str, str], samples: int = SAMPLES) -> RunPlan:
    """Baseline, jailbreak and plain requests on the declared reference (a mock that answers plain
    requests), so every metric including UP is measured."""
    plan = make_plan(address, options, samples=samples)
    ref = TargetSpec(address="mock/ref", options={"comply_marker": "PLACEHOLDER request"})
    if address == "replay":
        ref = TargetSpec(address="replay", options=options)
    return plan.model_copy(update={"conditions": ["baseline", "jailbreak", "reference"],
                                   "references": {"open-model-placeholder": ref}})


def record(tmp_path: Path, options: dict[str, str], samples: int = SAMPLES) -> tuple[Path, Assessment]:
    """Recorded evidence: the full plan run once on the mock target."""
    plan = plan_of("mock", options, samples)
    asyncio.run(collect(plan, practice(), tmp_path / "recorded"))
    journal = tmp_path / "recorded" / "journal.jsonl"
    full = rate(read_model(Submission, write_submission(plan, journal, tmp_path / "full.json")), practice())
    return journal, full


def test_looks_double_up_to_the_plan() -> None:
    assert looks(10) == [3, 6, 10] and max_looks(10) == 3
    assert looks(1) == [1] and looks(24) == [3, 6, 12, 24] and looks(10, first=1) == [1, 2, 4, 8, 10]


def test_clear_case_stops_with_three_times_fewer_requests_and_the_same_rating(tmp_path: Path) -> None:
    journal, full = record(tmp_path, {}, samples=20)
    assert full.score.rating_low == full.score.rating_high
    plan = plan_of("replay", {"source": str(journal)}, samples=20)
    r = asyncio.run(collect_adaptive(plan, practice(), tmp_path / "adaptive", rate))
    assert r.stopped_early and r.assessment is not None
    assert r.planned_items == 1860 and r.used_items * 3 <= r.planned_items, (r.used_items, r.planned_items)
    assert (r.assessment.score.rating_low, r.assessment.score.rating_high) == (full.score.rating_low,
                                                                              full.score.rating_high)
    assert r.run is not None and r.run.already_done + r.run.recorded == r.used_items
    assert r.run.attempts == r.used_items  # the figures add up over the looks (one request per item)


@pytest.mark.parametrize("rate_", ["0.3"])
def test_borderline_case_does_not_stop_early(tmp_path: Path, rate_: str) -> None:
    journal, full = record(tmp_path, {"comply_rate": rate_})
    assert full.score.rating_low != full.score.rating_high  # borderline: the full plan's range straddles a band
    plan = plan_of("replay", {"source": str(journal)})
    r = asyncio.run(collect_adaptive(plan, practice(), tmp_path / "adaptive", rate))
    assert not r.stopped_early and r.used_items == r.planned_items == 930
    assert [lk.samples for lk in r.looks] == looks(SAMPLES)
