"""Behaviour suites: loaders for public dataset formats and the bundled practice suite.

One seam: a loader is a function from a path to a :class:`~jailscale.formats.Suite`, registered
under a format name with :func:`register`. The built-in loaders use the same seam::

    >>> from jailscale import suites
    >>> "jbb" in suites.available()
    True
    >>> suites.load_suite_arg("practice").name
    'jailscale-practice'
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

from ..errors import UserError
from ..formats import Suite
from ..formats.io import read_model

Loader = Callable[[Path], Suite]

PRACTICE = "practice"
PRACTICE_FILE = "practice.yaml"
#: Names the dataset loaders give their suites, and the format that reads each (a submission that
#: names one of these still needs the dataset's file: the data is not bundled).
DATASET_SUITES = {"jbb-behaviors": "jbb", "harmbench": "harmbench", "strongreject": "strongreject",
                  "xstest": "xstest"}

_LOADERS: dict[str, Loader] = {}


def register(name: str, loader: Loader) -> None:
    """Make ``loader`` available as format ``name`` (``jailscale suite --suite name:PATH``)."""
    if not name or ":" in name:
        raise ValueError(f"a suite format name must be non-empty and contain no ':', got {name!r}")
    if name in _LOADERS and _LOADERS[name] is not loader:
        raise ValueError(f"suite format {name!r} is already registered")
    _LOADERS[name] = loader


def available() -> list[str]:
    """The registered format names, sorted."""
    return sorted(_LOADERS)


def load(name: str, path: Path) -> Suite:
    """Load ``path`` with the loader registered as ``name``."""
    loader = _LOADERS.get(name)
    if loader is None:
        raise UserError(f"unknown suite format {name!r}; known formats: {', '.join(available())}")
    return loader(Path(path))


def read_suite_file(path: Path) -> Suite:
    """A jailscale suite file (YAML or JSON, ``format: jailscale.suite/1``)."""
    return read_model(Suite, Path(path))


def practice_path() -> Path:
    """Where the bundled practice suite file is."""
    return Path(str(resources.files(__package__).joinpath(PRACTICE_FILE)))


def practice() -> Suite:
    """The bundled practice suite: neutral placeholder behaviours covering every JSS tier."""
    return read_suite_file(practice_path())


def load_suite_arg(text: str, named_in: Path | None = None) -> Suite:
    """A suite named on the command line: ``practice``, ``FORMAT:PATH`` (e.g.
    ``jbb:data/harmful-behaviors.csv``), or the path of a jailscale suite file. When the name comes
    from inside a file (``named_in``, e.g. a submission's ``suite:`` field) its path is resolved
    relative to that file and must stay in the file's folder (:func:`jailscale.formats.io.confined`)."""
    from ..formats.io import confined

    text = text.strip()
    if text == PRACTICE:
        return practice()
    fmt, sep, rest = text.partition(":")
    if sep and fmt in _LOADERS:
        if not rest:
            raise UserError(f"suite {text!r} names format {fmt!r} but no path; write {fmt}:PATH")
        return load(fmt, confined(named_in, rest, "suite") if named_in is not None else Path(rest))
    path = Path(text)
    if named_in is not None and text not in DATASET_SUITES:
        path = confined(named_in, text, "suite")
    if path.exists() or path.is_symlink():
        return read_suite_file(path)
    if text in DATASET_SUITES:
        fmt = DATASET_SUITES[text]
        raise UserError(f"suite {text!r} is a public dataset that jailscale does not bundle; give its file "
                        f"as {fmt}:PATH (e.g. --suite {fmt}:PATH/TO/FILE.csv)")
    if sep and len(fmt) > 1 and "/" not in fmt and "\\" not in fmt:
        raise UserError(f"unknown suite format {fmt!r} in {text!r}; known formats: "
                        f"{', '.join(available())}; or give the path of a jailscale suite file")
    raise UserError(f"suite {text!r} is not a file; give '{PRACTICE}', FORMAT:PATH with FORMAT one of "
                    f"{', '.join(available())}, or the path of a jailscale suite file")


def _register_builtins() -> None:
    from . import harmbench, jbb, strongreject, xstest

    register("jailscale", read_suite_file)
    register("jbb", jbb.load)
    register("harmbench", harmbench.load)
    register("strongreject", strongreject.load)
    register("xstest", xstest.load)


_register_builtins()

__all__ = ["DATASET_SUITES", "PRACTICE", "Loader", "Suite", "available", "load", "load_suite_arg",
           "practice", "practice_path", "read_suite_file", "register"]
