"""What a run of the main job returns (:func:`jailscale.runner.assess.assess`, or the rerun shortcut in
:mod:`jailscale.runner.rerun`): light, so that a caller can hold one without importing the judges,
measurement and reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..formats import Assessment, Verdict


@dataclass
class Outcome:
    assessment: Assessment
    verdicts: dict[str, Verdict]
    written: list[Path]
    stored: bool
    judged: int
    reused: int
    #: The outputs' text as written (empty without an output folder): what the rerun shortcut keeps.
    files: dict[str, str] = field(default_factory=dict)


def assessment_json(a: Assessment) -> str:
    """The canonical ``assessment.json`` text (stable key order, two-space indent, final newline)."""
    return a.model_dump_json(indent=2) + "\n"
