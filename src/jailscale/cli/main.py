"""Entry point: import every verb module (each registers itself on the app), then run."""

from __future__ import annotations

from ..errors import UserError
from . import (  # noqa: F401  (registration)
    assess_verbs,
    baseline_verbs,
    conformance_verbs,
    export_verbs,
    import_verbs,
    judge_verbs,
    policy_verbs,
    run_verbs,
    spec_verbs,
    store_verbs,
)
from . import server_verbs as _registry_verbs  # noqa: F401  (registration)
from ._common import app
from ._config import main_kwargs


def run() -> None:
    """The ``jailscale`` command: option defaults from jailscale.toml / [tool.jailscale] and
    ``JAILSCALE_*`` environment variables (see :mod:`jailscale.cli._config`)."""
    import sys

    import typer.main

    from ..textsafe import terminal

    try:
        kwargs = main_kwargs(typer.main.get_command(app))
    except UserError as e:
        print(f"jailscale: error: {terminal(str(e))}", file=sys.stderr)
        raise SystemExit(2) from None
    app(**kwargs)


if __name__ == "__main__":
    run()
