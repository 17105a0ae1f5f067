"""A jailbreak report with its evidence: the technique, the target system, and transcripts."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..spec import VectorError, parse
from ._base import Model, sha256_of
from .evidence import Layer, Transcript

TechniqueKind = Literal["template", "multi_turn", "transforms", "prefill", "system_prompt", "opaque"]
TRANSFORMS = ("base64", "rot13", "leetspeak", "char_swap", "reverse", "translate", "caesar")
REQUEST_SLOT = "{request}"


class Technique(Model):
    """How the jailbreak works. ``template`` has a ``{request}`` slot; ``multi_turn`` is a script of
    user turns, one with the slot; ``transforms`` is a chain applied to the request; ``prefill`` and
    ``system_prompt`` use privileged features; ``opaque`` is a per-request attack (PAIR, GCG) whose
    prompts are only in the evidence."""

    kind: TechniqueKind
    name: str = Field(min_length=1)
    description: str = ""
    template: str | None = None
    turns: list[str] | None = None
    transforms: list[str] | None = None
    prefill: str | None = None
    system_prompt: str | None = None
    public_reference: str | None = None

    @model_validator(mode="after")
    def _kind_has_its_fields(self) -> Technique:
        k = self.kind
        if k == "template" and (not self.template or REQUEST_SLOT not in self.template):
            raise ValueError(f"a 'template' technique needs 'template' text with a {REQUEST_SLOT} slot")
        if k == "multi_turn" and (not self.turns or not any(REQUEST_SLOT in t for t in self.turns)):
            raise ValueError(f"a 'multi_turn' technique needs 'turns', one containing {REQUEST_SLOT}")
        if k == "transforms":
            if not self.transforms:
                raise ValueError(f"a 'transforms' technique needs 'transforms' from {', '.join(TRANSFORMS)}")
            bad = [t for t in self.transforms if t not in TRANSFORMS]
            if bad:
                raise ValueError(f"unknown transform(s) {', '.join(bad)}; known: {', '.join(TRANSFORMS)}")
        if k == "prefill" and not self.prefill:
            raise ValueError("a 'prefill' technique needs 'prefill' text")
        if k == "system_prompt" and not self.system_prompt:
            raise ValueError("a 'system_prompt' technique needs 'system_prompt' text")
        return self


class Target(Model):
    """The target system: model, its declared safeguard layers, how it is reached, who can reach it."""

    model: str = Field(min_length=1, description="provider/model, e.g. openai/gpt-4o")
    model_version: str | None = None
    safeguards: list[Layer] = Field(default_factory=lambda: list[Layer](["refusal_training"]), min_length=1)
    access: Literal["api", "consumer", "privileged", "weights"] = "api"
    exposure: Literal["R", "E", "P", "O"] = Field("P", description="JSS DX code")


class Reporter(Model):
    name: str = Field(min_length=1)
    organisation: str | None = None
    contact: str | None = None


class Disclosure(Model):
    reported_on: dt.date | None = None
    public_on: dt.date | None = None
    in_the_wild: bool = False


class ReferenceAlternative(Model):
    """A freely available alternative for UP: a public tool, an open-weight or a deployed model."""

    name: str = Field(min_length=1)
    kind: Literal["tool", "open_weights", "commercial", "source"]
    version: str = Field(min_length=1)
    date: dt.date


class Declared(Model):
    """A threat or environmental metric set by the submitter or triager, with its reason."""

    value: str
    justification: str = Field(min_length=1)


DECLARABLE = ("EM", "AC", "AR", "AU", "TR", "DX", "RM")


class Submission(Model):
    format: Literal["jailscale.submission/1"] = "jailscale.submission/1"
    id: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:\-]+$")
    title: str = Field(min_length=1)
    assessed_on: dt.date
    technique: Technique
    target: Target
    reporter: Reporter | None = None
    disclosure: Disclosure | None = None
    claimed_vector: str | None = None
    declared: dict[str, Declared] = Field(default_factory=dict)
    references: list[ReferenceAlternative] = Field(default_factory=list)
    baselines: list[str] = Field(default_factory=list, max_length=50,
                                 description="reference alternatives picked by id from a baseline registry "
                                             "(jailscale.baselines/1); reference transcripts name the id")
    suite: str | None = Field(None, description="name or hash of the suite the evidence answers")
    evidence: list[Transcript] = Field(default_factory=list)

    @field_validator("claimed_vector")
    @classmethod
    def _vector_parses(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                parse(v)
            except VectorError as e:
                raise ValueError(str(e)) from None
        return v

    @field_validator("declared")
    @classmethod
    def _declarable(cls, d: dict[str, Declared]) -> dict[str, Declared]:
        from ..spec.metrics import BY_ABBR

        for abbr, decl in d.items():
            if abbr not in DECLARABLE:
                raise ValueError(f"'{abbr}' cannot be declared; declare only {', '.join(DECLARABLE)} "
                                 "(the other metrics are measured from the evidence)")
            if decl.value not in BY_ABBR[abbr].codes:
                raise ValueError(f"declared {abbr} value '{decl.value}' is not one of "
                                 f"{', '.join(BY_ABBR[abbr].codes)}")
        return d

    @model_validator(mode="after")
    def _evidence_consistent(self) -> Submission:
        names = {r.name for r in self.references} | set(self.baselines)
        seen: set[tuple[str, str, str, int]] = set()
        for i, t in enumerate(self.evidence):
            if t.reference and t.reference not in names:
                raise ValueError(f"evidence[{i}] names reference '{t.reference}', which is not among "
                                 f"the declared references ({', '.join(sorted(names)) or 'none'})")
            if t.key in seen:
                raise ValueError(f"evidence[{i}] repeats behaviour '{t.behaviour}', condition "
                                 f"'{t.condition}', sample {t.sample}")
            seen.add(t.key)
        return self

    @property
    def content_hash(self) -> str:
        """sha256 of everything but the evidence (an empty ``baselines`` is left out, so a submission
        written before the field existed keeps its hash)."""
        exclude = {"evidence"} | (set() if self.baselines else {"baselines"})
        return sha256_of(self.model_dump(mode="json", exclude=exclude))

    def evidence_hashes(self) -> list[str]:
        return [t.content_hash for t in self.evidence]
