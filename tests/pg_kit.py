"""PostgreSQL for every suite that tests against it (the store, the hostile-input suite, the registry):
one place that finds the server, and one fresh schema per test so that parallel runs never share tables.

The server comes from ``JAILSCALE_TEST_POSTGRES_URL`` (default ``PG_DEFAULT``). When it cannot be
reached its tests are skipped with the reason, except under ``CI=true``, where they fail: CI must prove
PostgreSQL works."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

PG_ENV = "JAILSCALE_TEST_POSTGRES_URL"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def pg_unreachable_reason() -> tuple[str, str | None]:
    """The configured URL, and why it cannot be used (None when it answers ``SELECT 1``)."""
    url = os.environ.get(PG_ENV) or PG_DEFAULT
    engine = create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return url, None
    except (SQLAlchemyError, ImportError) as e:
        first = (str(getattr(e, "orig", e)).strip().splitlines() or [type(e).__name__])[0]
        shown = make_url(url).render_as_string(hide_password=True)
        return url, f"PostgreSQL not reachable at {shown} (set {PG_ENV}): {first}"
    finally:
        engine.dispose()


def require_pg() -> str:
    """The PostgreSQL URL, seen to connect; skip the test (under ``CI=true``, fail it) when it does not."""
    url, reason = pg_unreachable_reason()
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true requires PostgreSQL: {reason}")
        pytest.skip(reason)
    return url


@contextmanager
def pg_schema(base: str, prefix: str = "jailscale_test") -> Iterator[str]:
    """A URL whose search path is a fresh, empty schema named ``<prefix>_<random>``; dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
