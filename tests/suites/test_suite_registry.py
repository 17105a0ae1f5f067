"""One registry seam for suite loaders; the built-ins use it too."""

from __future__ import annotations

from pathlib import Path

import pytest

from jailscale import suites
from jailscale.errors import UserError
from jailscale.formats import Behaviour, Suite


def _placeholder(path: Path) -> Suite:
    return Suite(name=f"custom-{path.name}", behaviours=[
        Behaviour(id="p1", request="PLACEHOLDER", category="placeholder", tier="L")])


def test_builtins_are_registered() -> None:
    assert {"jailscale", "jbb", "harmbench", "strongreject", "xstest"} <= set(suites.available())
    assert suites.available() == sorted(suites.available())


def test_register_a_loader_and_use_it_from_the_command_line_syntax(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(suites, "_LOADERS", dict(suites._LOADERS))
    suites.register("custom", _placeholder)
    assert "custom" in suites.available()
    assert suites.load("custom", Path("x.csv")).name == "custom-x.csv"
    assert suites.load_suite_arg("custom:some/file.csv").name == "custom-file.csv"


def test_register_refuses_clashes_and_bad_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(suites, "_LOADERS", dict(suites._LOADERS))
    with pytest.raises(ValueError, match="already registered"):
        suites.register("jbb", _placeholder)
    with pytest.raises(ValueError, match="no ':'"):
        suites.register("a:b", _placeholder)


def test_unknown_format_is_a_user_error() -> None:
    with pytest.raises(UserError, match="unknown suite format 'nope'; known formats: harmbench"):
        suites.load("nope", Path("x"))
