"""The README's layer list is true: every package and top-level module of ``src/jailscale`` is listed,
and each imports only what is listed above it (``spec`` imports nothing of ours; ``cli`` may import
everything). Read from the source (AST), so an import inside a function counts too."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "src" / "jailscale"
#: Not layers: the package's own __init__ (version string), data folders, the typing marker.
NOT_LAYERS = {"__init__", "py", "examples", "__pycache__"}


def readme_layers() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Layout", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    names = []
    for line in block.splitlines():
        m = re.match(r"^\s{2}([a-z_]+)(?:/|\.py)\s", line + " ")
        if m:
            names.append(m.group(1))
    return names


def layer_of(path: Path) -> str:
    rel = path.relative_to(PKG)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imported_layers(text: str, package: list[str]) -> set[str]:
    """Top-level parts of jailscale that the module ``text``, living in ``package`` (its folder's parts
    below src/jailscale), imports: relative or absolute, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                parts = base + (node.module.split(".") if node.module else [])
                found.update([parts[0]] if parts else [a.name for a in node.names])
            elif node.module and node.module.startswith("jailscale."):
                found.add(node.module.split(".")[1])
            elif node.module == "jailscale":
                found.update(a.name for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("jailscale."))
    return found - {"__version__", "__init__"}


def test_every_part_of_the_package_is_in_the_readme_layers() -> None:
    layers = readme_layers()
    assert len(layers) == len(set(layers)), f"a layer is listed twice: {layers}"
    present = {p.stem if p.is_file() else p.name for p in PKG.iterdir()
               if (p.is_dir() and (p / "__init__.py").exists()) or p.suffix == ".py"}
    missing = sorted(present - set(layers) - NOT_LAYERS)
    assert not missing, f"README's layout does not list {missing}"
    stale = sorted(set(layers) - present)
    assert not stale, f"README's layout lists {stale}, which do not exist"


def test_imports_point_up_the_readme_list() -> None:
    layers = readme_layers()
    rank = {name: i for i, name in enumerate(layers)}
    problems = []
    for path in sorted(PKG.rglob("*.py")):
        own = layer_of(path)
        if own in NOT_LAYERS:
            continue
        text = path.read_text(encoding="utf-8")
        for target in sorted(imported_layers(text, list(path.relative_to(PKG).parts[:-1]))):
            if target == own or target not in rank or own not in rank:
                continue
            if rank[target] > rank[own]:
                problems.append(f"{path.relative_to(ROOT)} ({own}) imports {target}, listed below it")
    assert not problems, "\n".join(problems)


def test_the_check_sees_an_upward_import() -> None:
    """The import reader finds relative, absolute and lazy imports, so the check above can fail."""
    text = "def f():\n    from ..store import Store\n    import jailscale.cli.main\nfrom . import vector\n"
    assert imported_layers(text, ["spec"]) == {"store", "cli", "spec"}
