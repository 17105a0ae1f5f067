"""Verdicts are keyed by their primary key, and on SQLite two tables keep their rows in their key.

- ``verdicts``: the surrogate ``id`` (read by no query) goes, and the unique key over (transcript,
  judge, version, configuration, input) becomes the primary key. On SQLite the table is ``WITHOUT
  ROWID``: a verdict was stored twice, in the rowid table and in the unique index that repeated its
  three hashes (273 bytes a verdict); it is now stored once, in the key's B-tree, which the lookups by
  transcript hash read.
- ``submission_evidence``: on SQLite ``WITHOUT ROWID`` too. Its rows are small and written in key
  order (a submission's positions); the rowid table kept an index beside it repeating the submission
  key of every row (97 bytes a link).

Measured with ``sqlite3`` alone on the 100,000 transcripts of ``benchmarks/assess_scale.py``: the
store's file is 17% smaller (202 MB to 167 MB) and inserting its rows costs about 15% less CPU; the
cache lookups by transcript hash cost the same. On PostgreSQL only the verdicts' key changes (a heap
table has no rowid).

Existing rows are copied as they are; the upgrade of a large SQLite store rewrites these two tables
once.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = ["transcript_hash", "judge", "judge_version", "config_hash", "input_hash"]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if _sqlite():
        # SQLite cannot change a table's key or rowid in place: each table is copied into a new one
        with op.batch_alter_table("verdicts", recreate="always",
                                  table_kwargs={"sqlite_with_rowid": False}) as batch:
            batch.drop_constraint("uq_verdicts_input_judge", type_="unique")
            batch.drop_column("id")
            batch.create_primary_key("pk_verdicts", KEY)
        with op.batch_alter_table("submission_evidence", recreate="always",
                                  table_kwargs={"sqlite_with_rowid": False}):
            pass
    else:
        op.drop_constraint("uq_verdicts_input_judge", "verdicts", type_="unique")
        op.drop_constraint("pk_verdicts", "verdicts", type_="primary")
        op.drop_column("verdicts", "id")
        op.create_primary_key("pk_verdicts", "verdicts", KEY)


def downgrade() -> None:
    if _sqlite():
        # the reflected tables say WITHOUT ROWID: asked back explicitly (``id`` is then the rowid again,
        # numbered as the rows are copied)
        with op.batch_alter_table("submission_evidence", recreate="always",
                                  table_kwargs={"sqlite_with_rowid": True}):
            pass
        with op.batch_alter_table("verdicts", recreate="always", table_kwargs={"sqlite_with_rowid": True}) as batch:
            batch.drop_constraint("pk_verdicts", type_="primary")
            batch.add_column(sa.Column("id", sa.Integer(), nullable=False, primary_key=True))
            batch.create_unique_constraint("uq_verdicts_input_judge", KEY)
    else:
        op.drop_constraint("pk_verdicts", "verdicts", type_="primary")
        op.add_column("verdicts", sa.Column("id", sa.Integer(), sa.Identity(), nullable=False))
        op.create_primary_key("pk_verdicts", "verdicts", ["id"])
        op.create_unique_constraint("uq_verdicts_input_judge", "verdicts", KEY)
