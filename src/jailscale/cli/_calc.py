"""The calculator verbs' bodies (``score``, ``explain``, ``spec``, ``--version``), standard library only.

Both ways into the command line run these same functions: the Typer commands in
:mod:`jailscale.cli.spec_verbs`, and the fast path in :mod:`jailscale.cli._fast`, which serves the
plain forms of these verbs without importing Typer or Rich (and works in a calculator-only install,
where neither is installed). Nothing here may import Typer, Rich or any heavy dependency
(tests/cli/test_startup_imports.py).
"""

from __future__ import annotations

import json
from typing import Any

from .. import __version__, spec
from ..errors import UserError
from ..spec.serialize import explanation_dict, metric_table, score_dict
from ..textsafe import json_text


def print_json(data: Any) -> None:
    print(json_text(json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False)))


def version_line() -> str:
    """What ``jailscale --version`` prints (the package's ``__version__``, which a test holds equal to
    the installed distribution's version, read without importlib.metadata's start-up cost)."""
    return f"jailscale {__version__} (JSS {spec.SPEC_VERSION})"


def score(vector: str, as_json: bool) -> None:
    v = spec.parse(vector)
    if as_json:
        print_json(score_dict(v))
        return
    s = spec.score(v)
    print(s)
    print(f"response: {spec.respond(v)}")
    if s.value is None:
        print(f"range: {spec.score_range(v)}")


def explain(vector: str, as_json: bool) -> None:
    e = spec.explain(spec.parse(vector))
    if as_json:
        print_json(explanation_dict(e))
    else:
        print(e)


def spec_table(as_json: bool, version: str) -> None:
    try:
        table = metric_table(version)
    except spec.VersionError as e:
        raise UserError(f"--spec-version {version[:20]!r}: {e}") from None
    if as_json:
        print_json(table)
        return
    print(f"JSS {table['version']}  vector prefix {table['prefix']}")
    for m in table["metrics"]:
        codes = " < ".join(f"{v['code']} {v['name']}" for v in m["values"])
        flag = " (mandatory)" if m["mandatory"] else ""
        print(f"{m['group']:<13} {m['abbr']}  {m['name']}{flag}: {codes}")
