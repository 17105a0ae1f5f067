"""Defaults for every command-line option, from a configuration file and the environment.

Precedence, highest first (docs/guide/configuration.md has the same table):

1. an option given on the command line;
2. the environment variable ``JAILSCALE_<VERB>_<OPTION>`` (``JAILSCALE_ASSESS_JUDGE``,
   ``JAILSCALE_LIST_LIMIT``, ``JAILSCALE_POLICY_CHECK_JSON``; options before the verb:
   ``JAILSCALE_<OPTION>``, e.g. ``JAILSCALE_MAX_INPUT_MB``), click's ``auto_envvar_prefix``;
3. ``jailscale.toml`` in the current folder, or the file ``$JAILSCALE_CONFIG`` names;
4. ``[tool.jailscale]`` in ``pyproject.toml`` in the current folder;
5. the built-in default.

In a file, a table per verb holds that verb's options by their long name (``[assess]`` ``judge =
"recorded"``, ``fail-on = "High"``; a nested verb is ``[policy.check]``); top-level keys are the
options that come before the verb. A key that names no verb or option is an error that says which
file and key, so a typo cannot silently leave a default in force.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from ..errors import UserError

ENV_PREFIX = "JAILSCALE"
CONFIG_ENV = "JAILSCALE_CONFIG"
FILE = "jailscale.toml"
PYPROJECT = "pyproject.toml"
MAX_CONFIG_BYTES = 1024 * 1024


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise UserError(f"cannot read configuration file '{path}': {e.strerror}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise UserError(f"configuration file '{path}' is over {MAX_CONFIG_BYTES} bytes")
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise UserError(f"configuration file '{path}' is not valid TOML: {e}") from None


def find(cwd: Path | None = None) -> tuple[Path, dict[str, Any]] | None:
    """The configuration in force and where it came from, or None."""
    cwd = cwd or Path.cwd()
    named = os.environ.get(CONFIG_ENV)
    if named:
        path = Path(named)
        if not path.is_file():
            raise UserError(f"${CONFIG_ENV} names '{path}', which is not a file")
        return path, _read(path)
    if (cwd / FILE).is_file():
        return cwd / FILE, _read(cwd / FILE)
    if (cwd / PYPROJECT).is_file():
        tool = _read(cwd / PYPROJECT).get("tool", {})
        if isinstance(tool, dict) and isinstance(tool.get("jailscale"), dict):
            return cwd / PYPROJECT, tool["jailscale"]
    return None


def _key(name: str) -> str:
    return name.replace("-", "_")


def default_map(data: dict[str, Any], command: Any, source: str, where: str = "") -> dict[str, Any]:
    """``data`` checked against ``command``'s options and verbs (a click command, as Typer builds
    it: ``params`` with ``name`` and ``param_type_name``, and ``commands`` for a group), as click's
    ``default_map``."""
    params: dict[str, str] = {}  # every name an option goes by in a file -> its parameter name
    for p in command.params:
        if p.name and getattr(p, "param_type_name", "") == "option":
            params[p.name] = p.name
            for flag in p.opts:
                if flag.startswith("--"):
                    params.setdefault(_key(flag[2:]), p.name)
    verbs: dict[str, Any] = getattr(command, "commands", None) or {}
    out: dict[str, Any] = {}
    for raw, value in data.items():
        key = _key(str(raw))
        at = f"{where}.{raw}" if where else str(raw)
        if isinstance(value, dict):
            sub = verbs.get(str(raw)) or verbs.get(key)
            if sub is None:
                names = ", ".join(sorted(verbs)) or "none"
                raise UserError(f"{source}: [{at}] is not a jailscale verb; verbs: {names}")
            out[sub.name or key] = default_map(value, sub, source, at)
        elif key in params:
            out[params[key]] = value
        else:
            known = ", ".join(sorted({o.replace("_", "-") for o, n in params.items() if o != n or
                                      not any(a != n and m == n for a, m in params.items())})) or "none"
            raise UserError(f"{source}: '{at}' is not an option here (options: {known})")
    return out


def main_kwargs(command: Any, cwd: Path | None = None) -> dict[str, Any]:
    """What ``app(...)`` is called with: the file's defaults and the environment prefix."""
    found = find(cwd)
    kwargs: dict[str, Any] = {"auto_envvar_prefix": ENV_PREFIX}
    if found is not None:
        path, data = found
        kwargs["default_map"] = default_map(data, command, f"'{path}'")
    return kwargs
