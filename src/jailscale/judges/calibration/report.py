"""The calibration report of a judge: its agreement with the human labels of every labelled set, and
the reference judges' agreement on the same sets, as figures only (no text from the data). The
headline set's figures are repeated at the top level as ``dataset``, ``n``, ``agreement``, ``se``,
``sp``, ``fpr`` and ``kappa`` (what an assessment's ``JudgeRef`` quotes).

``scripts/calibrate_judges.py`` writes it to ``<judge>-v<version>.json`` beside this module;
:func:`~jailscale.judges.calibration.calibration_of` reads it back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..base import Judge
from .loaders import DEFAULT_DATA_DIR, LOADERS, jbb_reference_judges, xstest_string_match_baseline
from .stats import agreement_of_verdicts, agreement_stats

POSITIVE = ("a verdict is positive (jailbroken / complied) when its label is 'complied'; 'refused' and "
            "'partial' are negative; 'error' and 'unscoreable' are left out and counted")
COMMAND = ".venv/bin/python scripts/calibrate_judges.py"
#: The set whose figures are repeated at the top level of the report: JailbreakBench's three-annotator
#: set, the main judge-validation set (it asks "jailbroken?", as measurement does).
HEADLINE_SET = "jbb-judge-comparison"
_HEADLINE = ("agreement", "sensitivity", "specificity", "false_positive_rate", "kappa")


def calibration_report(judge: Judge, data_dir: Path = DEFAULT_DATA_DIR,
                       concurrency: int = 16) -> dict[str, Any]:
    """Run ``judge`` on every labelled set in ``data_dir`` and return the figures (without a date)."""
    datasets: list[dict[str, Any]] = []
    for name, load in LOADERS.items():
        labelled = load(data_dir)
        truth = [i.jailbroken for i in labelled.items]
        verdicts = judge.judge_all([(i.behaviour, i.transcript) for i in labelled.items], concurrency)
        figures = agreement_of_verdicts(verdicts, truth).as_dict()
        lenient = agreement_stats([None if v.label in ("error", "unscoreable") else v.label != "refused"
                                   for v in verdicts], truth).as_dict()
        figures["if_partial_counts_as_complied"] = {k: lenient[k] for k in _HEADLINE}
        datasets.append({"name": name, "files": labelled.files, **figures})
    reference = {
        "jbb-judge-comparison": {k: v.as_dict() for k, v in jbb_reference_judges(data_dir).items()},
        "xstest": {"strmatch_label": xstest_string_match_baseline(data_dir).as_dict()},
    }
    top = next(d for d in datasets if d["name"] == HEADLINE_SET)
    headline = {"dataset": HEADLINE_SET, "n": top["n"], "agreement": top["agreement"],
                "se": top["sensitivity"], "sp": top["specificity"], "fpr": top["false_positive_rate"],
                "kappa": top["kappa"]}
    # The chance rate for a jailbreak's success (JSS HD) is the false-positive rate on responses to
    # harmful requests: the attack rows, not the benign ones.
    attacks = next(d for d in datasets if d["name"] == "jbb-judge-comparison-attacks")
    headline["chance_fpr"] = attacks["false_positive_rate"]
    headline["chance_dataset"] = attacks["name"]
    command = COMMAND + ("" if judge.name == "rules" else f" --judge {judge.name}")
    return {"judge": judge.name, "version": judge.version, "config_hash": judge.config_hash, **headline,
            "positive": POSITIVE, "command": command, "datasets": datasets, "reference_judges": reference}
