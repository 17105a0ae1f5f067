"""The store: SQLite by default (``$JAILSCALE_HOME/jailscale.sqlite3``), PostgreSQL when
``JAILSCALE_DATABASE_URL`` says so; SQLAlchemy 2 models and Alembic migrations shipped in the
package, run to head on open.

    with Store.open(Store.url_from_env()) as store:
        store.save_assessment(submission, suite, verdicts, assessment)
"""

from ._engine import ENV_HOME, ENV_URL, RawJSON, default_url, mask
from ._store import MIN_PREFIX, AssessmentRow, Store
from ._write import SpooledRow

__all__ = ["ENV_HOME", "ENV_URL", "MIN_PREFIX", "AssessmentRow", "RawJSON", "SpooledRow", "Store", "default_url",
           "mask"]
