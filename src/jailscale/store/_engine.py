"""Database URLs: the embedded default, masking passwords, opening an engine, migrating to head."""

from __future__ import annotations

import json
import random
import re
import sqlite3
import time
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from ..errors import EnvironmentFault, UserError

_PASSWORD = re.compile(r"(?P<head>://[^:/?#@\s]*:)[^@/?#\s]*(?P<at>@)")


def mask(url: str) -> str:
    """The URL with any password replaced by ``***`` (also when the URL does not parse)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError):
        return _PASSWORD.sub(r"\g<head>***\g<at>", url)


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
    _wal(cursor)
    cursor.close()


def _wal(cursor: Any) -> None:
    """``PRAGMA journal_mode=WAL``, waiting as the busy timeout would. Turning a new store's file to WAL
    reads it and then locks it whole, and SQLite fails that upgrade at once ("database is locked",
    without calling the busy handler) while another connection holds a lock on a file not yet in WAL:
    several runs starting at once on a new store did (7 of 8 in one test run). So the pragma is tried
    again, with a growing, jittered pause, until :data:`SQLITE_BUSY_MS` has passed."""
    deadline = time.monotonic() + SQLITE_BUSY_MS / 1000
    pause = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            busy = getattr(e, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))
            left = deadline - time.monotonic()
            if not busy or left <= 0:
                raise
        time.sleep(min(left, pause * (0.5 + random.random())))
        pause = min(pause * 2, 0.25)


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


class RawJSON(str):
    """JSON text already serialised (a streamed assessment's spool holds its transcripts so): written to
    a JSON column as it is, not serialised again. Any other value goes through ``json.dumps`` as usual."""

    __slots__ = ()


def _json_serializer(value: Any) -> str:
    return str.__str__(value) if isinstance(value, RawJSON) else json.dumps(value)


def connect(url: str) -> Engine:
    """An engine for ``url`` that has been seen to connect; UserError (password masked) otherwise."""
    shown = mask(url)
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise UserError(f"malformed database URL '{shown}': expected a URL such as "
                        "'sqlite:///path/to/jailscale.sqlite3' or "
                        "'postgresql+psycopg://user:password@host:5432/dbname'") from None
    kwargs: dict[str, Any] = {"json_serializer": _json_serializer}
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
        if engine.dialect.name == "sqlite" and not environmental(e):
            raise UserError(f"cannot open the SQLite database at '{shown}': {_reason(e)}; give the path of a "
                            "SQLite file in a folder that exists (a new file is created there)") from None
        raise EnvironmentFault(f"cannot reach the database at '{shown}': {_reason(e)}") from None
    return engine


#: SQLite result codes (``sqlite3.Error.sqlite_errorname``, by prefix) that say the machine failed, not
#: the path given: I/O errors, a full disk, a damaged file, a lock held past the busy timeout, no memory.
SQLITE_ENVIRONMENT = ("SQLITE_IOERR", "SQLITE_FULL", "SQLITE_CORRUPT", "SQLITE_BUSY", "SQLITE_LOCKED",
                      "SQLITE_NOMEM", "SQLITE_NOLFS", "SQLITE_PROTOCOL")
#: SQLite result codes that, when a database is first opened, point at the path the user gave (no such
#: folder, not a database file, no permission), but, once it was open, say it was moved, replaced or
#: made unreadable under a running program: the environment.
SQLITE_PATH = ("SQLITE_CANTOPEN", "SQLITE_NOTADB", "SQLITE_PERM", "SQLITE_READONLY", "SQLITE_AUTH")
#: PostgreSQL SQLSTATEs (by prefix) that say the server or its database is not in a usable state:
#: class 08 connection exception, 28 authentication failed, 53 insufficient resources, 57 operator
#: intervention (shut down, connections terminated), 58 system error, XX internal error (data corrupted), 40001/40P01
#: serialisation failure and deadlock (try again), 25006 read-only transaction (a standby), 3D000 the
#: database and 3F000 the schema does not exist, 42P01 a table does not exist (dropped under a running
#: service). www.postgresql.org/docs/current/errcodes-appendix.html
PG_ENVIRONMENT = ("08", "28", "53", "57", "58", "XX", "40001", "40P01", "25006", "3D000", "3F000", "42P01")


def environmental(e: BaseException, opened: bool = False) -> bool:
    """True when a database error is the environment's fault (unreachable, refused, authentication
    failed, shut down, disk full, damaged, busy, its tables gone), False when it is the input's or
    the code's. A SQLite file that cannot be opened or is not a database is the path the user gave
    (False) when first opened, the environment once it had been ``opened``."""
    orig = getattr(e, "orig", None)
    name = getattr(orig, "sqlite_errorname", None)
    if isinstance(name, str):
        return name.startswith(SQLITE_ENVIRONMENT + (SQLITE_PATH if opened else ()))
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if isinstance(state, str):
        return state.startswith(PG_ENVIRONMENT)
    if getattr(e, "connection_invalidated", False):
        return True
    # no code to go by: the driver's own classification (OperationalError: connection and server
    # trouble), a pool that ran out of connections, or an error raised before any statement ran
    return isinstance(e, sa_exc.OperationalError | sa_exc.TimeoutError) or not isinstance(e, sa_exc.DBAPIError)
