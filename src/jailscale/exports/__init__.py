"""Exports: a stored assessment in the formats other tools read.

One seam, like importers: an exporter is a function from an :class:`ExportInput` (the assessment,
its submission and suite, its judge's verdicts) to a JSON-serialisable document, registered under a
name::

    >>> from jailscale import exports
    >>> exports.available()
    ['avid', 'inspect', 'sarif']

- ``avid``: an AVID report (the avidtools ``Report`` datamodel), JSS vector and counts in its metrics;
- ``sarif``: SARIF 2.1.0 for CI, ``security-severity`` = the JSS score;
- ``inspect``: the evidence as an Inspect AI JSON log (condition in sample metadata).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..errors import UserError
from ._base import ExportInput

Exporter = Callable[[ExportInput, bool], dict[str, Any]]
_EXPORTERS: dict[str, tuple[Exporter, str]] = {}


def register(name: str, exporter: Exporter, suffix: str) -> None:
    """Make ``exporter`` available as ``jailscale export ID --format NAME``; ``suffix`` is the file
    name ending it writes (``.sarif``, ``.avid.json``...)."""
    if not name:
        raise ValueError("an exporter name must be non-empty")
    if name in _EXPORTERS and _EXPORTERS[name][0] is not exporter:
        raise ValueError(f"exporter {name!r} is already registered")
    _EXPORTERS[name] = (exporter, suffix)


def available() -> list[str]:
    return sorted(_EXPORTERS)


def suffix(name: str) -> str:
    return _get(name)[1]


def _get(name: str) -> tuple[Exporter, str]:
    try:
        return _EXPORTERS[name]
    except KeyError:
        raise UserError(f"unknown export format {name!r}; known formats: {', '.join(available())}") from None


def file_name(name: str, x: ExportInput) -> str:
    """The file name an export is written under when ``--out`` is a folder: Inspect's own log name
    pattern for ``inspect`` (so that ``inspect view`` lists it), else ``jss-<id>`` and the suffix."""
    _get(name)
    if name == "inspect":
        from .inspect_log import file_name as inspect_name

        return inspect_name(x)
    return f"jss-{x.assessment.id.removeprefix('sha256:')[:12]}{suffix(name)}"


def export(name: str, x: ExportInput, include_text: bool = False) -> dict[str, Any]:
    """The document for ``x`` in format ``name``. ``include_text`` puts request and response text in
    formats that carry evidence (``inspect``); it is redacted otherwise."""
    return _get(name)[0](x, include_text)


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _register_builtins() -> None:
    from .avid import avid_report
    from .inspect_log import inspect_log
    from .sarif import sarif_log

    register("avid", lambda x, _text: avid_report(x), ".avid.json")
    register("sarif", lambda x, _text: sarif_log(x), ".sarif")
    register("inspect", inspect_log, ".inspect.json")


_register_builtins()

__all__ = ["ExportInput", "Exporter", "available", "dumps", "export", "file_name", "register", "suffix"]
