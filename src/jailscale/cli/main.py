"""Entry point. The calculator's plain forms (``score``, ``explain``, ``spec``, ``--version``) take the fast
path (:mod:`jailscale.cli._fast`, no Typer); everything else imports every verb module (each registers
itself on the Typer app) and runs the full command line. ``app`` is that app, built on first use."""

from __future__ import annotations

from typing import Any


def _full_app() -> Any:
    from . import (  # noqa: F401  (registration)
        assess_verbs,
        baseline_verbs,
        conformance_verbs,
        export_verbs,
        import_verbs,
        judge_verbs,
        policy_verbs,
        remote_verbs,
        run_verbs,
        server_verbs,
        sign_verbs,
        spec_verbs,
        store_verbs,
    )
    from ._common import app

    return app


def __getattr__(name: str) -> Any:
    if name == "app":
        return _full_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run() -> None:
    """The ``jailscale`` command: option defaults from jailscale.toml / [tool.jailscale] and
    ``JAILSCALE_*`` environment variables (see :mod:`jailscale.cli._config`)."""
    import sys

    from . import _fast

    argv = sys.argv[1:]
    code = _fast.attempt(argv)
    if code is not None:
        raise SystemExit(code)
    run_full(argv)


def run_full(argv: list[str]) -> None:
    """The full command line (Typer) for ``argv``, whatever the fast path would have done."""
    import sys

    from . import _fast

    try:
        app = _full_app()
        import typer.main
    except ModuleNotFoundError as e:  # a calculator-only install: no Typer, database or report stack
        if (e.name or "").split(".")[0] not in _fast.FULL_STACK:
            raise
        raise SystemExit(_fast.minimal(argv, e.name or "")) from None

    from ..errors import UserError
    from ..textsafe import terminal
    from . import remote_verbs
    from ._config import main_kwargs

    try:
        kwargs = main_kwargs(typer.main.get_command(app))
    except UserError as e:
        print(f"jailscale: error: {terminal(str(e))}", file=sys.stderr)
        raise SystemExit(2) from None
    # `jailscale --registry URL VERB ...` is `jailscale remote VERB ... --registry URL`.
    app(args=remote_verbs.rewrite(argv), **kwargs)


if __name__ == "__main__":
    run()
