"""Entry point: import every verb module (each registers itself on the app), then run."""

from __future__ import annotations

from ..errors import UserError
from . import (  # noqa: F401  (registration)  # noqa: F401  (registration)
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
    # `jailscale --registry URL VERB ...` is `jailscale remote VERB ... --registry URL`.
    app(args=remote_verbs.rewrite(sys.argv[1:]), **kwargs)


if __name__ == "__main__":
    run()
