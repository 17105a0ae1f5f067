"""What every verb shares: the Typer app, JSON output and the error wrapper."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import typer

from ..errors import UserError
from ..textsafe import terminal

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="jailscale",
    help="JSS, the Jailbreak Severity Scale: score, measure, store and compare jailbreak severity.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def fail(message: str, code: int = 2) -> None:
    """Print one clear line on stderr and exit non-zero. Control characters in the message (which
    may quote untrusted input) are shown as escapes, so the line cannot drive the terminal."""
    print(f"jailscale: error: {terminal(message)}", file=sys.stderr)
    raise typer.Exit(code)


def user_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn a :class:`UserError` (and the spec's ValueError subclasses) into one line and exit 2."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from ..spec import CJSError, PolicyError, VectorError

        try:
            return fn(*args, **kwargs)
        except UserError as e:
            fail(str(e), e.exit_code)
        except (VectorError, PolicyError, CJSError) as e:
            fail(str(e))
        raise AssertionError("unreachable")

    return wrapper


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False))
