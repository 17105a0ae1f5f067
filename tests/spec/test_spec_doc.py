"""The JSS 2.0 document and the code agree: every worked example of docs/spec/jss-2.0.md gives the
output printed under it, and Appendix A lists every module-level constant of the modules it covers.

To cover another package's constants (e.g. ``src/jailscale/measure``), add one line to
:data:`APPENDIX_COVERS`; its modules are then looked up under Appendix A headings that name them as
``measure/file.py`` (a ``spec`` module may be named ``file.py`` alone).
"""

from __future__ import annotations

import ast
import doctest
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jailscale.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "spec" / "jss-2.0.md"
TEXT = DOC.read_text(encoding="utf-8")
#: JSS 1.0 is frozen: its published examples, all 1.0 vectors, must still print as published.
DOC_1_0 = ROOT / "docs" / "spec" / "jss-1.0.md"
TEXT_1_0 = DOC_1_0.read_text(encoding="utf-8")

#: Packages whose module-level constants Appendix A of jss-2.0.md must list (one line per package).
APPENDIX_COVERS: tuple[Path, ...] = (
    ROOT / "src" / "jailscale" / "spec",
    ROOT / "src" / "jailscale" / "measure",
)


# --- worked examples ------------------------------------------------------------------------------

def cli_examples(text: str) -> list[tuple[str, list[str]]]:
    """(command, expected output lines) for each ``$ jailscale ...`` line in a fenced block."""
    out: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```\n(.*?)```", text, flags=re.S):
        lines = block.rstrip("\n").split("\n")
        for i, line in enumerate(lines):
            if line.startswith("$ jailscale "):
                expected = []
                for nxt in lines[i + 1:]:
                    if nxt.startswith("$ "):
                        break
                    expected.append(nxt)
                out.append((line[2:], expected))
    return out


EXAMPLES = cli_examples(TEXT)
EXAMPLES_1_0 = cli_examples(TEXT_1_0)


def test_the_document_has_worked_examples() -> None:
    assert len(EXAMPLES) >= 20
    assert any("JSS:1.0/" in cmd for cmd, _ in EXAMPLES), "a 1.0 vector scored under 1.0"
    assert any("RM:X" in cmd for cmd, _ in EXAMPLES), "the renamed code's error"


@pytest.mark.parametrize(("command", "expected"), EXAMPLES + EXAMPLES_1_0,
                         ids=[f"2.0 {c}" for c, _ in EXAMPLES] + [f"1.0 {c}" for c, _ in EXAMPLES_1_0])
def test_cli_example_prints_what_the_document_says(command: str, expected: list[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, shlex.split(command)[1:])
    assert result.output.rstrip("\n").split("\n") == expected


@pytest.mark.parametrize("doc", [DOC, DOC_1_0], ids=["2.0", "1.0"])
def test_python_examples_run_as_printed(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```\n(.*?)```", text, flags=re.S) if ">>> " in b]
    parser = doctest.DocTestParser()
    test = parser.get_doctest("\n\n".join(blocks), {}, doc.name, str(doc), 0)
    assert len(test.examples) >= 10
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


# --- Appendix A --------------------------------------------------------------------------------------

def module_constants(path: Path) -> set[str]:
    """Names assigned at module level in UPPER_CASE (public: no leading underscore)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: set[str] = set()
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for t in targets:
            for n in ast.walk(t):
                if isinstance(n, ast.Name) and n.id.isupper() and not n.id.startswith("_"):
                    names.add(n.id)
    return names


def appendix_sections(text: str) -> dict[str, str]:
    """Appendix A's subsections: each file name a heading names -> the subsection's text."""
    start = text.index("## Appendix A")
    end = text.index("\n## ", start + 1)
    appendix = text[start:end]
    out: dict[str, str] = {}
    parts = re.split(r"\n### ", appendix)
    for part in parts[1:]:
        heading, _, body = part.partition("\n")
        for name in re.findall(r"`([\w/]+\.py)`", heading):
            out[name] = out.get(name, "") + body
    return out


def listed_names(section: str) -> set[str]:
    """Backticked names in the first column of the section's tables."""
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith("| ---"):
            first = line.split("|")[1]
            names.update(re.findall(r"`(\w+)", first))
    return names


def missing_from_appendix(text: str, packages: tuple[Path, ...]) -> list[str]:
    sections = appendix_sections(text)
    problems = []
    for package in packages:
        for module in sorted(package.glob("*.py")):
            constants = module_constants(module)
            if not constants:
                continue
            keys = [f"{package.name}/{module.name}"] + ([module.name] if package.name == "spec" else [])
            section = next((sections[k] for k in keys if k in sections), None)
            if section is None:
                problems.append(f"{package.name}/{module.name}: no Appendix A heading names it, but it "
                                f"defines {', '.join(sorted(constants))}")
                continue
            for name in sorted(constants - listed_names(section)):
                problems.append(f"{package.name}/{module.name}: {name} is not in Appendix A")
    return problems


def test_appendix_a_lists_every_constant_of_spec() -> None:
    problems = missing_from_appendix(TEXT, APPENDIX_COVERS)
    assert not problems, "\n".join(problems)


def test_appendix_check_catches_an_unlisted_constant(tmp_path: Path) -> None:
    package = tmp_path / "spec"
    package.mkdir()
    (package / "scoring.py").write_text("REACH = 1\nNEW_THRESHOLD: float = 0.3\n_PRIVATE = 2\n", encoding="utf-8")
    (package / "fresh.py").write_text("SOME_TABLE = {}\n", encoding="utf-8")
    problems = missing_from_appendix(TEXT, (package,))
    assert "spec/scoring.py: NEW_THRESHOLD is not in Appendix A" in problems
    assert any(p.startswith("spec/fresh.py: no Appendix A heading") for p in problems)
    assert not any("REACH" in p or "_PRIVATE" in p for p in problems)
