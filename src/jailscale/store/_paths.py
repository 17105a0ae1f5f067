"""Where the store lives and which schema revision is the newest, in the standard library alone: what
the rerun shortcut's fast path (:mod:`jailscale.store._fastread`) needs without importing SQLAlchemy
or Alembic. :mod:`jailscale.store._engine` and :mod:`jailscale.store._migrate` use these same ones."""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

from ..errors import EnvironmentFault

ENV_URL = "JAILSCALE_DATABASE_URL"
ENV_HOME = "JAILSCALE_HOME"
DEFAULT_FILE = "jailscale.sqlite3"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def home() -> Path:
    """``$JAILSCALE_HOME``, or ``~/.jailscale``."""
    return Path(os.environ.get(ENV_HOME) or "~/.jailscale").expanduser()


def default_url() -> str:
    """The embedded default: SQLite in the jailscale home folder (created if missing)."""
    folder = home()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise EnvironmentFault(f"cannot create the jailscale home folder {folder}: {e.strerror or e}; "
                        f"set {ENV_HOME} to a folder you can write") from None
    return f"sqlite:///{folder / DEFAULT_FILE}"


def url_from_env() -> str | None:
    """``$JAILSCALE_DATABASE_URL`` when set and not empty."""
    return os.environ.get(ENV_URL) or None


@cache
def head_from_files() -> str | None:
    """The newest revision, read from the migration files' own ``revision`` and ``down_revision``
    lines without importing Alembic (a test holds it equal to Alembic's :func:`head`): the one
    revision that no other revises; None when that is not exactly one (then Alembic decides)."""
    revisions, parents = set(), set()
    for f in (MIGRATIONS / "versions").glob("*.py"):
        text_ = f.read_text(encoding="utf-8")
        rev = re.search(r'^revision(?:: [^=]+)? = "([^"]+)"', text_, re.M)
        down = re.search(r'^down_revision(?:: [^=]+)? = (?:"([^"]+)"|None)', text_, re.M)
        if rev is None or down is None:
            return None
        revisions.add(rev.group(1))
        if down.group(1):
            parents.add(down.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None
