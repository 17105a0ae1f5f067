"""docs/cli.md is generated from --help: it must name every verb and be current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from script_loader import load_script

ROOT = Path(__file__).resolve().parents[2]


def test_cli_reference_is_current_and_complete() -> None:
    mod = load_script("write_cli_docs")
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert text == mod.render(), "docs/cli.md is out of date: run .venv/bin/python scripts/write_cli_docs.py"
    for path in mod.commands():
        assert f"## jailscale {' '.join(path)}" in text
    for verb in ("assess", "demo", "score", "explain", "spec", "compare", "import", "list", "show"):
        assert f"## jailscale {verb}" in text


def test_fast_help_index_is_current() -> None:
    """cli/_help_index.py (what the fast ``jailscale --help`` draws) is the app's own root help content.

    Checked in a fresh interpreter: the root help lists verbs in the order their modules register
    them, which is cli.main's order in a real run but whatever order earlier tests imported them in
    this process."""
    script = ROOT / "scripts" / "write_cli_docs.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=300,
                          check=False)
    assert "cli/_help_index.py up to date" in done.stdout, (
        "cli/_help_index.py is out of date: run .venv/bin/python scripts/write_cli_docs.py\n"
        f"{done.stdout}{done.stderr}")


def test_every_verb_has_an_example() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    sections = text.split("\n## ")[1:]
    missing = [s.splitlines()[0] for s in sections if "Example:" not in s]
    assert not missing, f"verbs without an example in their --help: {missing}"
