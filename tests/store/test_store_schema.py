"""The schema: migrations reach head from an empty database and agree with the models."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from jailscale.store import Store
from jailscale.store._engine import connect
from jailscale.store._migrate import alembic_config, head
from jailscale.store.models import TABLES, Base


def test_migrations_reach_head_and_match_models(store_url: str) -> None:
    with Store.open(store_url) as store:
        assert set(store.counts()) == set(TABLES)
    engine = connect(store_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            assert ctx.get_current_heads() == (head(),)
            assert compare_metadata(ctx, Base.metadata) == []
    finally:
        engine.dispose()


def test_downgrade_to_empty_and_back(store_url: str) -> None:
    Store.open(store_url).close()
    engine = connect(store_url)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    with Store.open(store_url) as store:  # re-opening migrates to head again
        assert store.counts() == dict.fromkeys(sorted(TABLES), 0)


def test_reopening_is_harmless(store_url: str) -> None:
    for _ in range(2):
        with Store.open(store_url) as store:
            assert sum(store.counts().values()) == 0


def test_the_head_read_from_the_files_is_alembics() -> None:
    from jailscale.store._migrate import head_from_files

    assert head_from_files() == head() is not None


def test_a_store_at_head_opens_without_alembic(store_url: str) -> None:
    """Every open but the first reads alembic_version once and leaves Alembic unimported (start-up)."""
    import subprocess
    import sys

    Store.open(store_url).close()  # migrated here
    probe = ("import sys; from jailscale.store import Store; s = Store.open(sys.argv[1]); s.counts(); s.close(); "
             "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))")
    done = subprocess.run([sys.executable, "-c", probe, store_url], capture_output=True, text=True, timeout=120,
                          check=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
    fresh = store_url.replace("store.sqlite3", "fresh.sqlite3") if store_url.startswith("sqlite") else None
    if fresh:  # a new store does need it, and is migrated
        done = subprocess.run([sys.executable, "-c", probe, fresh], capture_output=True, text=True, timeout=120,
                              check=True)
        assert "'alembic'" in done.stdout


def test_revision_0007_keeps_every_stored_row_both_ways(store_url: str, bundle: Any, make: Any) -> None:
    """0007 makes the verdicts' key their primary key (and, on SQLite, two tables WITHOUT ROWID): a store
    holding evidence is taken back to 0006 and forward again, and keeps every row, every link's order
    and every sealed verdict, which is still reused after the round trip."""
    from jailscale.store._write import input_hashes

    sub, suite, verdicts, assessment = bundle
    with Store.open(store_url) as store:
        store.save_assessment(sub, suite, verdicts, assessment)
        before = store.counts()
    engine = connect(store_url)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0006")
        with engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("verdicts")}
            unique = {u["name"] for u in inspect(conn).get_unique_constraints("verdicts")}
            ids = [i for (i,) in conn.exec_driver_sql("SELECT id FROM verdicts")]
        assert "id" in columns and "uq_verdicts_input_judge" in unique
        assert len(ids) == len(set(ids)) == len(verdicts)  # 0006's surrogate key, filled again
    finally:
        engine.dispose()
    with Store.open(store_url) as store:  # migrates to head again
        assert store.counts() == before
        assert store.get_submission(sub.id) == sub  # links in their order, recorded verdicts with them
        assert store.get_assessment(assessment.id) == assessment
        assert store.verdicts_for(input_hashes(sub, suite), make.judge, "1", make.config) == verdicts
    engine = connect(store_url)
    try:
        with engine.connect() as conn:
            assert "id" not in {c["name"] for c in inspect(conn).get_columns("verdicts")}
            assert inspect(conn).get_pk_constraint("verdicts")["constrained_columns"] == [
                "transcript_hash", "judge", "judge_version", "config_hash", "input_hash"]
            if conn.dialect.name == "sqlite":
                for table in ("verdicts", "submission_evidence"):
                    [(sql,)] = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = ?", (table,))
                    assert sql.rstrip().endswith("WITHOUT ROWID"), sql
    finally:
        engine.dispose()
