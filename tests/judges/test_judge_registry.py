"""The registry seam: built-ins and plug-ins registered the same way, factories called lazily."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

import jailscale.judges
from jailscale.errors import UserError
from jailscale.formats import Behaviour, Transcript, Verdict
from jailscale.judges import Judge, available, get, register, registry


@pytest.fixture(autouse=True)
def _isolated_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_FACTORIES", dict(registry._FACTORIES))


class Plugin(Judge):
    name = "plugin"
    version = "1"

    def __init__(self, strict: bool = False) -> None:
        self.strict = strict

    def config(self) -> dict[str, Any]:
        return {**super().config(), "strict": self.strict}

    async def evaluate(self, behaviour: Behaviour, transcript: Transcript) -> Verdict:
        return self.verdict("complied")


def test_public_exports() -> None:
    assert sorted(jailscale.judges.__all__) == [
        "Judge", "available", "calibration_for", "get", "register"]


ENDPOINT_JUDGES = ["harmbench-cls", "jbb-llama3", "llama-guard", "pair-rating", "strongreject"]


def test_builtins_are_available() -> None:
    assert available() == sorted(["mock", "panel", "recorded", "rules", *ENDPOINT_JUDGES])
    offline = {get(n).name for n in ("mock", "recorded", "rules")} | {get("panel", judges="rules,mock").name}
    online = {get(n, base_url="http://127.0.0.1:1/v1", model="m").name for n in ENDPOINT_JUDGES}
    assert offline | online == set(available())


def test_unknown_judge_lists_the_available_ones() -> None:
    with pytest.raises(UserError, match=r'unknown judge "nope"; available judges: harmbench-cls, .*, strongreject'):
        get("nope")


def test_factories_are_called_only_by_get() -> None:
    calls: list[dict[str, Any]] = []

    def factory(**options: Any) -> Judge:
        calls.append(options)
        return Plugin(**options)

    register("plugin", factory)
    assert "plugin" in available() and calls == []
    judge = get("plugin", strict=True)
    assert calls == [{"strict": True}] and judge.config()["strict"] is True


def test_register_refuses_to_shadow_unless_asked() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register("rules", Plugin)
    register("rules", Plugin, replace=True)
    assert isinstance(get("rules"), Plugin)
    with pytest.raises(ValueError, match="lower-case"):
        register("Bad Name", Plugin)


def test_missing_dependency_error_passes_through() -> None:
    def needs_sdk(**options: Any) -> Judge:
        raise UserError("judge 'plugin' requires optional dependencies. "
                        "Install with: pip install 'jailscale[plugin]'")

    register("plugin", needs_sdk)
    with pytest.raises(UserError, match="requires optional dependencies"):
        get("plugin")


def test_importing_the_package_imports_no_judge_module() -> None:
    code = ("import sys, jailscale.judges as j; j.available(); "
            "print(sorted(m for m in sys.modules if m.startswith('jailscale.judges.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    for module in ("rules", "mock", "recorded"):
        assert f"jailscale.judges.{module}'" not in out


def test_every_registered_judge_is_documented(repo_root: Any) -> None:
    doc = (repo_root / "docs" / "judges.md").read_text(encoding="utf-8")
    for name in available():
        assert f"`{name}`" in doc, f"judge {name!r} is not described in docs/judges.md"
