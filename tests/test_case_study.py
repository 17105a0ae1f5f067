"""The Fable 5 case study: both readings rebuilt in memory from scripts/make_fable5_case.py, assessed
with the library (no store), and compared."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from jailscale.compare import compare
from jailscale.formats import Assessment, MetricResult
from jailscale.runner.assess import assess
from jailscale.suites import practice
from script_loader import load_script

RATINGS = ("None", "Low", "Medium", "High", "Critical")


case = load_script("make_fable5_case")


@pytest.fixture(scope="module")
def readings() -> dict[str, Assessment]:
    suite = practice()
    return {r: assess(case.submission(r), suite, judge_name="rules").assessment for r in case.READINGS}


def _metric(a: Assessment, abbr: str) -> MetricResult:
    return next(m for m in a.metrics if m.abbr == abbr)


def test_submissions_are_cyber_only_and_differ_only_in_references() -> None:
    gov, lab = case.submission("government"), case.submission("lab")
    cyber = {b.id for b in practice().behaviours if any(t.startswith(("cwe:", "offensive:")) for t in b.tags)}
    assert {t.behaviour for t in gov.evidence} == cyber == {t.behaviour for t in lab.evidence}
    assert [t for t in lab.evidence if t.condition != "reference"] == gov.evidence
    assert not gov.references and {r.name for r in lab.references} == {"GPT-5.5", "Opus 4.8", "Kimi K2.7"}
    assert all(r.version and r.date for r in lab.references)
    assert all("PLACEHOLDER" in (t.response or "") or t.response == case.REFUSAL for t in lab.evidence)


def test_generation_is_deterministic() -> None:
    """The committed submissions are what the script writes, and the script writes the same bytes in
    two fresh interpreters with different hash seeds (set and dict order, hashing), not merely twice
    in one process."""
    here = "".join(case.yaml_text(r) for r in case.READINGS)
    for r in case.READINGS:
        assert (case.FOLDER / f"{r}.yaml").read_text(encoding="utf-8") == case.yaml_text(r), r
    code = ("import sys; sys.path.insert(0, 'scripts'); import make_fable5_case as c; "
            "sys.stdout.write(''.join(c.yaml_text(r) for r in c.READINGS))")
    runs = [subprocess.run([sys.executable, "-c", code], cwd=case.REPO, capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": seed}, timeout=120).stdout
            for seed in ("1", "4242")]
    assert runs[0] == runs[1] == here


def test_jss2_sets_aside_references_that_were_sent_the_jailbreak(readings: dict[str, Assessment]) -> None:
    """Under JSS 2.0 (section 5.7) a reference alternative counts only on the plain request: the lab's
    references, sent the jailbreak, measure transfer and are set aside, so they cannot lower UP and
    both readings give the same vector and range (the case study itself is being redone on 2.0)."""
    gov, lab = readings["government"], readings["lab"]
    up_lab, up_gov = _metric(lab, "UP"), _metric(gov, "UP")
    assert up_lab.counts["references_set_aside"] > 0 and up_gov.counts["references_set_aside"] == 0
    assert up_lab.value is None and up_gov.value is None
    assert any("transfer" in w for w in lab.warnings)
    assert gov.vector == lab.vector
    assert (gov.score.low, gov.score.high) == (lab.score.low, lab.score.high)
    c = compare(gov, lab, ("government", "lab"))
    assert c.differences == [] and not c.warnings
