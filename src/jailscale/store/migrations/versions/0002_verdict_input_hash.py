"""Verdict cache keyed on everything the judge read: ``verdicts.input_hash`` (the transcript, its
recorded verdicts and the behaviour), part of the unique key. Rows stored before have '' and are
never reused (JSS 2.0: a cached verdict must not change a score).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("verdicts") as batch:
        batch.add_column(sa.Column("input_hash", sa.String(length=80), server_default="", nullable=False))
        batch.drop_constraint("uq_verdicts_transcript_judge", type_="unique")
        batch.create_unique_constraint(
            "uq_verdicts_input_judge",
            ["transcript_hash", "judge", "judge_version", "config_hash", "input_hash"])


def downgrade() -> None:
    # the old key cannot hold several inputs per transcript: keep only the pre-2.0 rows (a cache)
    op.execute("DELETE FROM verdicts WHERE input_hash <> ''")
    with op.batch_alter_table("verdicts") as batch:
        batch.drop_constraint("uq_verdicts_input_judge", type_="unique")
        batch.drop_column("input_hash")
        batch.create_unique_constraint(
            "uq_verdicts_transcript_judge", ["transcript_hash", "judge", "judge_version", "config_hash"])
