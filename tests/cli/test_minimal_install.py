"""The calculator installs without the database and report stack (issue 8): ``pip install jailscale``
(no extra) gives ``jailscale score|explain|spec|--version``; everything else is the ``full`` extra.

The project is built into a wheel once (with this environment's setuptools, no network), installed
into a fresh virtual environment with ``--no-index`` (so it can only work if the wheel needs no other
package), and its ``jailscale`` command is run there: the calculator answers exactly as the full
install does, the heavy stack is absent, and any other verb says what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VECTOR = "JSS:2.0/HD:S/UN:H/FI:M/RL:M/SB:A/UP:M"


def _run(cmd: list[str], cwd: Path, **kw: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JAILSCALE_", "PIP_", "PYTHON"))}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False, cwd=cwd, env=env,
                          **kw)  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def minimal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment holding only the calculator-only install; its bin folder."""
    import importlib.util

    # Building with this environment's setuptools (no network): setuptools before 70.1 needs the wheel
    # package for bdist_wheel, which the dev extra installs. CI must run this test, so a gap is a failure.
    assert importlib.util.find_spec("setuptools") and importlib.util.find_spec("wheel"), \
        "building the package needs setuptools and wheel here: pip install -e '.[dev]'"
    base = tmp_path_factory.mktemp("minimal")
    wheels, tree = base / "wheels", base / "tree"  # built from a copy: no build/ folder left in the checkout
    shutil.copytree(ROOT / "src", tree / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, tree / name)
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
                  "-w", str(wheels), str(tree)], base)
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next(wheels.glob("jailscale-*.whl"))
    venv.create(base / "venv", with_pip=False, symlinks=True)  # this pip installs into it (--python): quicker
    bin_dir = base / "venv" / "bin"
    done = _run([sys.executable, "-m", "pip", "--python", str(bin_dir / "python"), "install", "-q", "--no-index",
                 str(wheel)], base)
    assert done.returncode == 0, f"the wheel needs packages beyond itself: {done.stderr[-2000:]}"
    return bin_dir


def test_the_calculator_runs_from_a_minimal_install(minimal: Path, tmp_path: Path) -> None:
    for argv in (["score", VECTOR], ["score", VECTOR, "--json"], ["explain", VECTOR], ["spec", "--json"],
                 ["--version"], ["score", VECTOR + "/SB:A"]):
        small = _run([str(minimal / "jailscale"), *argv], tmp_path)
        full = _run([sys.executable, "-m", "jailscale.cli.main", *argv], tmp_path)
        assert (small.stdout, small.stderr, small.returncode) == (full.stdout, full.stderr, full.returncode), argv
    ok = _run([str(minimal / "jailscale"), "score", VECTOR], tmp_path)
    assert ok.returncode == 0 and ok.stdout.startswith("JSS-BC 6.4 Medium"), ok.stdout + ok.stderr


def test_the_minimal_install_has_no_heavy_stack(minimal: Path, tmp_path: Path) -> None:
    probe = ("import importlib.util as u, json; print(json.dumps([m for m in ('typer', 'rich', 'pydantic', "
             "'sqlalchemy', 'alembic', 'yaml', 'jinja2', 'aiohttp', 'httpx', 'cryptography') if u.find_spec(m)]))")
    found = _run([str(minimal / "python"), "-c", probe], tmp_path)
    assert found.returncode == 0 and found.stdout.strip() == "[]", found.stdout + found.stderr


def test_other_verbs_say_what_to_install(minimal: Path, tmp_path: Path) -> None:
    demo = _run([str(minimal / "jailscale"), "demo"], tmp_path)
    assert demo.returncode == 3 and demo.stdout == "", demo.stderr
    assert demo.stderr.count("\n") == 1 and "Traceback" not in demo.stderr
    assert "pip install 'jailscale[full]'" in demo.stderr and "'jailscale demo'" in demo.stderr
    helped = _run([str(minimal / "jailscale"), "--help"], tmp_path)
    assert helped.returncode == 0 and "score VECTOR" in helped.stdout and "jailscale[full]" in helped.stdout
    (tmp_path / "jailscale.toml").write_text("[score]\njson = true\n", encoding="utf-8")
    configured = _run([str(minimal / "jailscale"), "score", VECTOR], tmp_path)
    assert configured.returncode == 2 and "jailscale.toml sets options" in configured.stderr, configured.stderr


def test_assess_says_what_to_install(minimal: Path, tmp_path: Path) -> None:
    """``assess`` first tries the rerun fast path (cli/_assess.py), which needs the full install too: it
    steps aside, and the line says what to install."""
    (tmp_path / "sub.yaml").write_text("id: placeholder\n", encoding="utf-8")
    done = _run([str(minimal / "jailscale"), "assess", "sub.yaml", "-q"], tmp_path)
    assert done.returncode == 3 and done.stdout == "", done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "pip install 'jailscale[full]'" in done.stderr and "'jailscale assess'" in done.stderr
