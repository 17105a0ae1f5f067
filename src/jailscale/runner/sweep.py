"""Sweeps: one plan file, a matrix of techniques x targets x suites, one assessment per cell.

A sweep file (``format: jailscale.sweep/1``) names technique files (submission-like, paths relative
to the sweep file), targets (addresses with options), suites, and the run settings every cell
shares. Each cell is an ordinary run plan: it is collected into its own folder
(``OUT/cells/NN-technique-target-suite/``, with its own journal, so ``--resume`` resumes every cell)
and assessed like any submission. Cells run one after another on this machine (each with the
sweep's concurrency), or as Ray tasks with ``--executor ray`` (collection on the workers, assessment
and storage here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field

from .. import suites
from ..errors import UserError
from ..formats import Submission, Suite
from ..formats._base import Model
from ..formats.io import read_model
from ..targets import Sampling
from .plan import RunCondition, RunPlan, TargetSpec

#: At most this many cells in one sweep (bounded input: a sweep file is written by a user).
MAX_CELLS = 1000


class SweepPlan(Model):
    format: Literal["jailscale.sweep/1"] = "jailscale.sweep/1"
    name: str = Field(min_length=1, max_length=100)
    techniques: list[str] = Field(min_length=1, max_length=100, description="technique files (submission-like)")
    targets: list[TargetSpec] = Field(min_length=1, max_length=100)
    suites: list[str] = Field(min_length=1, max_length=20)
    samples: int = Field(1, ge=1, le=1000)
    sampling: Sampling = Field(default_factory=Sampling)
    conditions: list[RunCondition] = Field(default_factory=lambda: list[RunCondition](["baseline", "jailbreak"]))
    references: dict[str, TargetSpec] = Field(default_factory=dict)
    judge: str = "rules"


@dataclass(frozen=True)
class Cell:
    index: int
    name: str
    technique: str
    target: str
    suite_arg: str
    plan: RunPlan
    suite: Suite


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:40] or "x"


def cells(sweep: SweepPlan, base: Path) -> list[Cell]:
    """The sweep's cells in a fixed order (technique, target, suite)."""
    n = len(sweep.techniques) * len(sweep.targets) * len(sweep.suites)
    if n > MAX_CELLS:
        raise UserError(f"sweep '{sweep.name}' has {n} cells; at most {MAX_CELLS}: split it")
    loaded_suites = {s: suites.load_suite_arg(s) for s in sweep.suites}
    out: list[Cell] = []
    for tech_path in sweep.techniques:
        path = (base / tech_path).resolve()
        sub = read_model(Submission, path).model_copy(update={"evidence": []})
        for target in sweep.targets:
            for suite_arg, st in loaded_suites.items():
                try:
                    plan = RunPlan(submission=sub, suite=suite_arg, suite_hash=st.content_hash, target=target,
                                   references=sweep.references, samples=sweep.samples, sampling=sweep.sampling,
                                   conditions=sweep.conditions)
                except ValueError as e:
                    raise UserError(f"sweep '{sweep.name}': technique '{tech_path[:80]}' on {target.address}: "
                                    f"{str(e).splitlines()[-1][:200]}") from None
                i = len(out) + 1
                name = f"{i:02d}-{_slug(sub.id)}-{_slug(target.address)}-{_slug(suite_arg)}"
                out.append(Cell(i, name, sub.id, target.address, suite_arg, plan, st))
    return out


def load_sweep(path: Path) -> SweepPlan:
    return read_model(SweepPlan, path)
