"""Reading and writing response policies as YAML (the spec itself does no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from . import spec
from .errors import UserError


def read_policy(path: Path) -> spec.Policy:
    """Load and structurally validate a policy file; UserError names the file and the fault."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"policy file '{path}' does not exist") from None
    except UnicodeDecodeError as e:
        raise UserError(f"policy file '{path}' is not UTF-8 text ({e.reason} at byte {e.start})") from None
    except OSError as e:
        raise UserError(f"cannot read policy file '{path}': {e.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise UserError(f"policy file '{path}' is not valid YAML: {str(e).splitlines()[0]}") from None
    try:
        return spec.load_policy(data)
    except spec.PolicyError as e:
        raise UserError(f"{path}: {e}") from None


def resolve_policy(name_or_path: str | None) -> spec.Policy:
    """``None`` or the default policy's name gives the default; anything else is read as a file."""
    if name_or_path in (None, "", spec.DEFAULT_POLICY.name, "default"):
        return spec.DEFAULT_POLICY
    return read_policy(Path(str(name_or_path)))


def dump_policy(data: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True, width=100)
