"""Scripts and benchmarks are run by hand, not by every test: a name they import from the library that
no longer exists would only show when someone next runs them. Every ``from jailscale... import NAME`` in
scripts/ and benchmarks/ must resolve."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted([*ROOT.glob("scripts/*.py"), *ROOT.glob("benchmarks/*.py")])


def _resolves(module: str, name: str) -> bool:
    mod = importlib.import_module(module)
    if hasattr(mod, name):
        return True
    try:
        importlib.import_module(f"{module}.{name}")
    except ImportError:
        return False
    return True


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(ROOT).as_posix() for p in FILES])
def test_every_library_name_a_script_imports_exists(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    missing = [f"{n.module}.{a.name}" for n in ast.walk(tree)
               if isinstance(n, ast.ImportFrom) and n.module and n.module.split(".")[0] == "jailscale"
               for a in n.names if not _resolves(n.module, a.name)]
    assert missing == [], f"{path.name} imports names the library no longer has: {missing}"


def test_the_check_sees_scripts() -> None:
    assert any(p.name == "validate_jailbreakbench.py" for p in FILES)
