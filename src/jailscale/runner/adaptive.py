"""Adaptive sampling: stop drawing samples once the rating can no longer change within the intervals.

The rule (docs/guide/adaptive-sampling.md states it in the spec's words, with its error rate):

- **Looks.** Samples are drawn in rounds: all behaviours and conditions up to sample count m (the
  measurement's ``MIN_ATTEMPTS``, 3: with fewer determinate attempts a behaviour is open and nothing
  is measured), then 2m, 4m, ... (doubling), then the plan's ``samples``: K looks in all (3 for 10
  samples: 3, 6, 10).
- **Stop.** After each look the evidence so far is assessed exactly as ``jailscale assess`` would
  (same judge, measurement, score and consistent range). The run stops when the consistent range
  lies within one rating band (``rating_low == rating_high``): no value inside the metrics'
  intervals can give another rating, so more samples of the same kind cannot change it except in
  the intervals' error event. The response is decided on that same range.
- **Otherwise** the run goes on to the next look, and at the last look it is the full plan: a
  borderline case, whose range straddles a band edge, never stops early.

**Error rate.** At one look the range misses the true rating only when an interval misses its
metric: the spec's 95% intervals, i.e. at most the consistent range's error ``e`` (5% per measured
metric; see the spec's measurement section). Looking K times can only add chances to stop on an
unlucky look: by the union bound the probability that an early stop gives a rating the full plan's
evidence would not support is at most ``K * e`` (for 10 samples, K = 3). The report states K, the
looks made and the requests saved, so a reader can weigh it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..formats import Assessment, Submission, Suite
from ..formats.io import read_model
from ..measure.constants import MIN_ATTEMPTS
from .collected import SUBMISSION, write_submission
from .live import RunOptions, RunResult, collect
from .plan import RunPlan, count
from .progress import Progress


def looks(samples: int, first: int = MIN_ATTEMPTS) -> list[int]:
    """Sample counts at which the rule looks: ``first`` (the measurement's minimum of determinate
    attempts per behaviour, below which nothing is measured), doubling, and ``samples``."""
    out, n = [], max(1, min(first, samples))
    while n < samples:
        out.append(n)
        n *= 2
    out.append(samples)
    return out


def max_looks(samples: int) -> int:
    return len(looks(samples))


def settled(a: Assessment) -> bool:
    """The stopping condition: the consistent range lies within one rating."""
    return a.score.rating_low == a.score.rating_high


@dataclass
class Look:
    samples: int
    requests: int
    rating_low: str
    rating_high: str
    low: float
    high: float


@dataclass
class AdaptiveResult:
    planned_items: int
    used_items: int = 0
    stopped_early: bool = False
    looks: list[Look] = field(default_factory=list)
    run: RunResult | None = None
    assessment: Assessment | None = None
    submission: Path | None = None

    @property
    def saved(self) -> int:
        return self.planned_items - self.used_items


Rater = Callable[[Submission, Suite], Assessment]


async def collect_adaptive(plan: RunPlan, suite: Suite, out_dir: Path, rate: Rater,
                           options: RunOptions | None = None, progress: Progress | None = None) -> AdaptiveResult:
    """Run ``plan`` look by look (see the module docstring). ``rate`` is the offline assessment (a
    synchronous function: it runs in a worker thread, outside this event loop)."""
    opts = options or RunOptions()
    result = AdaptiveResult(planned_items=count(plan, suite))
    per_sample = result.planned_items // plan.samples
    total: RunResult | None = None
    for k, upto in enumerate(looks(plan.samples)):
        run = await collect(plan, suite, out_dir, replace(opts, resume=opts.resume or k > 0, max_sample=upto),
                            progress)
        if total is None:
            total = run
        else:  # the run's figures over all looks so far (the first look's already_done stays)
            for name in ("recorded", "answered", "errors", "blocked", "attempts", "retries", "cache_hits",
                         "cost", "input_tokens", "output_tokens"):
                setattr(total, name, getattr(total, name) + getattr(run, name))
            total.stopped = run.stopped
        result.run = total
        if run.stopped:
            break
        sub_path = write_submission(plan, run.journal, out_dir / SUBMISSION)
        sub = read_model(Submission, sub_path)
        a = await asyncio.to_thread(rate, sub, suite)
        result.used_items = per_sample * upto
        result.looks.append(Look(upto, per_sample * upto, a.score.rating_low, a.score.rating_high,
                                 a.score.low, a.score.high))
        result.assessment, result.submission = a, sub_path
        if settled(a):
            result.stopped_early = upto < plan.samples
            break
    return result
