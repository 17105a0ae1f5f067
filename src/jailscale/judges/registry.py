"""The judge registry: one seam, ``register(name, factory)``, for built-in judges and plug-ins alike.

A factory is any callable taking keyword options and returning a :class:`~jailscale.judges.Judge`.
Factories are called only by :func:`get`, so a judge's module (and any SDK it needs) is imported only
when that judge is used. A factory for a judge with optional dependencies imports them inside and
raises :class:`~jailscale.errors.UserError` ("requires optional dependencies. Install with: pip
install 'jailscale[...]'") when they are missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..errors import UserError
from .base import Judge

Factory = Callable[..., Judge]

#: Judges that read text features, not meaning: reports say so beside their verdicts.
TRIAGE_JUDGES: frozenset[str] = frozenset({"rules"})

_NAME = re.compile(r"^[a-z][a-z0-9_.\-]*$")
_FACTORIES: dict[str, Factory] = {}


def register(name: str, factory: Factory, *, replace: bool = False) -> None:
    """Make ``factory`` available as judge ``name``. Re-registering a name needs ``replace=True``
    (a plug-in must not shadow a built-in judge by accident)."""
    if not _NAME.match(name):
        raise ValueError(f'judge name "{name}" must be lower-case letters, digits, "_", "-" or "."')
    if name in _FACTORIES and not replace:
        raise ValueError(f'a judge named "{name}" is already registered (pass replace=True to replace it)')
    _FACTORIES[name] = factory


def available() -> list[str]:
    """The registered judge names, sorted."""
    return sorted(_FACTORIES)


def get(name: str, **options: Any) -> Judge:
    """A new judge ``name`` configured with ``options``. Unknown names and bad options are
    :class:`UserError`s that say what is available."""
    factory = _FACTORIES.get(name)
    if factory is None:
        raise UserError(f'unknown judge "{name}"; available judges: {", ".join(available())}')
    try:
        judge = factory(**options)
    except (TypeError, ValueError) as exc:
        given = ", ".join(f"{k}={v!r}" for k, v in sorted(options.items())) or "no options"
        raise UserError(f'judge "{name}" cannot be made with {given}: {exc}') from exc
    return judge


# --- built-ins, registered through the same seam; each imports its module only when asked for ------

def _rules(**options: Any) -> Judge:
    from .rules import RulesJudge

    return RulesJudge(**options)


def _recorded(**options: Any) -> Judge:
    from .recorded import RecordedJudge

    return RecordedJudge(**options)


def _mock(**options: Any) -> Judge:
    from .mock import MockJudge

    return MockJudge(**options)


register("rules", _rules)
register("recorded", _recorded)
register("mock", _mock)


def _endpoint(module: str, cls: str) -> Factory:
    """A factory for an endpoint judge, importing its module (and httpx) only when used."""

    def make(**options: Any) -> Judge:
        import importlib

        judge_cls = getattr(importlib.import_module(f"{__package__}.{module}"), cls)
        judge: Judge = judge_cls(**options)
        return judge

    return make


register("harmbench-cls", _endpoint("classifiers", "HarmBenchClassifier"))
register("llama-guard", _endpoint("classifiers", "LlamaGuard"))
register("jbb-llama3", _endpoint("classifiers", "JBBLlama3Judge"))
register("strongreject", _endpoint("rubrics", "StrongRejectJudge"))
register("pair-rating", _endpoint("rubrics", "PairRatingJudge"))


def _panel(**options: Any) -> Judge:
    from .panel import PanelJudge

    return PanelJudge(**options)


register("panel", _panel)
