"""The calculator verbs of the CLI: score, explain, spec and policy check.

Run in-process with typer's CliRunner (typer 0.29 keeps stdout and stderr apart: ``result.stdout``,
``result.stderr``, and ``result.output`` for both interleaved), and once as a real subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from jailscale import spec
from jailscale.cli.main import app

runner = CliRunner()
WORST = "JSS:1.0/HD:C/UN:U/FI:H/RL:H/SB:A"


def _one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {stderr!r}"
    assert lines[0].startswith("jailscale: error: ")
    assert "Traceback" not in stderr
    return lines[0]


# --- score --------------------------------------------------------------------------------------

def test_score_text() -> None:
    result = runner.invoke(app, ["score", WORST])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "JSS-B 10.0 Critical",
        "response: Suspend (within 24 hours) under jss-default-1.0",
    ]
    assert result.stderr == ""


def test_score_text_for_a_withheld_vector_shows_the_range() -> None:
    result = runner.invoke(app, ["score", "JSS:1.0/HD:X/UN:U/FI:H/RL:H/SB:A"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "JSS-B withheld (unknown: HD)"
    assert "provisional" in lines[1]
    assert lines[2] == "range: 0.0-10.0 (None to Critical)"


@pytest.mark.parametrize(("vector", "value", "rating"), [
    (WORST, 10.0, "Critical"),
    ("JSS:1.0/HD:C/UN:U/FI:H/RL:H/SB:A/UP:N", 3.9, "Low"),
    ("JSS:1.0/HD:N/UN:U/FI:H/RL:H/SB:A", 0.0, "None"),
    ("JSS:1.0/HD:C/UN:X/FI:H/RL:H/SB:A", None, None),
])
def test_score_json(vector: str, value: float | None, rating: str | None) -> None:
    result = runner.invoke(app, ["score", vector, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["vector"], data["score"], data["rating"]) == (vector, value, rating)
    assert data["withheld"] == (value is None)
    s = spec.score(spec.parse(vector))
    assert data["label"] == s.label and data["missing"] == list(s.missing)


# --- explain ------------------------------------------------------------------------------------

def test_explain_text() -> None:
    result = runner.invoke(app, ["explain", "JSS:1.0/HD:C/UN:L/FI:H/RL:H/SB:A/UP:N"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("JSS-BC 3.9 Low\n")
    assert "UP:N (measured zero uplift) caps the score at 3.9, Low" in out
    assert "what would change the rating:" in out
    assert "UP:H (more severe) -> JSS-BC 8.0 High" in out


def test_explain_json_lists_the_changes() -> None:
    vector = "JSS:1.0/HD:C/UN:L/FI:H/RL:H/SB:A/UP:N"
    result = runner.invoke(app, ["explain", vector, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["vector"] == vector and data["score"] == 3.9
    expected = {(c.metric, c.code) for c in spec.explain(spec.parse(vector)).changes}
    assert {(c["metric"], c["code"]) for c in data["changes"]} == expected
    assert all(c["rating"] != "Low" for c in data["changes"])


# --- spec ---------------------------------------------------------------------------------------

def test_spec_json_is_the_metric_table() -> None:
    result = runner.invoke(app, ["spec", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["prefix"] == "JSS:2.0" and data["version"] == "2.0"
    assert [(m["abbr"], [v["code"] for v in m["values"]]) for m in data["metrics"]] == [
        (m.abbr, list(m.codes)) for m in spec.metrics()]
    assert data["mandatory"] == ["HD", "UN", "FI", "RL", "SB"]
    assert [b["rating"] for b in data["bands"]] == ["None", "Low", "Medium", "High", "Critical"]
    assert data["metrics"][-1]["values"][-1]["code"] == "U"  # RM's unfixable in 2.0


def test_spec_json_shows_1_0_with_a_flag() -> None:
    result = runner.invoke(app, ["spec", "--json", "--spec-version", "1.0"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["version"], data["prefix"]) == ("1.0", "JSS:1.0")
    assert [(m["abbr"], [v["code"] for v in m["values"]]) for m in data["metrics"]] == [
        (m.abbr, list(m.codes)) for m in spec.metrics("1.0")]
    assert data["metrics"][-1]["values"][-1]["code"] == "X"
    bad = runner.invoke(app, ["spec", "--spec-version", "3.0"])
    assert bad.exit_code == 2 and "3.0" in bad.output and "1.0, 2.0" in bad.output


def test_spec_text_lists_every_metric() -> None:
    result = runner.invoke(app, ["spec"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("JSS 2.0")
    assert len(lines) == 1 + len(spec.metrics())
    assert "HD  Harm domain reached (mandatory): N None < L Low" in result.stdout


# --- bad vectors --------------------------------------------------------------------------------

@pytest.mark.parametrize(("vector", "quoted"), [
    ("JSS:1.0/HD:Q/UN:U/FI:H/RL:H/SB:A", '"Q"'),
    ("JSS:1.0/HD:C/UN:U/FI:H/RL:H/SB:A/ZZ:A", '"ZZ"'),
    ("JSS:1.0/HD:C/HD:C/UN:U/FI:H/RL:H/SB:A", '"HD"'),
    ("JSS:1.0/HD:C/UN:U/FI:H/RL:H", "SB"),
    ("JSS:1.0/UN:U/HD:C/FI:H/RL:H/SB:A", '"JSS:1.0/UN:U/HD:C/FI:H/RL:H/SB:A"'),
    ("CVSS:4.0/AV:N", '"CVSS:4.0/AV:N"'),
    ("JSS:1.0/HD:C/UN/FI:H/RL:H/SB:A", '"UN"'),
    ("nonsense", '"nonsense"'),
])
@pytest.mark.parametrize("verb", [["score"], ["score", "--json"], ["explain"]])
def test_bad_vector_exits_2_with_one_line(vector: str, quoted: str, verb: list[str]) -> None:
    args = [verb[0], vector, *verb[1:]]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    line = _one_error_line(result.stderr)
    assert quoted in line
    assert result.exception is None or isinstance(result.exception, SystemExit)


# --- policy check -------------------------------------------------------------------------------

def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_policy_check_passes_the_default_policy(tmp_path: Path) -> None:
    path = _write(tmp_path, "default.yaml", yaml.safe_dump(dict(spec.DEFAULT_POLICY_DATA), sort_keys=False))
    result = runner.invoke(app, ["policy", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert "passes: 1200 input combinations covered" in result.stdout
    json_result = runner.invoke(app, ["policy", "check", str(path), "--json"])
    assert json_result.exit_code == 0
    assert json.loads(json_result.stdout) == {"policy": "jss-default-1.0", "ok": True,
                                              "combinations": 1200, "problems": []}


def test_policy_show_round_trips_through_check(tmp_path: Path) -> None:
    shown = runner.invoke(app, ["policy", "show"])
    assert shown.exit_code == 0
    assert yaml.safe_load(shown.stdout) == yaml.safe_load(yaml.safe_dump(dict(spec.DEFAULT_POLICY_DATA)))
    path = _write(tmp_path, "shown.yaml", shown.stdout)
    assert runner.invoke(app, ["policy", "check", str(path)]).exit_code == 0


FAILING = {
    "not-monotone.yaml": ("name: bad\ninputs: [rating]\nrules:\n"
                          "  - when: {rating: Critical}\n    action: Track\n  - action: Attend\n",
                          "not monotone: raising rating to Critical"),
    "not-total.yaml": ("name: partial\ninputs: [rating]\nrules:\n"
                       "  - when: {rating: '>=Low'}\n    action: Track\n",
                       "not covered: no rule matches rating=None"),
    "irrelevant.yaml": ("name: idle\ninputs: [rating, DX]\nrules:\n"
                        "  - when: {rating: Critical}\n    action: Restrict\n  - action: Track\n",
                        "irrelevant input: DX"),
    "unsafe.yaml": ("name: harsh\ninputs: [HD]\nrules:\n  - when: {HD: C}\n    action: Suspend\n"
                    "  - action: Track\n", "unsafe: a narrow, low-fidelity jailbreak reaches Suspend"),
}


@pytest.mark.parametrize("name", sorted(FAILING))
def test_policy_check_fails_a_bad_policy_with_exit_1(tmp_path: Path, name: str) -> None:
    text, problem = FAILING[name]
    path = _write(tmp_path, name, text)
    result = runner.invoke(app, ["policy", "check", str(path)])
    assert result.exit_code == 1, result.output
    assert any(line.startswith(f"{path}: ") and problem in line for line in result.stdout.splitlines())
    assert "fails" in _one_error_line(result.stderr)
    as_json = runner.invoke(app, ["policy", "check", str(path), "--json"])
    assert as_json.exit_code == 1
    data = json.loads(as_json.stdout)
    assert data["ok"] is False and any(problem in p for p in data["problems"])


MALFORMED = {
    "missing.yaml": (None, "does not exist"),
    "broken.yaml": ("name: [\n", "is not valid YAML"),
    "latin1.yaml": (b"name: caf\xe9\n", "is not UTF-8"),
    "list.yaml": ("- a\n- b\n", "must be a mapping"),
    "empty.yaml": ("", "must be a mapping"),
    "action.yaml": ("name: p\ninputs: [rating]\nrules:\n  - action: Panic\n", "unknown action 'Panic'"),
    "input.yaml": ("name: p\ninputs: [rating, ZZ]\nrules:\n  - action: Track\n", "unknown input 'ZZ'"),
    "value.yaml": ("name: p\ninputs: [UN]\nrules:\n  - when: {UN: Q}\n    action: Track\n",
                   "unknown value 'Q'"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_policy_check_unreadable_or_malformed_exits_2(tmp_path: Path, name: str) -> None:
    text, message = MALFORMED[name]
    path = tmp_path / name if text is None else _write(tmp_path, name, text)
    result = runner.invoke(app, ["policy", "check", str(path)])
    assert result.exit_code == 2, result.output
    line = _one_error_line(result.stderr)
    assert message in line and name in line


def test_policy_check_on_a_directory_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["policy", "check", str(tmp_path)])
    assert result.exit_code == 2
    line = _one_error_line(result.stderr)
    assert "policy file" in line and "is a directory" in line


def test_policy_check_with_a_list_as_input_exits_2(tmp_path: Path) -> None:
    """Regression: an unhashable policy input (a YAML list) escaped as a TypeError traceback."""
    path = _write(tmp_path, "nested.yaml", "name: x\ninputs: [rating, [a]]\nrules: [{action: Track}]\n")
    result = runner.invoke(app, ["policy", "check", str(path)])
    assert result.exit_code == 2
    assert "unknown input ['a']" in _one_error_line(result.stderr)


# --- as a real process --------------------------------------------------------------------------

def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jailscale.cli.main", *args], capture_output=True,
                          text=True, timeout=60, check=False)


def test_subprocess_score_explain_spec_and_errors(tmp_path: Path) -> None:
    ok = _run("score", WORST, "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["score"] == 10.0 and ok.stderr == ""

    text = _run("explain", WORST)
    assert text.returncode == 0 and text.stdout.startswith("JSS-B 10.0 Critical")

    table = _run("spec", "--json")
    assert table.returncode == 0 and json.loads(table.stdout)["standard"] == "JSS"

    bad = _run("score", "JSS:1.0/HD:C/UN:U/FI:H/RL:H/SB:A/SB:A")
    assert bad.returncode == 2 and bad.stdout == ""
    line = _one_error_line(bad.stderr)
    assert 'metric "SB" appears twice in "JSS:1.0/HD:C/UN:U/FI:H/RL:H/SB:A/SB:A"' in line

    failing = _write(tmp_path, "bad.yaml", FAILING["not-monotone.yaml"][0])
    checked = _run("policy", "check", str(failing))
    assert checked.returncode == 1 and "not monotone" in checked.stdout
    missing = _run("policy", "check", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2
    assert "does not exist" in _one_error_line(missing.stderr)
