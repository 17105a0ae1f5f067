"""The store: SQLite by default (``$JAILSCALE_HOME/jailscale.sqlite3``), PostgreSQL when
``JAILSCALE_DATABASE_URL`` says so; SQLAlchemy 2 models and Alembic migrations shipped in the
package, run to head on open.

    with Store.open(Store.url_from_env()) as store:
        store.save_assessment(submission, suite, verdicts, assessment)

The names below are imported on first use, not with the package: the rerun shortcut's fast path reads
a SQLite store with the standard library (:mod:`jailscale.store._fastread`) and must not pay for
SQLAlchemy by importing this package.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._engine import RawJSON, mask
    from ._paths import ENV_HOME, ENV_URL, default_url
    from ._store import MIN_PREFIX, AssessmentRow, Store
    from ._write import SpooledRow

#: Each exported name and the module it lives in.
_HOME = {"ENV_HOME": "._paths", "ENV_URL": "._paths", "default_url": "._paths", "RawJSON": "._engine",
         "mask": "._engine", "MIN_PREFIX": "._store", "AssessmentRow": "._store", "Store": "._store",
         "SpooledRow": "._write"}

__all__ = ["ENV_HOME", "ENV_URL", "MIN_PREFIX", "AssessmentRow", "RawJSON", "SpooledRow", "Store", "default_url",
           "mask"]


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value
