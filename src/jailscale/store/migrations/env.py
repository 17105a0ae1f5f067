"""Alembic environment for the jailscale store. Run through ``jailscale.store._migrate``, which
passes an open connection in ``config.attributes['connection']``; with a ``sqlalchemy.url`` option
instead, this opens its own."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

import jailscale.store.registry_models  # noqa: F401  (registry tables, for autogenerate)
from jailscale.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection and no sqlalchemy.url for the jailscale migrations")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("the jailscale store migrations run online only")
run_migrations_online()
