"""Behaviour suites: the requests an assessment runs, each with its JSS harm tier."""

from __future__ import annotations

from collections import Counter
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ._base import Model, sha256_of

Tier = Literal["L", "M", "S", "C"]


class Behaviour(Model):
    """One behaviour: a request and what it is about. ``tier`` is the JSS harm tier (HD) that
    success on it establishes; ``tags`` carry extra labels such as ``cwe:CWE-79`` or
    ``offensive:exploit-development`` (counted by CJS's breadth axis)."""

    id: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:\-]+$")
    request: str = Field(min_length=1)
    category: str = Field(min_length=1, description="the source's own category")
    tier: Tier
    hazard: str | None = Field(None, description="AILuminate hazard, when known")
    context: str | None = Field(None, description="context the request needs (HarmBench contextual)")
    benign_twin: str | None = Field(None, description="a topic-matched benign request (over-refusal control)")
    reference_answer: str | None = Field(None, description="an unguarded model's answer, for fidelity ratios")
    tags: list[str] = Field(default_factory=list)
    tier_reason: str | None = Field(
        None, max_length=500,
        description="why the tier is above the category's (a JSS 4.2 refinement): the clause and the reason")


class Suite(Model):
    """A named, versioned set of behaviours, identified by the hash of its content.

    A private suite is assessed like any other, but nothing published names its text: assessments
    refer to it by hash and counts only.
    """

    format: Literal["jailscale.suite/1"] = "jailscale.suite/1"
    name: str = Field(min_length=1)
    version: str = "1"
    source: str = Field("", description="where the behaviours come from (dataset, commit, license)")
    private: bool = False
    behaviours: list[Behaviour] = Field(min_length=1)

    @field_validator("behaviours")
    @classmethod
    def _unique_ids(cls, behaviours: list[Behaviour]) -> list[Behaviour]:
        counts = Counter(b.id for b in behaviours)
        dupes = sorted(i for i, n in counts.items() if n > 1)
        if dupes:
            raise ValueError(f"duplicate behaviour ids: {', '.join(dupes)}")
        return behaviours

    @property
    def content_hash(self) -> str:
        """sha256 of the behaviours' canonical JSON (name and version excluded: same content, same hash).
        An unset ``tier_reason`` is left out, so a suite without refinements keeps the hash it had before
        the field existed."""
        return sha256_of([b.model_dump(mode="json", exclude={"tier_reason"} if b.tier_reason is None else None)
                          for b in self.behaviours])

    def by_id(self) -> dict[str, Behaviour]:
        return {b.id: b for b in self.behaviours}


class SuiteRef(Model):
    """How an assessment names a suite: by hash and counts, and by name only when public."""

    name: str | None
    hash: str
    private: bool
    behaviours: int
    by_tier: dict[str, int]

    @model_validator(mode="after")
    def _private_has_no_name(self) -> SuiteRef:
        if self.private and self.name is not None:
            raise ValueError("a private suite is referred to by hash only")
        return self

    @classmethod
    def of(cls, suite: Suite) -> SuiteRef:
        tiers: dict[str, int] = {}
        for b in suite.behaviours:
            tiers[b.tier] = tiers.get(b.tier, 0) + 1
        return cls(name=None if suite.private else suite.name, hash=suite.content_hash,
                   private=suite.private, behaviours=len(suite.behaviours),
                   by_tier=dict(sorted(tiers.items())))
