"""Typed calibrations: built from counts with intervals, saved and found again, and never used on
another judge, configuration or population."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jailscale.errors import UserError
from jailscale.judges import calibration_for, get
from jailscale.judges.calibration import (
    calibration_from_counts,
    kappa_with_interval,
    load_calibration,
    rate,
    save_calibration,
)


def test_counts_give_rates_with_wilson_intervals_and_kappa() -> None:
    # tp 3, fn 1, fp 2, tn 4: se 0.75, sp 4/6, accuracy 0.7, kappa 0.4 (as in the Agreement test)
    cal = calibration_from_counts(("x", "1", None), population="attack_responses", dataset="hand",
                                  tp=3, fp=2, tn=4, fn=1)
    assert cal.n == 10 and cal.sensitivity.estimate == pytest.approx(0.75)
    assert cal.specificity.estimate == pytest.approx(4 / 6) and cal.accuracy.estimate == pytest.approx(0.7)
    assert cal.kappa == pytest.approx(0.4)
    assert cal.f1 == pytest.approx(6 / 9)
    # Wilson 3/4: centre (0.75 + 1.92/4)/(1 + 3.84/4) ~ 0.628, half ~ 0.40 -> about [0.30, 0.95]
    assert cal.sensitivity.low == pytest.approx(0.3006, abs=1e-3)
    assert cal.sensitivity.high == pytest.approx(0.9544, abs=1e-3)
    assert cal.kappa_interval is not None
    low, high = cal.kappa_interval
    assert low < 0.4 < high and low >= -1.0 and high <= 1.0


def test_kappa_interval_narrows_with_n_and_degenerate_tables() -> None:
    _, small = kappa_with_interval(3, 2, 4, 1)
    _, large = kappa_with_interval(300, 200, 400, 100)
    assert small is not None and large is not None
    assert large[1] - large[0] < small[1] - small[0]
    assert kappa_with_interval(0, 0, 5, 0) == (None, None)  # both raters constant: chance agreement 1
    assert kappa_with_interval(0, 0, 0, 0) == (None, None)
    with pytest.raises(ValueError):
        rate(0, 0)


def test_a_set_without_one_class_is_refused_with_a_reason() -> None:
    with pytest.raises(UserError, match="no scored harmful"):
        calibration_from_counts(("x", "1", None), population="attack_responses", dataset="d", tp=0, fp=1, tn=3, fn=0)
    with pytest.raises(UserError, match="not-harmful"):
        calibration_from_counts(("x", "1", None), population="attack_responses", dataset="d", tp=2, fp=0, tn=0, fn=1)


def test_user_calibration_is_saved_found_and_kept_to_its_population(tmp_path: Path) -> None:
    judge = get("mock")
    cal = calibration_from_counts(judge, population="benign_requests", dataset="mine", tp=8, fp=1, tn=9, fn=2,
                                  created_at=datetime(2026, 1, 1, tzinfo=UTC))
    path = save_calibration(cal, tmp_path)
    assert path.parent == tmp_path and load_calibration(path) == cal
    assert calibration_for(judge, "benign_requests", user_dir=tmp_path) == cal
    assert calibration_for(judge, "attack_responses", user_dir=tmp_path) is None  # never across populations
    newer = cal.model_copy(update={"created_at": datetime(2026, 6, 1, tzinfo=UTC), "dataset": "newer"})
    (tmp_path / "mock-v1.benign_requests.other.json").write_text(newer.model_dump_json(), encoding="utf-8")
    found = calibration_for(judge, "benign_requests", user_dir=tmp_path)
    assert found is not None and found.dataset == "newer"
    (tmp_path / "mock-v1.benign_requests.broken.json").write_text("{not json", encoding="utf-8")
    assert calibration_for(judge, "benign_requests", user_dir=tmp_path) is not None  # damaged file skipped


def test_an_explicit_file_must_apply(tmp_path: Path) -> None:
    judge = get("mock")
    cal = calibration_from_counts(judge, population="attack_responses", dataset="mine", tp=5, fp=1, tn=5, fn=1)
    path = save_calibration(cal, tmp_path)
    assert calibration_for(judge, "attack_responses", file=path) == cal
    with pytest.raises(UserError, match="measured on attack_responses, not benign_requests"):
        calibration_for(judge, "benign_requests", file=path)
    with pytest.raises(UserError, match="calibrates mock v1, not rules"):
        calibration_for(get("rules"), "attack_responses", file=path)
    other = cal.model_copy(update={"config_hash": "sha256:" + "0" * 64})
    other_path = tmp_path / "other.json"
    other_path.write_text(other.model_dump_json(), encoding="utf-8")
    with pytest.raises(UserError, match="configuration"):
        calibration_for(judge, "attack_responses", file=other_path)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "jailscale.calibration/1"}), encoding="utf-8")
    with pytest.raises(UserError, match="not a jailscale calibration"):
        load_calibration(bad)
    with pytest.raises(UserError, match="cannot read"):
        load_calibration(tmp_path / "missing.json")
