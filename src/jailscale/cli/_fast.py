"""The calculator's fast path: ``jailscale score|explain VECTOR [--json]``, ``jailscale spec [--json]
[--spec-version V]``, ``jailscale --version`` and ``jailscale --help`` run here without importing
Typer (whose import and command building cost several times the calculator itself, issue 8 "fast
start"; the root help is drawn with Rich from a generated index, cli/_help.py).

It serves only the plain forms, and only when nothing could make the full command line do otherwise:
any other argument, a configuration file (``jailscale.toml``, ``$JAILSCALE_CONFIG`` or
``[tool.jailscale]`` in ``pyproject.toml``) or an environment variable the full path would read for
these verbs sends the command to the full path (:func:`attempt` returns None). The verbs' bodies are
the same functions in both paths (:mod:`jailscale.cli._calc`); tests/cli/test_fast_path.py holds their
output, error lines and exit codes byte-identical to the full path's.

``jailscale assess FILE [options]`` is tried here too (:func:`assess`): a rerun that the store holds is
served by :mod:`jailscale.cli._assess` without Typer or SQLAlchemy (issue 8: a rerun at most 0.2x a
fresh run); anything else, a miss included, goes to the full path.

This is also the whole command line of a calculator-only install (``pip install jailscale`` without the
``full`` extra): :func:`minimal` answers every other verb with one line saying what to install.
Standard library only, apart from the spec.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

#: The verbs served here, and the root options that could change them when set in the environment
#: (click's ``auto_envvar_prefix`` names of the root group: ``--version``, ``--max-input-mb``, ``--help``).
CALCULATOR_VERBS = ("score", "explain", "spec")
ROOT_ENV = ("JAILSCALE_CONFIG", "JAILSCALE_SHOW_VERSION", "JAILSCALE_MAX_INPUT_MB", "JAILSCALE_HELP")
#: Longest error line (the same backstop as :data:`jailscale.cli._common.MAX_ERROR_LINE`).
MAX_ERROR_LINE = 2000
#: The extra that holds the database, report and command-line stack, and the top-level modules it brings
#: (a calculator-only install lacks them; any other missing module is a real fault and is raised).
FULL_EXTRA = "full"
FULL_STACK = frozenset({"typer", "click", "rich", "pydantic", "pydantic_core", "sqlalchemy", "alembic", "yaml",
                        "jinja2", "markupsafe", "aiohttp", "dotenv", "zstandard", "httpx", "cryptography"})


def configured(verb: str, cwd: str = ".") -> str | None:
    """What could set an option of ``verb`` (or a root option) outside the command line: a configuration
    file or an environment variable, named; None when nothing can. When something can, the full path,
    which reads and checks them, must run."""
    prefix = f"JAILSCALE_{verb.upper()}_"
    for k in sorted(os.environ):
        if k in ROOT_ENV or (verb and k.startswith(prefix)):
            return f"${k}"
    if os.path.isfile(os.path.join(cwd, "jailscale.toml")):
        return "jailscale.toml"
    pyproject = os.path.join(cwd, "pyproject.toml")
    if not os.path.isfile(pyproject):
        return None
    try:
        import tomllib

        with open(pyproject, "rb") as f:
            tool = tomllib.load(f).get("tool", {})
    except (OSError, ValueError):
        return "pyproject.toml"  # unreadable or not TOML: the full path says so
    return "[tool.jailscale] in pyproject.toml" if not isinstance(tool, dict) or "jailscale" in tool else None


def _vector_form(args: list[str]) -> tuple[str, bool] | None:
    """``VECTOR [--json]`` in either order, else None."""
    as_json = args.count("--json")
    rest = [a for a in args if a != "--json"]
    if as_json > 1 or len(rest) != 1 or rest[0].startswith("-") or not rest[0]:
        return None
    return rest[0], bool(as_json)


def _spec_form(args: list[str]) -> tuple[bool, str] | None:
    """``[--json] [--spec-version V]`` in either order, else None."""
    from ..spec import SPEC_VERSION

    as_json, version, i = False, None, 0
    while i < len(args):
        a = args[i]
        if a == "--json" and not as_json:
            as_json = True
        elif a == "--spec-version" and version is None and i + 1 < len(args) and not args[i + 1].startswith("-"):
            version = args[i + 1]
            i += 1
        else:
            return None
        i += 1
    return as_json, SPEC_VERSION if version is None else version


def plan(argv: list[str], cwd: str = ".", *, settings: bool = True) -> Callable[[], None] | None:
    """What the fast path would run for ``argv`` (a call with no arguments), or None for the full path.
    ``settings=False`` leaves out the check for configuration files and environment variables."""
    from . import _calc

    if argv == ["--version"]:
        return None if settings and configured("", cwd) else lambda: print(_calc.version_line())
    if argv == ["--help"]:
        return _help_plan(cwd) if settings else None
    if not argv or argv[0] not in CALCULATOR_VERBS or (settings and configured(argv[0], cwd)):
        return None
    verb, args = argv[0], argv[1:]
    if verb == "spec":
        spec_args = _spec_form(args)
        if spec_args is None:
            return None
        return lambda: _calc.spec_table(*spec_args)
    vector_args = _vector_form(args)
    if vector_args is None:
        return None
    body = _calc.score if verb == "score" else _calc.explain
    return lambda: body(*vector_args)


def _help_plan(cwd: str) -> Callable[[], None] | None:
    """The root help drawn from the generated index (cli/_help.py), when the full path would draw that:
    the program is called ``jailscale`` (the usage line names it), nothing configures the root options,
    nothing changes how Typer draws help, and Rich is installed (a calculator-only install has its own
    help, :data:`MINIMAL_HELP`)."""
    from . import _help

    if os.path.basename(sys.argv[0]) != "jailscale" or configured("", cwd) or any(k in os.environ
                                                                                 for k in _help.TYPER_ENV):
        return None
    try:
        import rich.console  # noqa: F401
    except ModuleNotFoundError:
        return None
    from ._help_index import INDEX

    def draw() -> None:
        _help.render(INDEX)
        print()  # click then echoes its own (empty) help buffer: one more newline

    return draw


def fail(message: str, code: int = 2) -> int:
    """One line on stderr, as :func:`jailscale.cli._common.fail` prints it; the exit code."""
    from ..textsafe import terminal, truncate

    print(f"jailscale: error: {terminal(truncate(message, MAX_ERROR_LINE))}", file=sys.stderr)
    return code


def call(body: Callable[[], None]) -> int:
    """Run a planned body; the exit code. The spec's errors and :class:`UserError` are one line and exit 2,
    as in the full path (:func:`jailscale.cli._common.user_errors`)."""
    from ..errors import UserError
    from ..spec import CJSError, PolicyError, VectorError

    try:
        body()
    except (UserError, VectorError, PolicyError, CJSError) as e:
        return fail(str(e), getattr(e, "exit_code", 2))
    except RecursionError:
        return fail("the input is nested too deeply to process; check the file (jailscale formats nest a few "
                    "levels only)")
    sys.stdout.flush()
    return 0


def attempt(argv: list[str]) -> int | None:
    """Run ``argv`` on the fast path and return its exit code, or None when the full path must run it."""
    if argv[:1] == ["assess"]:
        return assess(argv[1:])
    body = plan(argv)
    return None if body is None else call(body)


def assess(args: list[str], cwd: str = ".") -> int | None:
    """``jailscale assess ARGS`` served by the rerun shortcut without Typer (:func:`jailscale.cli._assess.attempt`:
    a stored run written again), or None for the full path: also when anything configures the verb, and in a
    calculator-only install (which lacks what assess needs)."""
    if configured("assess", cwd):
        return None
    try:
        from . import _assess
    except ModuleNotFoundError:  # pragma: no cover - _assess itself imports nothing outside the standard library
        return None
    return _assess.attempt(args)


MINIMAL_HELP = f"""Usage: jailscale COMMAND [ARGS]...

