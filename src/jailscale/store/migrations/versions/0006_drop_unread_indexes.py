"""Two indexes that no query reads are dropped: ``transcripts.submission_key`` and
``submission_evidence.transcript_hash``. The store never looks transcripts up by the submission that
first brought them, nor submissions by a transcript they hold (evidence is read by submission key and
position, the primary key), and submissions and transcripts are never deleted, so no foreign-key check
needs them either. Each cost a B-tree insert at a random place per stored transcript (92 bytes each on
SQLite, about 8% of the store), on the write path that ``benchmarks/assess_scale.py --store`` measures.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_transcripts_submission_key", table_name="transcripts")
    op.drop_index("ix_submission_evidence_transcript_hash", table_name="submission_evidence")


def downgrade() -> None:
    op.create_index("ix_submission_evidence_transcript_hash", "submission_evidence", ["transcript_hash"])
    op.create_index("ix_transcripts_submission_key", "transcripts", ["submission_key"])
