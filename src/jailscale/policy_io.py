"""Reading and writing response policies as YAML (the spec itself does no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from . import spec
from .errors import UserError
from .formats.io import parse_yaml, read_utf8, show_path
from .textsafe import terminal


def read_policy(path: Path) -> spec.Policy:
    """Load and structurally validate a policy file through the bounded reading layer
    (:mod:`jailscale.formats.io`); UserError names the file and the fault."""
    text = read_utf8(path, what="policy file")
    shown = f"policy file {show_path(path)}"
    data = parse_yaml(text, shown)
    try:
        return spec.load_policy(data)
    except spec.PolicyError as e:
        raise UserError(f"{shown}: {terminal(str(e)[:500])}") from None


def resolve_policy(name_or_path: str | None, checked: bool = False) -> spec.Policy:
    """``None`` or the default policy's name gives the default; anything else is read as a file.
    With ``checked``, a policy that fails ``jailscale policy check`` (coverage, monotonicity,
    relevance, the Suspend ceiling) is refused: an assessment must not apply a policy the checker
    rejects."""
    if name_or_path in (None, "", spec.DEFAULT_POLICY.name, "default"):
        return spec.DEFAULT_POLICY
    policy = read_policy(Path(str(name_or_path)))
    if checked:
        report = spec.check(policy)
        if not report.ok:
            more = f" (and {len(report.problems) - 1} more)" if len(report.problems) > 1 else ""
            raise UserError(f"policy file {show_path(name_or_path or '')} fails policy check: "
                            f"{terminal(report.problems[0][:300])}{more}; run `jailscale policy check "
                            f"{terminal(str(name_or_path)[:160])}` and fix it, or use the default policy")
    return policy


def dump_policy(data: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True, width=100)