JSS, the Jailbreak Severity Scale: score, measure, store and compare jailbreak severity.

This is the calculator-only install. Commands:
  score VECTOR [--json]                 Score a JSS vector: value, rating, label and response.
  explain VECTOR [--json]               Explain a score: what sets it and what would move it.
  spec [--json] [--spec-version V]      Print the JSS metric table.
  --version                             Print the version and exit.

Every other command (assess, demo, list, report, the registry...) needs the full install:
  pip install 'jailscale[{FULL_EXTRA}]'
"""


def minimal(argv: list[str], missing: str) -> int:
    """The command line of a calculator-only install, for what the fast path did not serve: help, or one
    line naming what to install (exit 3: the environment lacks it, the command itself may be right)."""
    if argv in ([], ["--help"]):
        print(MINIMAL_HELP, end="")
        return 0
    if plan(argv, settings=False) is not None:
        return fail(f"{configured(argv[0] if argv[0] != '--version' else '')} sets options of this command, which "
                    f"the calculator-only install does not read; unset it, or install the full command line: "
                    f"pip install 'jailscale[{FULL_EXTRA}]'")
    verb = argv[0][:40]
    return fail(f"'jailscale {verb}' needs the full install ({missing} is not installed; this install has the "
                f"calculator only: score, explain, spec): pip install 'jailscale[{FULL_EXTRA}]'", 3)
