"""Alembic, run from code: the migrations ship inside the package, no alembic.ini needed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from ..errors import UserError
from ._engine import mask

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """A Config whose ``script_location`` is the package's migrations folder. ``env.py`` uses
    ``connection`` when given (so an engine's options, such as a search path, carry over)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema (``alembic upgrade head``), in one transaction."""
    shown = mask(engine.url.render_as_string(hide_password=False))
    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    try:
        with engine.begin() as conn:
            current = MigrationContext.configure(conn).get_current_heads()
            unknown = [r for r in current if r not in known]
            if unknown:
                raise UserError(f"the store at '{shown}' has schema revision {', '.join(unknown)}, "
                                "which this jailscale does not know: it was written by a newer "
                                "version; upgrade jailscale or use another database")
            command.upgrade(alembic_config(conn), "head")
    except SQLAlchemyError as e:
        orig = getattr(e, "orig", None) or e
        raise UserError(f"cannot set up the store at '{shown}': {str(orig).strip().splitlines()[0]}") \
            from None


def revision(url: str, message: str) -> None:
    """For developers: write a new migration by comparing the models with a database at head,
    e.g. ``python -c "from jailscale.store._migrate import revision; revision('sqlite:///x.db', 'msg')"``.
    Review the generated file before committing it."""
    command.revision(alembic_config(url=url), message=message, autogenerate=True)
