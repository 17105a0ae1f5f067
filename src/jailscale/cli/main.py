"""Entry point: import every verb module (each registers itself on the app), then run."""

from __future__ import annotations

from . import assess_verbs, baseline_verbs, import_verbs, policy_verbs, spec_verbs, store_verbs  # noqa: F401  (registration)
from ._common import app


def run() -> None:
    app()


if __name__ == "__main__":
    run()
