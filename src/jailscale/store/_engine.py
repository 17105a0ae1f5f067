"""Database URLs: the embedded default, masking passwords, opening an engine, migrating to head."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from ..errors import EnvironmentFault, UserError

ENV_URL = "JAILSCALE_DATABASE_URL"
ENV_HOME = "JAILSCALE_HOME"
DEFAULT_FILE = "jailscale.sqlite3"

_PASSWORD = re.compile(r"(?P<head>://[^:/?#@\s]*:)[^@/?#\s]*(?P<at>@)")


def mask(url: str) -> str:
    """The URL with any password replaced by ``***`` (also when the URL does not parse)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError):
        return _PASSWORD.sub(r"\g<head>***\g<at>", url)


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


#: How long a SQLite connection waits for another writer before giving up, in milliseconds. Eight
#: concurrent 30,000-transcript runs each hold the write lock for tens of seconds on a loaded machine,
#: one after another; 300 s leaves room for seven ahead.
SQLITE_BUSY_MS = 300_000
#: Execution option that makes a SQLite transaction take the write lock when it begins
#: (``BEGIN IMMEDIATE``): a write transaction that first reads and then writes would otherwise fail
#: at once with SQLITE_BUSY when another writer committed in between (the busy timeout does not
#: apply to that upgrade; sqlite.org/lang_transaction.html).
WRITE = "jailscale_write"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on; write-ahead logging (readers never block the writer, nor the writer readers:
    sqlite.org/wal.html), so concurrent users of one store wait for each other instead of failing;
    a busy timeout, so a writer waits for the lock instead of failing with "database is locked"."""
    dbapi_connection.isolation_level = None  # the driver's implicit BEGIN off: _sqlite_begin emits it
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    """Begin every transaction explicitly (SQLAlchemy's recipe for pysqlite): ``BEGIN IMMEDIATE`` for
    a connection with the :data:`WRITE` option, a deferred ``BEGIN`` otherwise."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")


def reason_of(e: BaseException) -> str:
    """The first line of a database error's own message: never SQLAlchemy's rendering of it, which
    carries the SQL statement and its parameters (the user's data), and never credentials."""
    orig = getattr(e, "orig", None)
    msg = str(orig if orig is not None else e).strip().splitlines()
    first = msg[0] if msg else type(e).__name__
    return first.split("[SQL:")[0].strip()[:300]


_reason = reason_of


def connect(url: str) -> Engine:
    """An engine for ``url`` that has been seen to connect; UserError (password masked) otherwise."""
    shown = mask(url)
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise UserError(f"malformed database URL '{shown}': expected a URL such as "
                        "'sqlite:///path/to/jailscale.sqlite3' or "
                        "'postgresql+psycopg://user:password@host:5432/dbname'") from None
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        kwargs["pool_pre_ping"] = True
        if parsed.get_driver_name() in ("psycopg", "psycopg2"):
            kwargs["connect_args"] = {"connect_timeout": 10}
    elif parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_MS / 1000}
    try:
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, NoSuchModuleError, ImportError) as e:
        raise UserError(f"cannot use database URL '{shown}': {_reason(e)} (for PostgreSQL, install "
                        "jailscale[postgres] and use 'postgresql+psycopg://...')") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as e:
        engine.dispose()
        # a SQLite file that cannot be opened is a path the user gave; a server that does not answer
        # is the environment
        cls = UserError if engine.dialect.name == "sqlite" else EnvironmentFault
        raise cls(f"cannot reach the database at '{shown}': {_reason(e)}") from None
    return engine
