"""The rerun shortcut: ``assessment_reruns`` keeps a finished run's outputs by a key over everything
that went into them (jailscale.runner.rerun), so a rerun with the same inputs writes them again
without reading, judging and measuring. A cache: dropping it loses nothing but time.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assessment_reruns",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("submission_digest", sa.String(length=80), nullable=False),
        sa.Column("suite_ref", sa.Text(), nullable=False),
        sa.Column("assessment_id", sa.String(length=80), nullable=False),
        sa.Column("transcripts", sa.Integer(), nullable=False),
        sa.Column("outputs", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"], ondelete="CASCADE",
                                name="fk_assessment_reruns_assessment_id_assessments"),
        sa.PrimaryKeyConstraint("key", name="pk_assessment_reruns"),
    )
    op.create_index("ix_assessment_reruns_submission_digest", "assessment_reruns", ["submission_digest"])
    op.create_index("ix_assessment_reruns_assessment_id", "assessment_reruns", ["assessment_id"])


def downgrade() -> None:
    op.drop_index("ix_assessment_reruns_assessment_id", table_name="assessment_reruns")
    op.drop_index("ix_assessment_reruns_submission_digest", table_name="assessment_reruns")
    op.drop_table("assessment_reruns")
