"""Alembic, run from code: the migrations ship inside the package, no alembic.ini needed.

Opening a store whose schema is already at the newest revision (every open but the first) reads
``alembic_version`` with one query and does not import Alembic at all (:func:`at_head`); only a
store that needs migrating takes the locks and runs Alembic."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no file lock; concurrent first use is not serialised
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from ..errors import EnvironmentFault, UserError
from ._engine import mask, reason_of
from ._paths import MIGRATIONS, head_from_files  # read without SQLAlchemy by the rerun fast path too

if TYPE_CHECKING:
    from alembic.config import Config

def at_head(engine: Engine) -> bool:
    """True when the database's ``alembic_version`` holds exactly the newest revision (one query; any
    error, such as a new database without the table, is False and the full check runs)."""
    newest = head_from_files()
    if newest is None:
        return False
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:
        return False
    return [r[0] for r in rows] == [newest]


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """A Config whose ``script_location`` is the package's migrations folder. ``env.py`` uses
    ``connection`` when given (so an engine's options, such as a search path, carry over)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


#: The PostgreSQL advisory lock key that serialises migrations: the first 8 bytes of
#: sha256("jailscale.store.migrate") as a signed 64-bit integer (any constant would do; this one
#: will not collide with another application's by accident).
PG_MIGRATION_LOCK = int.from_bytes(hashlib.sha256(b"jailscale.store.migrate").digest()[:8], "big", signed=True)


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    """An exclusive lock on ``<database>.migrate.lock`` beside a SQLite file (fcntl.flock): the
    processes that open a new store at once migrate one after another. SQLite runs DDL outside
    transactions under Python's sqlite3 module, so a transaction alone would not serialise them."""
    db = engine.url.database
    if not db or db == ":memory:" or fcntl is None:
        yield
        return
    lock_path = Path(db).with_name(Path(db).name + ".migrate.lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise EnvironmentFault(f"cannot create the store's lock file {lock_path}: {e.strerror or e}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema (``alembic upgrade head``), in one transaction, one
    process at a time: PostgreSQL takes a transaction-scoped advisory lock first (DDL is
    transactional there, so a second process waits, then finds the schema at head); SQLite holds a
    file lock. Concurrent first use of an empty store is safe on both. A store already at the newest
    revision is left after one query (:func:`at_head`)."""
    if at_head(engine):
        return
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    shown = mask(engine.url.render_as_string(hide_password=False))
    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    try:
        with _sqlite_file_lock(engine) if engine.dialect.name == "sqlite" else nullcontext(), \
                engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_MIGRATION_LOCK})
            current = MigrationContext.configure(conn).get_current_heads()
            unknown = [r for r in current if r not in known]
            if unknown:
                raise UserError(f"the store at '{shown}' has schema revision {', '.join(unknown)}, "
                                "which this jailscale does not know: it was written by a newer "
                                "version; upgrade jailscale or use another database")
            if set(current) != {head()}:
                command.upgrade(alembic_config(conn), "head")
    except SQLAlchemyError as e:
        raise EnvironmentFault(f"cannot set up the store at '{shown}': {reason_of(e)}") from None


def revision(url: str, message: str) -> None:
    """For developers: write a new migration by comparing the models with a database at head,
    e.g. ``python -c "from jailscale.store._migrate import revision; revision('sqlite:///x.db', 'msg')"``.
    Review the generated file before committing it."""
    from alembic import command

    command.revision(alembic_config(url=url), message=message, autogenerate=True)
