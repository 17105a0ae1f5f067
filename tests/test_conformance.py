"""The conformance kit: this implementation passes every case; a wrong implementation or a wrong
expectation fails with exit 1; the cases are current with their generator and their independent
derivation."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jailscale.cli.main import app
from jailscale.formats.conformance import ConformanceCase
from jailscale.runner.conformance import check, load_cases
from script_loader import load_script

ROOT = Path(__file__).resolve().parents[1]
KIT = ROOT / "conformance"
#: The scenarios listed at the top of issue 6, each reproduced by at least one case.
SCENARIOS = ("dilution of HD", "a worse judge lowers the score", "the zero-uplift gate is a mean and a cliff",
             "reference alternatives may be sent the jailbreak", "omission lowers the score (UN)",
             "declaring a layer with no outcome", "more successes can lower RL", "the verdict cache changes scores",
             "FI pooled per attempt", "search attacks", "tiers: JBB's nuclear weapon",
             "a recorded-judge source that matched no verdict")


@pytest.fixture(scope="module")
def cases() -> list[tuple[Path, ConformanceCase]]:
    return load_cases(KIT)


def test_this_implementation_passes_every_case() -> None:
    r = CliRunner().invoke(app, ["conformance", str(KIT)])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    n = len(load_cases(KIT))
    assert lines[-1] == f"{n} of {n} cases pass"
    assert sum(line.startswith("PASS ") for line in lines) == n >= 40


def test_at_least_40_cases_with_every_issue_scenario(cases: list[tuple[Path, ConformanceCase]]) -> None:
    assert len(cases) >= 40
    scenarios = " | ".join(c.scenario or "" for _, c in cases)
    for s in SCENARIOS:
        assert s in scenarios, s
    for _, c in cases:
        assert c.rule.startswith("§") and "derive.py" in c.derivation


def test_paired_cases_never_score_lower(cases: list[tuple[Path, ConformanceCase]]) -> None:
    """Monotonicity across the kit: adding failures, a worse judge, padding or reordering never moves the
    top of the range down, and never lowers an established score."""
    by = {c.id: c for _, c in cases}
    pairs = [(c, by[c.pair]) for c in by.values() if c.pair]
    assert len(pairs) >= 6
    for c, base in pairs:
        assert c.expected.range[1] >= base.expected.range[1], (c.id, base.id)
        if c.expected.score is not None and base.expected.score is not None:
            assert c.expected.score >= base.expected.score, (c.id, base.id)


def test_a_wrong_expectation_fails_with_exit_1(tmp_path: Path, cases: list[tuple[Path, ConformanceCase]]) -> None:
    path, case = next((p, c) for p, c in cases if c.id == "dilution-padded")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["expected"]["vector"] = data["expected"]["vector"].replace("HD:C", "HD:N")
    (tmp_path / path.name).write_text(json.dumps(data), encoding="utf-8")
    r = CliRunner().invoke(app, ["conformance", str(tmp_path)])
    assert r.exit_code == 1
    assert "FAIL dilution-padded" in r.output and "HD:C" in r.output and "0 of 1 cases pass" in r.output
    assert check(case, {"vector": case.expected.vector, "score": 0.0, "range": [0.0, 0.0]}).problems


def test_another_implementation_is_checked_through_its_command(tmp_path: Path,
                                                               cases: list[tuple[Path, ConformanceCase]]) -> None:
    """A stand-in "other implementation" that prints each case's expectation passes; one that always
    says HD:N fails every case where HD is not N."""
    folder = tmp_path / "kit"
    folder.mkdir()
    for p, _ in cases[:5]:
        (folder / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    echo = tmp_path / "echo_impl.py"
    echo.write_text("import json, sys\ne = json.load(open(sys.argv[1]))['expected']\n"
                    "print(json.dumps({'vector': e['vector'], 'score': {'value': e.get('score'), "
                    "'low': e['range'][0], 'high': e['range'][1]}}))\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["conformance", str(folder), "--implementation", f"{sys.executable} {echo}", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["passed"] == 5
    lazy = tmp_path / "lazy_impl.py"
    lazy.write_text("print('{\"vector\": \"JSS:2.0/HD:N\", \"score\": {\"value\": 0.0, \"low\": 0, \"high\": 0}}')\n",
                    encoding="utf-8")
    r = CliRunner().invoke(app, ["conformance", str(folder), "--implementation", f"{sys.executable} {lazy}"])
    assert r.exit_code == 1 and "FAIL" in r.output
    broken = tmp_path / "broken.py"
    broken.write_text("print('not json')\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["conformance", str(folder), "--implementation", f"{sys.executable} {broken}"])
    assert r.exit_code == 1 and "output is not an assessment" in r.output


def test_bad_folder_is_a_user_error(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["conformance", str(tmp_path / "nowhere")])
    assert r.exit_code == 2 and "is not a folder" in r.output
    r = CliRunner().invoke(app, ["conformance", str(tmp_path), "--implementation", "no-such-command-xyz"])
    assert r.exit_code == 2


def test_cases_are_current_with_the_generator_and_the_derivation() -> None:
    """Each case file is what scripts/make_conformance.py writes, and its expectation is what the
    independent derivation (conformance/derive.py, no jailscale import) gives."""
    mod = load_script("make_conformance")
    assert mod.main(["--check"]) == 0, "run .venv/bin/python scripts/make_conformance.py"
    source = (KIT / "derive.py").read_text(encoding="utf-8")
    assert "import jailscale" not in source and "from jailscale" not in source
