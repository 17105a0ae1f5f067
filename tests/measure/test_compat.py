"""1.0 assessments stay readable: a file written by the 1.0 measurement (the demo as assessed at commit
1b6a4db, neutral placeholder evidence) parses, keeps its content id, and passes the integrity check;
new assessments state the measurement rules and the calibration they used."""

from __future__ import annotations

from pathlib import Path

from jailscale.formats import Assessment
from jailscale.formats.io import read_model
from jailscale.integrity import check_assessment, content_id
from jailscale.measure import MEASUREMENT_VERSION
from jailscale.runner.assess import assess
from jailscale.runner.demo import demo_inputs

OLD = Path(__file__).parent / "data" / "demo-assessment-1.0.json"


def test_a_1_0_assessment_parses_keeps_its_id_and_is_intact() -> None:
    a = read_model(Assessment, OLD)
    assert a.vector.startswith("JSS:1.0/") and a.provenance.spec_version == "1.0"
    assert a.provenance.measured_under is None and a.provenance.judge.calibration_used is None
    assert all(m.n is None and m.rates == [] for m in a.metrics)
    assert content_id(a) == a.id
    assert check_assessment(a) == []


def test_a_new_assessment_states_its_rules_and_calibration() -> None:
    sub, suite = demo_inputs()
    a = assess(sub, suite).assessment
    assert a.provenance.measured_under == MEASUREMENT_VERSION == "2.0"
    cal = a.provenance.judge.calibration_used
    assert cal is not None and cal.population == "attack_responses" and cal.judge == "rules"
    hd = next(m for m in a.metrics if m.abbr == "HD")
    assert hd.n is not None and hd.unit == "behaviours"
    assert content_id(a) == a.id and check_assessment(a) == []


def test_the_spec_appendix_must_list_every_measurement_constant(tmp_path: Path) -> None:
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "spec" / "test_spec_doc.py"
    spec = importlib.util.spec_from_file_location("spec_doc_checks", path)
    assert spec is not None and spec.loader is not None
    doc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(doc)
    measure_pkg = Path(__file__).resolve().parents[2] / "src" / "jailscale" / "measure"
    assert measure_pkg in doc.APPENDIX_COVERS
    assert doc.missing_from_appendix(doc.TEXT, (measure_pkg,)) == []
    fake = tmp_path / "measure"
    fake.mkdir()
    (fake / "constants.py").write_text("WITNESSES = 2\nNEW_FLOOR = 0.3\n", encoding="utf-8")
    assert doc.missing_from_appendix(doc.TEXT, (fake,)) == ["measure/constants.py: NEW_FLOOR is not in Appendix A"]
