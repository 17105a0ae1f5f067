"""Judge calibration: agreement with human labels, the loaders of the labelled sets, the
Rogan-Gladen correction, typed calibrations (``records``: built, saved, found) and the evaluation of
a judge on a labelled set (``evaluate``). The shipped calibrations are in ``shipped/``, written by
``scripts/validate_judges.py``."""

from __future__ import annotations

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
from .stats import (
    Agreement,
    LabelledItem,
    LabelledSet,
    agreement_of_verdicts,
    agreement_stats,
    calibrate,
    rogan_gladen,
)

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
