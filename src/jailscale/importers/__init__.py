"""Importers: outside evidence formats turned into jailscale submissions.

One seam: an importer is a function from a path (and, for importers that take them, typed
:class:`ImportOptions`) to an :class:`ImportResult`, registered under a name with :func:`register`
together with a detector that recognises its files; built-in importers use the same seam::

    >>> from jailscale import importers
    >>> importers.available()
    ['garak', 'inspect', 'jailbreakbench', 'promptfoo']

Given a file of another kind, :func:`run` says which importer fits it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from ._base import Detector, ImportOptions, ImportResult
from ._common import head_bytes

Importer = Callable[..., ImportResult]


@dataclass(frozen=True)
class _Entry:
    importer: Importer
    detect: Detector | None
    takes_options: bool


_IMPORTERS: dict[str, _Entry] = {}


def register(name: str, importer: Importer, *, detect: Detector | None = None,
             takes_options: bool = False) -> None:
    """Make ``importer`` available as ``jailscale import NAME PATH``. ``detect(path, head)`` says
    whether a file (``head``: its first bytes) is this importer's kind; ``takes_options`` whether
    the importer is called as ``importer(path, options)``."""
    if not name:
        raise ValueError("an importer name must be non-empty")
    old = _IMPORTERS.get(name)
    if old is not None and old.importer is not importer:
        raise ValueError(f"importer {name!r} is already registered")
    _IMPORTERS[name] = _Entry(importer, detect, takes_options)


def available() -> list[str]:
    return sorted(_IMPORTERS)


def get(name: str) -> Importer:
    """The importer registered as ``name``; an unknown name is the user's error."""
    try:
        return _IMPORTERS[name].importer
    except KeyError:
        raise UserError(f"unknown importer {name!r}; known importers: {', '.join(available())}") from None


def detect(path: Path) -> str | None:
    """The name of the importer whose files look like ``path``, or None."""
    path = Path(path)
    head = head_bytes(path)
    for name in available():
        d = _IMPORTERS[name].detect
        if d is not None and d(path, head):
            return name
    return None


_TOOL = {"inspect": "an Inspect", "garak": "a garak", "promptfoo": "a promptfoo", "jailbreakbench": "a JailbreakBench"}


def run(name: str, path: Path, options: ImportOptions | None = None) -> ImportResult:
    """Import ``path`` with the importer registered as ``name``. A file that another importer
    recognises and this one does not is refused with the name of the importer that fits."""
    get(name)
    entry = _IMPORTERS[name]
    path = Path(path)
    if path.is_file() and entry.detect is not None and not entry.detect(path, head_bytes(path)):
        other = detect(path)
        if other is not None and other != name:
            raise UserError(f"'{path}' is {_TOOL.get(other, other)} file, not {_TOOL.get(name, name)} file; "
                            f"import it with: jailscale import {other} '{path}'")
    opts = options or ImportOptions()
    if entry.takes_options:
        return entry.importer(path, opts)
    if opts != ImportOptions():
        raise UserError(f"the {name} importer takes no options (given: "
                        f"{', '.join(k for k, v in opts.model_dump().items() if v)})")
    return entry.importer(path)


def _jbb_detect(path: Path, head: bytes) -> bool:
    return path.suffix.lower() == ".json" and (b'"jailbreaks"' in head or b'"summaries"' in head)


def _register_builtins() -> None:
    from . import garak, inspect, jailbreakbench, promptfoo

    register("jailbreakbench", jailbreakbench.load, detect=_jbb_detect)
    register("inspect", inspect.load, detect=inspect.detect, takes_options=True)
    register("garak", garak.load, detect=garak.detect, takes_options=True)
    register("promptfoo", promptfoo.load, detect=promptfoo.detect, takes_options=True)


_register_builtins()

__all__ = ["ImportOptions", "ImportResult", "Importer", "available", "detect", "get", "register", "run"]


