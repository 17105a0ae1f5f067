"""Typed judge options: each configurable judge declares a pydantic model of its options, and
``-J KEY=VALUE`` strings from the command line are parsed and validated against it.

The rule: an unknown key, or a value that does not parse as its field's type, is a one-line
:class:`~jailscale.errors.UserError` that names the judge, quotes the key or value (truncated) and
lists the keys the judge accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import UserError


class JudgeOptions(BaseModel):
    """Base of every judge's options: unknown keys are errors, values are validated and frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


OptionsT = TypeVar("OptionsT", bound=JudgeOptions)


def _quote(value: Any, limit: int = 60) -> str:
    text = str(value)
    text = text if len(text) <= limit else text[:limit] + "..."
    return repr(text)


def parse_options(judge: str, model: type[OptionsT], raw: Mapping[str, Any]) -> OptionsT:
    """``model`` validated from ``raw`` (strings from ``-J`` or typed values from Python)."""
    known = sorted(model.model_fields)
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise UserError(f"judge '{judge}' has no option {_quote(unknown[0])}; its options are: "
                        f"{', '.join(known) or '(none)'}")
    try:
        return model.model_validate(dict(raw))
    except ValidationError as e:
        first = e.errors()[0]
        key = ".".join(str(x) for x in first["loc"]) or "(options)"
        given = raw.get(key, "(missing)") if isinstance(key, str) else "(missing)"
        raise UserError(f"judge '{judge}' option {key}={_quote(given)}: {first['msg']}") from None
