"""The spec package is pure: standard library only, nothing else of ours, and no I/O.

Checked on the source (AST), not by importing, so a lazy import inside a function is caught too.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SPEC_DIR = Path(__file__).resolve().parents[2] / "src" / "jailscale" / "spec"
MODULES = sorted(SPEC_DIR.glob("*.py"))
SPEC_MODULES = {p.stem for p in MODULES}
#: Names that would mean I/O if called, and modules whose import means I/O.
IO_CALLS = {"open", "print", "input"}
IO_MODULES = {"pathlib", "io", "os", "shutil", "tempfile", "socket", "urllib", "http", "subprocess",
              "logging", "sqlite3", "glob"}


def _imports(tree: ast.AST) -> list[tuple[int, int, str]]:
    """(line, relative level, module) of every import; ``from . import x`` yields module 'x'."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, 0, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.module:
                found.append((node.lineno, node.level, node.module))
            else:
                found += [(node.lineno, node.level, alias.name) for alias in node.names]
    return found


def test_there_are_spec_modules() -> None:
    assert {"__init__", "metrics", "vector", "scoring"} <= SPEC_MODULES


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_imports_only_stdlib_and_spec_siblings(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    problems = []
    for line, level, module in _imports(tree):
        top = module.split(".")[0]
        if level == 1:
            if top not in SPEC_MODULES:
                problems.append(f"{path.name}:{line}: relative import of {module!r} outside spec")
        elif level > 1:
            problems.append(f"{path.name}:{line}: import reaches above spec (level {level}): {module!r}")
        elif top == "__future__":
            continue
        elif top not in sys.stdlib_module_names:
            problems.append(f"{path.name}:{line}: non-standard-library import {module!r}")
        elif top in IO_MODULES:
            problems.append(f"{path.name}:{line}: imports {module!r}, which is for I/O")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_does_no_io(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, str(path))
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = ""
            if isinstance(func, ast.Name):
                name = func.id
            elif isinstance(func, ast.Attribute):
                name = func.attr
            if name in IO_CALLS or name in {"read_text", "write_text", "read_bytes", "write_bytes"}:
                problems.append(f"{path.name}:{node.lineno}: calls {name}()")
        if isinstance(node, ast.Name | ast.Attribute):
            ident = node.id if isinstance(node, ast.Name) else node.attr
            if ident in {"stdout", "stderr", "stdin", "environ"}:
                problems.append(f"{path.name}:{node.lineno}: touches {ident}")
    # and, as the brief states it, on the text itself (code only: docstrings may mention the words)
    code = ast.unparse(_strip_docstrings(tree))
    for word in ("open(", "pathlib", "print("):
        if word in code:
            problems.append(f"{path.name}: contains {word!r}")
    assert not problems, "\n".join(problems)


def _strip_docstrings(tree: ast.Module) -> ast.Module:
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return tree


def test_the_checker_catches_what_it_should() -> None:
    bad = ast.parse("import yaml\nfrom .. import errors\nfrom jailscale import cli\nimport os\n")
    found = _imports(bad)
    assert (1, 0, "yaml") in found and (2, 2, "errors") in found and (3, 0, "jailscale") in found
    assert "yaml" not in sys.stdlib_module_names and "jailscale" not in sys.stdlib_module_names
    assert "fractions" in sys.stdlib_module_names
