"""Entry point: import every verb module (each registers itself on the app), then run."""

from __future__ import annotations

from . import (  # noqa: F401  (registration)
    assess_verbs,
    baseline_verbs,
    conformance_verbs,
    export_verbs,
    import_verbs,
    policy_verbs,
    run_verbs,
    spec_verbs,
    store_verbs,
)
from ._common import app


def run() -> None:
    app()


if __name__ == "__main__":
    run()
