"""Initial schema: suites, submissions, transcripts (with the submission_evidence link), verdicts
and assessments.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HASH = sa.String(length=80)
NAME = sa.String(length=200)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    ref_table = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{ref_table}"))


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("key", HASH, nullable=False),
        sa.Column("id", NAME, nullable=False),
        sa.Column("content_hash", HASH, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("technique_kind", sa.String(length=32), nullable=False),
        sa.Column("technique_name", sa.Text(), nullable=False),
        sa.Column("target_model", sa.Text(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("evidence", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_submissions")),
    )
    op.create_index(op.f("ix_submissions_content_hash"), "submissions", ["content_hash"])
    op.create_index(op.f("ix_submissions_id"), "submissions", ["id"])

    op.create_table(
        "suites",
        sa.Column("hash", HASH, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("version", NAME, nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("behaviours", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_suites")),
    )

    op.create_table(
        "assessments",
        sa.Column("id", HASH, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submission_key", HASH, nullable=False),
        sa.Column("submission_id", NAME, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("suite_hash", HASH, nullable=False),
        sa.Column("vector", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("rating", sa.String(length=32), nullable=True),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        _fk("assessments", "submission_key", "submissions.key"),
        _fk("assessments", "suite_hash", "suites.hash"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    op.create_index(op.f("ix_assessments_created_at"), "assessments", ["created_at"])
    op.create_index(op.f("ix_assessments_submission_key"), "assessments", ["submission_key"])

    op.create_table(
        "transcripts",
        sa.Column("hash", HASH, nullable=False),
        sa.Column("submission_key", HASH, nullable=False),
        sa.Column("behaviour", NAME, nullable=False),
        sa.Column("condition", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.Text(), nullable=True),
        sa.Column("sample", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        _fk("transcripts", "submission_key", "submissions.key"),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_transcripts")),
    )
    op.create_index(op.f("ix_transcripts_submission_key"), "transcripts", ["submission_key"])

    op.create_table(
        "submission_evidence",
        sa.Column("submission_key", HASH, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("transcript_hash", HASH, nullable=False),
        sa.Column("recorded_verdicts", sa.JSON(), nullable=False),
        _fk("submission_evidence", "submission_key", "submissions.key"),
        _fk("submission_evidence", "transcript_hash", "transcripts.hash"),
        sa.PrimaryKeyConstraint("submission_key", "position", name=op.f("pk_submission_evidence")),
    )
    op.create_index(op.f("ix_submission_evidence_transcript_hash"), "submission_evidence",
                    ["transcript_hash"])

    op.create_table(
        "verdicts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("transcript_hash", HASH, nullable=False),
        sa.Column("judge", NAME, nullable=False),
        sa.Column("judge_version", NAME, nullable=False),
        sa.Column("config_hash", HASH, nullable=False),
        sa.Column("label", sa.String(length=16), nullable=False),
        sa.Column("quality", sa.Float(), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        _fk("verdicts", "transcript_hash", "transcripts.hash"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verdicts")),
        sa.UniqueConstraint("transcript_hash", "judge", "judge_version", "config_hash",
                            name="uq_verdicts_transcript_judge"),
    )


def downgrade() -> None:
    op.drop_table("verdicts")
    op.drop_index(op.f("ix_submission_evidence_transcript_hash"), table_name="submission_evidence")
    op.drop_table("submission_evidence")
    op.drop_index(op.f("ix_transcripts_submission_key"), table_name="transcripts")
    op.drop_table("transcripts")
    op.drop_index(op.f("ix_assessments_submission_key"), table_name="assessments")
    op.drop_index(op.f("ix_assessments_created_at"), table_name="assessments")
    op.drop_table("assessments")
    op.drop_table("suites")
    op.drop_index(op.f("ix_submissions_id"), table_name="submissions")
    op.drop_index(op.f("ix_submissions_content_hash"), table_name="submissions")
    op.drop_table("submissions")
