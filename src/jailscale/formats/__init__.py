"""File formats (pydantic models). Each has a JSON Schema in docs/schema/, written by
``scripts/write_schemas.py`` and checked by tests."""

from ._base import canonical_json, sha256_of
from .assessment import Assessment, JudgeRef, MetricResult, Provenance
from .baselines import BaselineEntry, BaselinePicks, BaselineSet
from .calibration import Calibration, Population, Rate
from .evidence import (
    DETERMINATE,
    SUCCESS,
    Condition,
    JudgeCall,
    JudgeFailure,
    Label,
    Layer,
    Message,
    Transcript,
    Verdict,
)
from .submission import (
    Declared,
    Disclosure,
    ReferenceAlternative,
    Reporter,
    Submission,
    Target,
    Technique,
)
from .suite import Behaviour, Suite, SuiteRef, Tier

__all__ = [
    "DETERMINATE",
    "SUCCESS",
    "Assessment",
    "BaselineEntry",
    "BaselinePicks",
    "BaselineSet",
    "Behaviour",
    "Calibration",
    "Condition",
    "Declared",
    "Disclosure",
    "JudgeCall",
    "JudgeFailure",
    "JudgeRef",
    "Label",
    "Layer",
    "Message",
    "MetricResult",
    "Population",
    "Provenance",
    "Rate",
    "ReferenceAlternative",
    "Reporter",
    "Submission",
    "Suite",
    "SuiteRef",
    "Target",
    "Technique",
    "Tier",
    "Transcript",
    "Verdict",
    "canonical_json",
    "sha256_of",
]
