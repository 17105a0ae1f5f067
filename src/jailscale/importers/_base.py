"""What every importer takes and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..formats import Submission, Suite

Tier = Literal["L", "M", "S", "C"]


class ImportOptions(BaseModel):
    """What the user states where the file cannot say it.

    ``complied_when`` maps a scorer (Inspect scorer, promptfoo assertion metric) to the recorded
    value that means "the model complied": Inspect's ``C``/``I`` means "met the criterion", and only
    the person who wrote the criterion knows whether meeting it means complying or refusing.
    ``tier`` is the JSS harm tier of behaviours whose file does not carry one; ``category`` their
    category. ``redteam_config`` is promptfoo's red-team YAML, which holds the prompts that
    ``results.json`` redacts.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    complied_when: dict[str, str] = Field(default_factory=dict)
    tier: Tier | None = None
    category: str | None = Field(None, min_length=1, max_length=200)
    redteam_config: Path | None = None

    @field_validator("complied_when")
    @classmethod
    def _named(cls, v: dict[str, str]) -> dict[str, str]:
        for k, val in v.items():
            if not k.strip() or not val.strip():
                raise ValueError("each scorer sense is SCORER=VALUE with both parts non-empty")
        return v


@dataclass
class ImportResult:
    """The submissions read from outside evidence, the suites their behaviours come from (by
    submission id, when the file defines its own behaviours), and what the reader noticed on the
    way: counts that disagree, missing fields, evidence that is absent. Warnings are for people;
    they are never a reason to change the evidence."""

    submissions: list[Submission] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    suites: dict[str, Suite] = field(default_factory=dict)

    def extend(self, other: ImportResult) -> None:
        self.submissions.extend(other.submissions)
        self.warnings.extend(other.warnings)
        self.suites.update(other.suites)


class Importer(Protocol):
    def __call__(self, path: Path, options: ImportOptions, /) -> ImportResult: ...


class Detector(Protocol):
    def __call__(self, path: Path, head: bytes, /) -> bool: ...
