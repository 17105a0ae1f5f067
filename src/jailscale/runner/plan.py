"""A run plan: which requests a live run sends, to which targets, how many times, with what settings.

A plan is a submission-like file (the technique, the target, the declared references, the suite)
plus how to run it (samples, sampling parameters, conditions, reference addresses). Its items are
generated lazily, in a fixed order (behaviour, condition, reference, sample), so a plan of any size
costs no memory, and a resumed run walks the same items. The plan's hash is what a journal is tied
to: resuming with a different plan is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, model_validator

from ..formats import Behaviour, Submission, Suite, sha256_of
from ..formats._base import Model
from ..targets import Sampling

RunCondition = Literal["baseline", "jailbreak", "reference"]


class TargetSpec(Model):
    """A target address and its options (never credentials: those come from the environment)."""

    address: str = Field(min_length=1)
    options: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _no_keys(self) -> TargetSpec:
        bad = [k for k in self.options if "key" in k.lower() and k != "api_key_env"]
        if bad:
            raise ValueError(f"option(s) {', '.join(bad)} look like credentials: put keys in the environment "
                             "or .env, and name the variable with api_key_env")
        return self


class AttackSpec(Model):
    """A search attack for an ``opaque`` technique: its name, attacker model and options (the query
    budget: ``iterations`` x ``streams`` target queries at most per behaviour and sample)."""

    name: str = Field(min_length=1)
    attacker: TargetSpec
    options: dict[str, str] = Field(default_factory=dict)


class RunPlan(Model):
    """Everything that decides what a run sends (hashed to tie a journal to its plan)."""

    format: Literal["jailscale.plan/1"] = "jailscale.plan/1"
    submission: Submission = Field(description="technique, target and references (evidence is ignored)")
    suite: str = Field(min_length=1, description="the suite argument: practice, FILE or FORMAT:PATH")
    suite_hash: str
    target: TargetSpec
    references: dict[str, TargetSpec] = Field(default_factory=dict, description="reference name -> target")
    samples: int = Field(1, ge=1, le=1000)
    sampling: Sampling = Field(default_factory=Sampling)
    conditions: list[RunCondition] = Field(default_factory=lambda: list[RunCondition](["baseline", "jailbreak"]))
    behaviours: list[str] | None = Field(None, description="run only these behaviour ids")
    translator: TargetSpec | None = None
    translate_to: str = "French"
    attack: AttackSpec | None = None

    @model_validator(mode="after")
    def _references_declared(self) -> RunPlan:
        declared = {r.name for r in self.submission.references} | set(self.submission.baselines)
        unknown = sorted(set(self.references) - declared)
        if unknown:
            raise ValueError(f"reference(s) {', '.join(unknown)} are neither declared in the submission's "
                             f"'references' nor picked in its 'baselines' ({', '.join(sorted(declared)) or 'none'})")
        if "reference" in self.conditions and not self.references:
            raise ValueError("the 'reference' condition needs at least one reference target "
                             "(--reference NAME=PROVIDER/MODEL)")
        return self

    @property
    def plan_hash(self) -> str:
        return sha256_of(self.model_dump(mode="json", exclude={"submission": {"evidence"}}))


@dataclass(frozen=True, slots=True)
class Item:
    """One planned result: a behaviour under a condition (and reference), one sample."""

    behaviour: Behaviour
    condition: RunCondition
    reference: str
    sample: int

    @property
    def label(self) -> str:
        """``behaviour|condition|reference|sample``: the journal key, also sent to the target as
        ``x-jailscale-item`` and used by the ``replay`` target."""
        return f"{self.behaviour.id}|{self.condition}|{self.reference}|{self.sample}"


def selected(plan: RunPlan, suite: Suite) -> list[Behaviour]:
    if plan.behaviours is None:
        return list(suite.behaviours)
    by_id = suite.by_id()
    return [by_id[b] for b in plan.behaviours if b in by_id]


def items(plan: RunPlan, suite: Suite) -> Iterator[Item]:
    """The plan's items in their fixed order (lazily)."""
    refs = sorted(plan.references)
    for b in selected(plan, suite):
        for cond in plan.conditions:
            for ref in (refs if cond == "reference" else [""]):
                for s in range(plan.samples):
                    yield Item(b, cond, ref, s)


def count(plan: RunPlan, suite: Suite) -> int:
    per = sum(len(plan.references) if c == "reference" else 1 for c in plan.conditions)
    return len(selected(plan, suite)) * per * plan.samples
