"""The calculator's fast path (cli/_fast.py) prints exactly what the full command line prints.

Each case runs twice in fresh interpreters: through ``run()`` (the entry point, which takes the fast
path for these forms) and through ``run_full()`` (Typer, the fast path skipped). Standard output,
standard error and the exit code must be identical, for answers and for errors alike. Other tests
check that the fast path really served each case and that it steps aside whenever a configuration
file, an environment variable or an unusual argument could make the full path do otherwise.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from jailscale import __version__
from jailscale.cli import _fast

PROBE = """
import contextlib, io, json, sys
from jailscale.cli import main
entry, cases = sys.argv[1], json.loads(sys.argv[2])
results = []
for argv in cases:
    sys.argv = ["jailscale", *argv]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main.run() if entry == "fast" else main.run_full(argv)
        except SystemExit as e:
            code = e.code
        else:
            code = 0
    results.append([out.getvalue(), err.getvalue(), code, "typer" in sys.modules])
print(json.dumps(results))
"""

WORST = "JSS:1.0/HD:C/UN:U/FI:H/RL:H/SB:A"
CASES = [
    ["score", WORST],
    ["score", WORST, "--json"],
    ["score", "--json", "JSS:2.0/HD:S/UN:H/FI:M/RL:M/SB:A/UP:M"],
    ["score", "JSS:2.0/HD:X/UN:H/FI:M/RL:M/SB:A"],  # withheld: the range line
    ["score", "JSS:2.0/HD:X/UN:H/FI:M/RL:M/SB:A", "--json"],
    ["score", WORST + "/SB:A"],  # a metric twice: one error line, exit 2
    ["score", "JSS:9.9/HD:C"],  # an unknown version
    ["score", "JSS:2.0/HD:C/UN:U/FI:H/RL:H/SB:\x1b[31mA"],  # a control character, shown escaped
    ["score", "JSS:2.0/" + "HD:C/" * 3000],  # a long one, truncated
    ["score", "not a vector at all"],
    ["explain", "JSS:2.0/HD:C/UN:L/FI:H/RL:H/SB:A/UP:N"],
    ["explain", "JSS:2.0/HD:C/UN:L/FI:H/RL:H/SB:A/UP:N", "--json"],
    ["explain", "JSS:2.0/HD:Q"],
    ["spec"],
    ["spec", "--json"],
    ["spec", "--spec-version", "1.0"],
    ["spec", "--spec-version", "1.0", "--json"],
    ["spec", "--spec-version", "3.0"],
    ["--version"],
]


def _run_all(entry: str, cases: list[list[str]], cwd: Path, env: dict[str, str]) -> list[tuple[str, str, int, bool]]:
    """Each case's stdout, stderr, exit code and whether Typer was loaded by then, all in one fresh
    interpreter (``entry``: "fast" runs ``run()``, "full" runs ``run_full()``)."""
    done = subprocess.run([sys.executable, "-c", PROBE, entry, json.dumps(cases)], capture_output=True, text=True,
                          timeout=300, check=True, cwd=cwd, env=env)
    return [tuple(r) for r in json.loads(done.stdout)]  # type: ignore[misc]


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[str, str, int, bool]:
    return _run_all("fast", [argv], cwd, env)[0]


@pytest.fixture
def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("JAILSCALE_", "TYPER", "_TYPER"))}


def test_fast_path_output_is_the_full_paths(tmp_path: Path, env: dict[str, str]) -> None:
    for argv in CASES:
        assert _fast.plan(argv, str(tmp_path)) is not None, f"the fast path should serve {argv}"
    fast = _run_all("fast", CASES, tmp_path, env)
    full = _run_all("full", CASES, tmp_path, env)
    assert not any(r[3] for r in fast), "the fast path imported Typer"
    assert full[0][3], "the full path did not run Typer"
    for argv, f, g in zip(CASES, fast, full, strict=True):
        assert f[:3] == g[:3], f"jailscale {' '.join(argv)[:80]}: the fast path printed otherwise"
        assert f[0] or f[1], f"jailscale {' '.join(argv)[:80]} printed nothing"
    assert {r[2] for r in fast} == {0, 2}, "the cases cover answers (exit 0) and errors (exit 2)"


def test_errors_are_compared_too(tmp_path: Path, env: dict[str, str]) -> None:
    """An error on the fast path is one line on stderr and exit 2, nothing on stdout."""
    out, err, code, _ = _run(["score", WORST + "/SB:A"], tmp_path, env)
    assert (out, code) == ("", 2) and err.startswith("jailscale: error: ") and err.count("\n") == 1


@pytest.mark.parametrize("setting", [{}, {"COLUMNS": "40"}, {"COLUMNS": "132"}, {"TERMINAL_WIDTH": "70"},
                                     {"FORCE_COLOR": "1"}], ids=["default", "narrow", "wide", "typer-width", "colour"])
def test_fast_help_is_the_full_help(setting: dict[str, str], tmp_path: Path, env: dict[str, str]) -> None:
    """``jailscale --help`` drawn from the generated index (cli/_help.py) is byte for byte Typer's, at
    several widths and in colour (each in fresh interpreters: Typer reads its settings at import)."""
    env = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES", "FORCE_COLOR", "NO_COLOR", "TERM")} | setting
    fast = _run_all("fast", [["--help"]], tmp_path, env)[0]
    full = _run_all("full", [["--help"]], tmp_path, env)[0]
    assert fast[3] is False, "the fast --help imported Typer"
    assert full[3] is True
    assert fast[:3] == full[:3]
    assert fast[2] == 0 and "Usage: " in fast[0] and "score" in fast[0] and "Commands" in fast[0]
    assert ("\x1b[" in fast[0]) == ("FORCE_COLOR" in setting)


@pytest.mark.parametrize("argv", [
    ["score", WORST, "--help"], ["score"], ["score", WORST, WORST], ["score", "--", WORST], ["score", WORST, "--jsn"],
    ["score", "-x"], ["spec", "--spec-version"], ["spec", "--spec-version=1.0"], ["spec", "--json", "--json"],
    ["--help", "score"], [], ["assess", "x.json"], ["--version", "score", WORST],
    ["--max-input-mb", "5", "score", WORST],
])
def test_anything_else_takes_the_full_path(argv: list[str], tmp_path: Path) -> None:
    assert _fast.plan(argv, str(tmp_path)) is None


@pytest.mark.parametrize(("setting", "argv"), [
    ({"JAILSCALE_SCORE_AS_JSON": "1"}, ["score", WORST]),
    ({"JAILSCALE_EXPLAIN_AS_JSON": "1"}, ["explain", WORST]),
    ({"JAILSCALE_SPEC_VERSION": "1.0"}, ["spec"]),
    ({"JAILSCALE_SHOW_VERSION": "1"}, ["score", WORST]),
    ({"JAILSCALE_MAX_INPUT_MB": "junk"}, ["--version"]),
    ({"JAILSCALE_CONFIG": "x.toml"}, ["score", WORST]),
])
def test_an_environment_setting_takes_the_full_path(setting: dict[str, str], argv: list[str], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    for k in list(os.environ):
        if k.startswith("JAILSCALE_"):
            monkeypatch.delenv(k)
    assert _fast.plan(argv, str(tmp_path)) is not None
    for k, v in setting.items():
        monkeypatch.setenv(k, v)
    assert _fast.plan(argv, str(tmp_path)) is None


@pytest.mark.parametrize(("name", "text"), [
    ("jailscale.toml", "[score]\njson = true\n"),
    ("pyproject.toml", "[project]\nname = 'x'\n[tool.jailscale.score]\njson = true\n"),
    ("pyproject.toml", "this is not TOML ["),
])
def test_a_configuration_file_takes_the_full_path(name: str, text: str, tmp_path: Path,
                                                  env: dict[str, str]) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    assert _fast.plan(["score", WORST], str(tmp_path)) is None
    out, err, code, typer_loaded = _run(["score", WORST], tmp_path, env)
    assert typer_loaded
    if "json" in text:  # the file's setting is honoured: JSON output
        assert code == 0 and json.loads(out)["score"] == 10.0, err


def test_help_takes_the_full_path_when_typer_is_told_otherwise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["jailscale", "--help"])
    for k in [k for k in os.environ if k.startswith(("JAILSCALE_", "TYPER_", "_TYPER_"))]:
        monkeypatch.delenv(k)
    assert _fast.plan(["--help"], str(tmp_path)) is not None
    monkeypatch.setenv("TYPER_USE_RICH", "0")
    assert _fast.plan(["--help"], str(tmp_path)) is None
    monkeypatch.delenv("TYPER_USE_RICH")
    monkeypatch.setattr(sys, "argv", ["python -m jailscale.cli.main", "--help"])  # another usage line
    assert _fast.plan(["--help"], str(tmp_path)) is None


def test_a_pyproject_without_our_table_keeps_the_fast_path(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n[tool.ruff]\nline-length = 99\n")
    assert _fast.plan(["score", WORST], str(tmp_path)) is not None


def test_version_is_the_installed_distributions() -> None:
    """--version prints ``jailscale.__version__`` (no importlib.metadata at start-up): it must be the real one."""
    assert __version__ == version("jailscale")
