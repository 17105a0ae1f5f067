"""The target registry: ``provider/model`` addresses to targets, with typed options per provider.

``register(provider, factory, options)`` makes a provider available; ``options`` is a pydantic
model, so every option a user gives (``--target-opt base_url=...``) is validated, typed and
documented in one place. Factories import their module only when called, so an optional SDK or
``transformers`` is needed only by the run that uses it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import UserError
from .base import Target

Factory = Callable[[str, Any], Target]

_PROVIDER = re.compile(r"^[a-z][a-z0-9_\-]*$")
_MODEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/@+\-]{0,199}$")


@dataclass(frozen=True)
class Provider:
    name: str
    factory: Factory
    options: type[BaseModel]
    summary: str


_PROVIDERS: dict[str, Provider] = {}


def register(name: str, factory: Factory, options: type[BaseModel], summary: str = "", *,
             replace: bool = False) -> None:
    """Make ``factory(model, options)`` available as provider ``name``."""
    if not _PROVIDER.match(name):
        raise ValueError(f'provider name "{name}" must be lower-case letters, digits, "_" or "-"')
    if name in _PROVIDERS and not replace:
        raise ValueError(f'a provider named "{name}" is already registered (pass replace=True)')
    _PROVIDERS[name] = Provider(name, factory, options, summary)


def available() -> list[str]:
    return sorted(_PROVIDERS)


def providers() -> list[Provider]:
    return [_PROVIDERS[n] for n in available()]


def split_address(address: str) -> tuple[str, str]:
    """``provider/model`` into its two parts; the model may itself contain ``/`` (``hf/org/name``).
    ``replay`` and ``mock`` may omit the model."""
    provider, sep, model = address.strip().partition("/")
    if provider in ("replay", "mock") and not sep:
        return provider, "default"
    if not sep or not provider or not model:
        raise UserError(f"target {_quote(address)} is not PROVIDER/MODEL (e.g. openai/gpt-4o-mini, "
                        f"anthropic/claude-3-5-haiku-latest); providers: {', '.join(available())}")
    if not _MODEL.match(model):
        raise UserError(f"target {_quote(address)}: model name {_quote(model)} has characters other than "
                        "letters, digits and _.:/@+-")
    return provider, model


def get(address: str, options: Mapping[str, Any] | None = None) -> Target:
    """A new, unopened target for ``address`` with validated ``options``."""
    provider, model = split_address(address)
    entry = _PROVIDERS.get(provider)
    if entry is None:
        raise UserError(f"unknown target provider {_quote(provider)} in {_quote(address)}; available: "
                        f"{', '.join(available())}")
    try:
        opts = entry.options.model_validate(dict(options or {}))
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "options"
        raise UserError(f"target {_quote(address)}: option {where}: {first['msg']}; known options: "
                        f"{', '.join(entry.options.model_fields)}") from None
    return entry.factory(model, opts)


def parse_options(items: list[str]) -> dict[str, str]:
    """``KEY=VALUE`` strings (``--target-opt``) into a dict; pydantic converts the values."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"target option {_quote(item)} is not KEY=VALUE (e.g. base_url=http://127.0.0.1:8000/v1)")
        out[key.strip()] = value
    return out


def _quote(text: str, limit: int = 80) -> str:
    shown = text if len(text) <= limit else text[:limit] + "..."
    return repr(shown)


# --- built-ins, registered through the same seam; modules are imported when a target is made ------

def _openai(model: str, opts: Any) -> Target:
    from .openai import OpenAITarget

    return OpenAITarget(model, opts)


def _anthropic(model: str, opts: Any) -> Target:
    from .anthropic import AnthropicTarget

    return AnthropicTarget(model, opts)


def _mock(model: str, opts: Any) -> Target:
    from .mock import MockTarget

    return MockTarget(model, opts)


def _replay(model: str, opts: Any) -> Target:
    from .replay import ReplayTarget

    return ReplayTarget(model, opts)


def _hf(model: str, opts: Any) -> Target:
    from .hf import HFTarget

    return HFTarget(model, opts)


def _guarded(model: str, opts: Any) -> Target:
    from .guarded import GuardedTarget

    return GuardedTarget(model, opts)


def _register_builtins() -> None:
    from .options import AnthropicOptions, GuardedOptions, HFOptions, MockOptions, OpenAIOptions, ReplayOptions

    register("openai", _openai, OpenAIOptions, "OpenAI, or any OpenAI-compatible server (base_url=...)")
    register("anthropic", _anthropic, AnthropicOptions, "Anthropic Messages API (system prompt, prefill)")
    register("mock", _mock, MockOptions, "deterministic offline target for tests and dry runs")
    register("replay", _replay, ReplayOptions, "answers from recorded transcripts (source=FILE)")
    register("hf", _hf, HFOptions, "local transformers model (pip install 'jailscale[hf]')")
    register("guarded", _guarded, GuardedOptions, "a system of layers: input classifier, model, output classifier")


_register_builtins()
