"""Cached verdicts are sealed: ``verdicts.seal`` holds an HMAC under a secret kept outside the database
(jailscale.store._seal), so a verdict row edited in the database (a jailbreak's verdicts rewritten to
'refused') is judged again instead of reused. Rows stored before this revision have '' and are never
reused: they are judged again once, and the fresh verdict is used.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("verdicts") as batch:
        batch.add_column(sa.Column("seal", sa.String(length=80), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("verdicts") as batch:
        batch.drop_column("seal")
