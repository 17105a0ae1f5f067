"""What every verb shares: the Typer app, JSON output and the error wrapper."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import Annotated, ParamSpec, TypeVar

import typer

from ..errors import EnvironmentFault, UserError
from ..textsafe import terminal, truncate
from ._calc import print_json, version_line

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="jailscale",
    help="JSS, the Jailbreak Severity Scale: score, measure, store and compare jailbreak severity.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


#: The size cap's environment variable (same name as ``jailscale.formats.io.ENV_MAX_MB``; not imported
#: from there so that start-up stays light).
ENV_MAX_MB = "JAILSCALE_MAX_INPUT_MB"
#: Longest error line printed: messages quote untrusted values truncated, and this is the backstop.
MAX_ERROR_LINE = 2000


def _version(value: bool) -> None:
    if value:
        print(version_line())
        raise typer.Exit(0)


@app.callback()
def _global_options(
    show_version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_version, help="Print the version and exit.")] = False,
    max_input_mb: Annotated[float | None, typer.Option(
        "--max-input-mb", min=0.001, envvar=ENV_MAX_MB, show_envvar=True,
        help="Largest input file read, in MB (default 256; a JSON Lines submission, streamed, 4000 and 16 "
             "per line: when given, N is the cap for every file and every line). Raise it for a genuinely "
             "large submission, e.g. jailscale --max-input-mb 1024 assess big.json")] = None,
) -> None:
    """JSS, the Jailbreak Severity Scale: score, measure, store and compare jailbreak severity."""
    if max_input_mb is not None:
        os.environ[ENV_MAX_MB] = repr(max_input_mb)


def fail(message: str, code: int = 2) -> None:
    """Print one clear line on stderr and exit non-zero. Control characters in the message (which
    may quote untrusted input) are shown as escapes, so the line cannot drive the terminal."""
    print(f"jailscale: error: {terminal(truncate(message, MAX_ERROR_LINE))}", file=sys.stderr)
    raise typer.Exit(code)


def user_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Every failure a user can meet, as one line and its documented exit code (no traceback):
    :class:`UserError` and the spec's ValueErrors exit 2; :class:`EnvironmentFault` exits 3; an
    ``OSError`` that escaped is classified (disk full, I/O error, read-only file system: 3; permission
    and path mistakes: 2); ``RecursionError`` (input nested too deeply) exits 2; a database error that
    escaped exits 3 with the driver's first line only (never SQL, parameters or credentials)."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from ..spec import CJSError, PolicyError, VectorError

        try:
            return fn(*args, **kwargs)
        except (UserError, EnvironmentFault) as e:
            fail(str(e), e.exit_code)
        except (VectorError, PolicyError, CJSError) as e:
            fail(str(e))
        except BrokenPipeError:
            # the reader went away (`jailscale list --json | head`): stop quietly, as other tools do,
            # not with "cannot access a file: Broken pipe"; stdout goes to devnull so the flush at
            # exit cannot fail again
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(1) from None
        except RecursionError:
            fail("the input is nested too deeply to process; check the file (jailscale formats nest a few "
                 "levels only)")
        except MemoryError:
            fail("out of memory; the input is larger than this machine can process (see --max-input-mb)", 3)
        except OSError as e:
            from ..runner.output import os_error

            err = os_error(e, f"cannot access {terminal(str(e.filename or 'a file'))[:200]}")
            fail(str(err), getattr(err, "exit_code", 3))
        except Exception as e:
            if not type(e).__module__.startswith(("sqlalchemy", "psycopg", "sqlite3", "alembic")):
                raise
            from ..store._engine import reason_of

            fail(f"database error: {reason_of(e)}", 3)
        raise AssertionError("unreachable")

    return wrapper

__all__ = ["app", "fail", "print_json", "user_errors"]
