"""The published JSON shapes (docs/schema/*.schema.json) describe what the calculator really emits."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from jailscale import spec
from jailscale.cli.main import app
from jailscale.spec.serialize import metric_table, score_dict

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schema"
VECTORS = [
    "JSS:1.0/HD:C/UN:U/FI:H/RL:H/SB:A",
    "JSS:1.0/HD:N/UN:U/FI:H/RL:H/SB:A",
    "JSS:1.0/HD:C/UN:N/FI:L/RL:L/SB:N/UP:N",
    "JSS:1.0/HD:C/UN:U/FI:H/RL:H/SB:A/UP:N/EM:A/AC:L/AR:A/AU:Y/TR:H/DX:P/RM:S",
    "JSS:1.0/HD:S/UN:H/FI:M/RL:M/SB:P/UP:M/EM:P/AC:L/AR:A/AU:Y/TR:L/DX:P/RM:S",
    "JSS:1.0/HD:L/UN:L/FI:L/RL:L/SB:N/UP:N/EM:U/AC:H/AR:W/AU:N/TR:N/DX:R/RM:F",
    "JSS:1.0/HD:M/UN:U/FI:H/RL:H/SB:A/DX:O/RM:X",
    # withheld
    "JSS:1.0/HD:X/UN:U/FI:H/RL:H/SB:A",
    "JSS:1.0/HD:C/UN:X/FI:X/RL:H/SB:A/UP:N",
    "JSS:1.0/HD:X/UN:X/FI:X/RL:X/SB:X/UP:H/EM:A/AC:L/AR:A/AU:Y/TR:H/DX:O/RM:X",
    # JSS 2.0: the graded uplift gate (UP:N and UP:L caps), RM:U, withheld
    "JSS:2.0/HD:C/UN:U/FI:H/RL:H/SB:A/UP:N",
    "JSS:2.0/HD:C/UN:U/FI:H/RL:H/SB:A/UP:L/DX:O/RM:U",
    "JSS:2.0/HD:C/UN:X/FI:H/RL:H/SB:A/UP:H",
]


def _validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


SPEC_SCHEMA = _validator("spec")
SCORE_SCHEMA = _validator("score")


def _errors(validator: jsonschema.Draft202012Validator, data: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


@pytest.mark.parametrize("version", spec.VERSIONS)
def test_metric_table_matches_its_schema(version: str) -> None:
    table = metric_table(version)
    assert not _errors(SPEC_SCHEMA, table)
    assert [m["abbr"] for m in table["metrics"]] == list(spec.ORDER)
    assert table["version"] == version and table["prefix"] == f"JSS:{version}"
    rm = next(m for m in table["metrics"] if m["abbr"] == "RM")
    assert [v["code"] for v in rm["values"]] == ["F", "S", "X" if version == "1.0" else "U"]


@pytest.mark.parametrize("vector", VECTORS)
def test_score_output_matches_its_schema(vector: str) -> None:
    data = score_dict(spec.parse(vector))
    assert not _errors(SCORE_SCHEMA, data)
    assert data["vector"] == vector
    assert data["withheld"] == bool(spec.parse(vector).unknown_base)


@settings(max_examples=150)
@given(st.data())
def test_score_output_matches_its_schema_for_random_vectors(data: st.DataObject) -> None:
    values = {}
    version = data.draw(st.sampled_from(spec.VERSIONS))
    for m in spec.metrics(version):
        codes = list(m.codes) + ([spec.UNKNOWN] if m.mandatory else [])
        if m.mandatory or data.draw(st.booleans()):
            values[m.abbr] = data.draw(st.sampled_from(codes))
    out = score_dict(spec.Vector(values, version))
    assert not _errors(SCORE_SCHEMA, out)


def test_cli_json_outputs_match_the_schemas() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["spec", "--json"])
    assert result.exit_code == 0
    assert not _errors(SPEC_SCHEMA, json.loads(result.stdout))
    for vector in VECTORS:
        result = runner.invoke(app, ["score", vector, "--json"])
        assert result.exit_code == 0, result.output
        assert not _errors(SCORE_SCHEMA, json.loads(result.stdout)), vector


def _mutate(data: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node: Any = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


@pytest.mark.parametrize(("path", "value"), [
    (("score",), 10.5),
    (("score",), None),  # not withheld, so a score is required
    (("rating",), "Severe"),
    (("label",), "JSS-X"),
    (("vector",), "CVSS:4.0/AV:N"),
    (("response", "action"), "Panic"),
    (("cjs", "band"), "CJS-5"),
    (("missing",), ["HD"]),
    (("extra",), 1),
])
def test_score_schema_rejects_wrong_output(path: tuple[str, ...], value: Any) -> None:
    good = score_dict(spec.parse(VECTORS[0]))
    assert not _errors(SCORE_SCHEMA, good)
    assert _errors(SCORE_SCHEMA, _mutate(good, path, value))


def test_score_schema_ties_withheld_to_a_null_score() -> None:
    withheld = score_dict(spec.parse(VECTORS[7]))
    assert not _errors(SCORE_SCHEMA, withheld)
    assert _errors(SCORE_SCHEMA, _mutate(withheld, ("score",), 5.0))
    assert _errors(SCORE_SCHEMA, _mutate(withheld, ("missing",), []))


@pytest.mark.parametrize(("path", "value"), [
    (("standard",), "CVSS"),
    (("metrics", 0, "group"), "Bonus"),
    (("metrics", 0, "unset_scored_as"), "C"),  # a mandatory metric is never unset
    (("metrics", 5, "unset_scored_as"), None),  # an optional one always has a worst case
    (("actions", 0, "name"), "Panic"),
])
def test_spec_schema_rejects_wrong_output(path: tuple[str | int, ...], value: Any) -> None:
    assert _errors(SPEC_SCHEMA, _mutate(metric_table(), path, value))
