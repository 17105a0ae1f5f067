"""The command line starts fast: a verb imports only what it uses (issue 8, "fast start").

``jailscale --help`` and ``jailscale score`` must not pull in the store, the runner, reports,
HTTP clients, the server or numeric libraries. Each check runs the CLI in a fresh interpreter and
reads ``sys.modules`` afterwards, so an import added at the top of any verb module fails here.
The speed itself is measured by ``benchmarks/startup.py`` (a ratio), not by this test.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Modules that a start-up path must not import (top-level package names, or our own subpackages).
HEAVY = ("sqlalchemy", "alembic", "jinja2", "yaml", "httpx", "aiohttp", "fastapi", "uvicorn", "numpy",
         "scipy", "cryptography", "jailscale.store", "jailscale.runner", "jailscale.report",
         "jailscale.measure", "jailscale.judges", "jailscale.importers", "jailscale.server",
         "jailscale.targets")

PROBE = """
import json, sys
sys.argv = ["jailscale", *json.loads(sys.argv[1])]
from jailscale.cli.main import run
try:
    run()
except SystemExit:
    pass
sys.stdout.flush()
print("\\nMODULES=" + json.dumps(sorted(sys.modules)))
"""


def _modules_after(args: list[str]) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True, text=True,
                          timeout=60, check=True)
    line = done.stdout.rsplit("MODULES=", 1)[1]
    return set(json.loads(line))


#: What the calculator's fast path (cli/_fast.py) must not import either: the command-line stack.
CLI_STACK = ("typer", "click", "pydantic", "importlib.metadata")
CALCULATOR = [["score", "JSS:1.0/HD:S/UN:H/FI:M/RL:M/SB:A"], ["explain", "JSS:2.0/HD:S/UN:H/FI:M/RL:M/SB:A"],
              ["spec", "--json"], ["--version"]]


def _heavy(loaded: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in loaded if any(m == h or m.startswith(h + ".") for h in names))


@pytest.mark.parametrize("args", [["--help"], *CALCULATOR], ids=["help", "score", "explain", "spec", "version"])
def test_startup_imports_nothing_heavy(args: list[str]) -> None:
    heavy = _heavy(_modules_after(args), HEAVY)
    assert not heavy, f"'jailscale {' '.join(args)}' imported {heavy[:8]}: import them inside the verb"


@pytest.mark.parametrize("args", [["--help"], *CALCULATOR], ids=["help", "score", "explain", "spec", "version"])
def test_the_calculator_imports_no_command_line_stack(args: list[str]) -> None:
    stack = CLI_STACK if args == ["--help"] else (*CLI_STACK, "rich")  # --help draws with Rich, never Typer
    heavy = _heavy(_modules_after(args), stack)
    assert not heavy, f"'jailscale {' '.join(args)}' imported {heavy[:8]}: the fast path must not load them"


def test_the_probe_sees_a_heavy_import() -> None:
    """The check can fail: a verb that needs the store does import it, and a form the fast path does
    not serve (a verb's own --help) imports Typer."""
    loaded = _modules_after(["list", "--db", "sqlite:///:memory:"])
    assert "sqlalchemy" in loaded
    assert "typer" in _modules_after(["score", "--help"])
