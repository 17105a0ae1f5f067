"""Judge calibration: agreement with human labels, the loaders of the labelled sets, the
Rogan-Gladen correction, and the shipped figures (``<judge>-v<version>.json`` in this folder,
written by ``scripts/calibrate_judges.py``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..base import Judge
from .loaders import (
    DEFAULT_DATA_DIR,
    JBB_REFERENCE_JUDGES,
    LOADERS,
    file_sha256,
    jbb_reference_judges,
    load_gptfuzz,
    load_jbb_judge_comparison,
    load_xstest,
    xstest_string_match_baseline,
)
from .records import (
    calibration_for,
    calibration_from_counts,
    kappa_with_interval,
    load_calibration,
    rate,
    save_calibration,
    user_calibration_dir,
)
from .report import calibration_report
from .stats import (
    Agreement,
    LabelledItem,
    LabelledSet,
    agreement_of_verdicts,
    agreement_stats,
    calibrate,
    rogan_gladen,
)

HERE = Path(__file__).resolve().parent


def calibration_path(judge: Judge) -> Path:
    """Where the shipped calibration of ``judge``'s name and version lives (it may not exist)."""
    return HERE / f"{judge.name}-v{judge.version}.json"


def calibration_of(judge: Judge) -> dict[str, Any] | None:
    """The shipped calibration figures of ``judge``, or None when there are none for its name and
    version, or when they were measured with another configuration (``config_hash`` differs): a
    reconfigured judge is an uncalibrated judge."""
    path = calibration_path(judge)
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if data.get("config_hash") != judge.config_hash:
        return None
    return data


__all__ = [
    "DEFAULT_DATA_DIR",
    "JBB_REFERENCE_JUDGES",
    "LOADERS",
    "Agreement",
    "LabelledItem",
    "LabelledSet",
    "agreement_of_verdicts",
    "agreement_stats",
    "calibrate",
    "calibration_for",
    "calibration_from_counts",
    "calibration_of",
    "calibration_path",
    "calibration_report",
    "file_sha256",
    "jbb_reference_judges",
    "kappa_with_interval",
    "load_calibration",
    "load_gptfuzz",
    "load_jbb_judge_comparison",
    "load_xstest",
    "rate",
    "rogan_gladen",
    "save_calibration",
    "user_calibration_dir",
    "xstest_string_match_baseline",
]
