"""Importers: outside evidence formats turned into jailscale submissions.

One seam: an importer is a function from a path to an :class:`ImportResult`, registered under a
name with :func:`register`; built-in importers use the same seam::

    >>> from jailscale import importers
    >>> importers.available()
    ['jailbreakbench']
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UserError
from ._base import Importer, ImportResult

_IMPORTERS: dict[str, Importer] = {}


def register(name: str, importer: Importer) -> None:
    """Make ``importer`` available as ``jailscale import NAME PATH``."""
    if not name:
        raise ValueError("an importer name must be non-empty")
    if name in _IMPORTERS and _IMPORTERS[name] is not importer:
        raise ValueError(f"importer {name!r} is already registered")
    _IMPORTERS[name] = importer


def available() -> list[str]:
    return sorted(_IMPORTERS)


def get(name: str) -> Importer:
    """The importer registered as ``name``; an unknown name is the user's error."""
    try:
        return _IMPORTERS[name]
    except KeyError:
        raise UserError(f"unknown importer {name!r}; known importers: {', '.join(available())}") from None


def run(name: str, path: Path) -> ImportResult:
    """Import ``path`` with the importer registered as ``name``."""
    return get(name)(Path(path))


def _register_builtins() -> None:
    from . import jailbreakbench

    register("jailbreakbench", jailbreakbench.load)


_register_builtins()

__all__ = ["ImportResult", "Importer", "available", "get", "register", "run"]
