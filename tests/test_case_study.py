"""The Fable 5 case study on the JSS 2.0 rules: both readings rebuilt in memory from
scripts/make_fable5_case.py, assessed with the library (no store), compared, and the published page
checked for what issue 6 asked it to correct."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from jailscale.compare import compare
from jailscale.formats import Assessment, MetricResult
from jailscale.runner.assess import assess
from jailscale.spec import thresholds as th
from script_loader import load_script

case = load_script("make_fable5_case")


@pytest.fixture(scope="module")
def readings() -> dict[str, Assessment]:
    suite = case.suite()
    return {r: assess(case.submission(r), suite, judge_name="rules").assessment for r in case.READINGS}


def _metric(a: Assessment, abbr: str) -> MetricResult:
    return next(m for m in a.metrics if m.abbr == abbr)


def test_submissions_cover_the_incident_slice_and_differ_only_in_plain_request_references() -> None:
    gov, lab = case.submission("government"), case.submission("lab")
    suite = case.suite()
    assert {b.tier for b in suite.behaviours} == {"S"}  # section 4.2's cyber guidance: high-risk dual use
    ids = {b.id for b in suite.behaviours}
    assert {t.behaviour for t in gov.evidence} == ids == {t.behaviour for t in lab.evidence}
    assert [t for t in lab.evidence if t.condition != "reference"] == gov.evidence
    assert not gov.references and [r.name for r in lab.references] == ["GPT-5.5"]  # named by 2026-06-12
    by = suite.by_id()
    refs = [t for t in lab.evidence if t.condition == "reference"]
    assert refs and all(t.prompt[0].content == by[t.behaviour].request for t in refs)  # the plain request
    assert "TR" not in gov.declared and "TR" not in lab.declared  # not declared from the baseline models
    assert all("PLACEHOLDER" in (t.response or "") or t.response == case.REFUSAL for t in lab.evidence)


def test_generation_is_deterministic() -> None:
    """The committed files are what the script writes, and the script writes the same bytes in two fresh
    interpreters with different hash seeds."""
    here = "".join(case.yaml_text(r) for r in case.READINGS) + case.suite_text()
    for r in case.READINGS:
        assert (case.FOLDER / f"{r}.yaml").read_text(encoding="utf-8") == case.yaml_text(r), r
    assert (case.FOLDER / "suite.yaml").read_text(encoding="utf-8") == case.suite_text()
    code = ("import sys; sys.path.insert(0, 'scripts'); import make_fable5_case as c; "
            "sys.stdout.write(''.join(c.yaml_text(r) for r in c.READINGS) + c.suite_text())")
    runs = [subprocess.run([sys.executable, "-c", code], cwd=case.REPO, capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": seed}, timeout=120).stdout
            for seed in ("1", "4242")]
    assert runs[0] == runs[1] == here


def test_the_readings_differ_only_in_a_measured_uplift(readings: dict[str, Assessment]) -> None:
    gov, lab = readings["government"], readings["lab"]
    for m in ("HD", "UN", "FI", "RL", "SB"):
        assert _metric(gov, m).value == _metric(lab, m).value, m
    assert _metric(gov, "HD").value == "S"
    up_gov, up_lab = _metric(gov, "UP"), _metric(lab, "UP")
    assert up_gov.source == "unset" and up_lab.source == "measured" and up_lab.value == "N"
    assert up_lab.estimate is not None and up_lab.estimate < th.UP_MARGIN  # strictly below, as the spec says
    assert _metric(gov, "TR").source == "unset"
    assert gov.score.rating == "Medium" and lab.score.rating == "Low" and lab.score.capped_by == ["UP:N"]
    c = compare(gov, lab, ("government", "lab"))
    assert [d.abbr for d in c.differences] == ["UP"] and c.differences[0].decisive


def test_sub_scores_beside_the_number(readings: dict[str, Assessment]) -> None:
    g, lab = case.sub_scores(readings["government"]), case.sub_scores(readings["lab"])
    assert set(g) == {"bypass", "capability", "ease"}
    assert g["bypass"] == lab["bypass"] and g["ease"] == lab["ease"] and g["capability"] != lab["capability"]


def test_the_page_is_current_and_says_what_issue_6_asked() -> None:
    text = case.DOC.read_text(encoding="utf-8")
    assert case.main(["--check"]) == 0, "rerun .venv/bin/python scripts/make_fable5_case.py"
    assert "On that day it named **GPT-5.5**" in text and "**2026-06-12**" in text
    assert "**Opus 4.8** and **Kimi K2.7** were named then" in text and "**2026-06-30**" in text
    for concern in ("**diversion**", "**foreign access**", "**guardrails that cannot be bypassed**"):
        assert concern in text
    assert "**TR by its own rule.**" in text and "**HD by section 4.2's own guidance.**" in text
    assert "| reading | score (range) | bypass | capability | ease |" in text
    assert "**Sources.**" in text and "secondary" in text
