"""What every importer returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..formats import Submission


@dataclass
class ImportResult:
    """The submissions read from outside evidence, and what the reader noticed on the way: counts
    that disagree, missing fields, evidence that is absent. Warnings are for people; they are
    never a reason to change the evidence."""

    submissions: list[Submission] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def extend(self, other: ImportResult) -> None:
        self.submissions.extend(other.submissions)
        self.warnings.extend(other.warnings)


Importer = Callable[[Path], ImportResult]
