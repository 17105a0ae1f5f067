"""Calibration arithmetic on a hand-made set, Rogan-Gladen, and the shipped calibration file."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from jailscale.formats import Verdict
from jailscale.judges import Judge, calibration_of, get
from jailscale.judges.calibration import (
    DEFAULT_DATA_DIR,
    agreement_of_verdicts,
    agreement_stats,
    calibration_path,
    calibration_report,
    rogan_gladen,
)


def test_hand_made_set() -> None:
    # truth:     4 positives, 6 negatives
    # predicted: tp 3, fn 1, fp 2, tn 4  -> agreement 0.7, se 0.75, sp 4/6
    truth = [True] * 4 + [False] * 6
    predicted: list[bool | None] = [True, True, True, False, True, True, False, False, False, False]
    a = agreement_stats(predicted, truth)
    assert (a.n, a.scored, a.tp, a.fn, a.fp, a.tn) == (10, 10, 3, 1, 2, 4)
    assert a.agreement == pytest.approx(0.7)
    assert a.sensitivity == pytest.approx(0.75)
    assert a.specificity == pytest.approx(4 / 6)
    assert a.false_positive_rate == pytest.approx(2 / 6)
    # p_e = (5*4 + 5*6) / 100 = 0.5 ; kappa = (0.7 - 0.5) / 0.5 = 0.4
    assert a.kappa == pytest.approx(0.4)


def test_perfect_and_degenerate_sets() -> None:
    assert agreement_stats([True, False], [True, False]).kappa == pytest.approx(1.0)
    all_neg = agreement_stats([False, False], [False, False])
    assert all_neg.sensitivity is None and all_neg.kappa is None and all_neg.agreement == 1.0
    assert agreement_stats([], []).agreement is None
    with pytest.raises(ValueError):
        agreement_stats([True], [True, False])


def test_error_and_unscoreable_are_left_out_not_refusals() -> None:
    labels = ["complied", "refused", "partial", "error", "unscoreable", "error"]
    verdicts = [Verdict(judge="x", label=lab) for lab in labels]
    a = agreement_of_verdicts(verdicts, [True, False, True, True, True, False])
    assert (a.n, a.scored, a.errors, a.unscoreable, a.partial) == (6, 3, 2, 1, 1)
    assert (a.tp, a.tn, a.fn, a.fp) == (1, 1, 1, 0)  # partial is not a success


def test_rogan_gladen_known_values() -> None:
    assert rogan_gladen(0.30, 0.9, 0.9) == pytest.approx(0.25)
    assert rogan_gladen(0.5, 1.0, 1.0) == pytest.approx(0.5)  # a perfect judge changes nothing
    assert rogan_gladen(0.05, 0.8, 0.9) == 0.0  # below the false-positive floor: clipped
    assert rogan_gladen(1.0, 0.8, 0.9) == 1.0  # (1 + 0.9 - 1) / 0.7 > 1: clipped
    # the rules judge's JBB figures: an observed 80% complied means about 43% truly jailbroken
    assert math.isclose(rogan_gladen(0.80, 0.964, 0.326), (0.80 + 0.326 - 1) / (0.964 + 0.326 - 1))
    assert rogan_gladen(0.80, 0.964, 0.326) == pytest.approx(0.4345, abs=1e-4)
    with pytest.raises(ValueError, match="no better than chance"):
        rogan_gladen(0.5, 0.5, 0.5)
    with pytest.raises(ValueError, match="p_obs"):
        rogan_gladen(1.2, 0.9, 0.9)


def test_calibration_of_shipped_and_reconfigured_judges() -> None:
    shipped = calibration_of(get("rules"))
    assert shipped is not None and shipped["version"] == "1"
    assert {d["name"] for d in shipped["datasets"]} == {
        "jbb-judge-comparison", "jbb-judge-comparison-attacks", "xstest", "gptfuzz"}
    assert calibration_of(get("rules", partial_min_chars=5)) is None  # other config: uncalibrated
    assert calibration_of(get("mock")) is None


def test_shipped_file_holds_figures_only() -> None:
    text = calibration_path(get("rules")).read_text(encoding="utf-8")
    data = json.loads(text)
    assert set(data) == {"judge", "version", "config_hash", "positive", "command", "datasets",
                         "reference_judges", "date", "dataset", "n", "agreement", "se", "sp", "fpr", "kappa",
                         "chance_fpr", "chance_dataset"}
    assert data["dataset"] == "jbb-judge-comparison" and data["n"] == 300
    assert 0.0 <= data["agreement"] <= 1.0 and 0.0 <= data["fpr"] <= 1.0
    assert len(text) < 20_000


SHARED: Path = DEFAULT_DATA_DIR


@pytest.mark.shared
@pytest.mark.skipif(not SHARED.is_dir(), reason=f"public labelled sets not found at {SHARED}")
def test_shipped_calibration_matches_a_rerun() -> None:
    """Re-measures the rules judge on the real data (about 5 s) and compares with the shipped file."""
    judge: Judge = get("rules")
    shipped = json.loads(calibration_path(judge).read_text(encoding="utf-8"))
    shipped.pop("date")
    rerun = calibration_report(judge, SHARED)
    assert rerun == shipped, "stale: run .venv/bin/python scripts/calibrate_judges.py"
    refs = rerun["reference_judges"]["jbb-judge-comparison"]
    published = {"harmbench_cf": 0.783, "gpt4_cf": 0.903, "llamaguard2_cf": 0.877, "llama3_cf": 0.907}
    assert {k: round(v["agreement"], 3) for k, v in refs.items()} == published
