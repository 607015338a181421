"""Webhooks: when one was removed, so a paused webhook (inactive, resumable) and a removed
one (inactive for good, its log kept) are told apart.

Before this revision an inactive webhook was a removed one, so those get their creation
time as their removal time.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhooks") as batch:
        batch.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
    webhooks = sa.table(
        "webhooks",
        sa.column("active", sa.Boolean()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("removed_at", sa.DateTime(timezone=True)),
    )
    op.execute(
        webhooks.update()
        .where(webhooks.c.active.is_(False))
        .values(removed_at=webhooks.c.created_at)
    )


def downgrade() -> None:
    with op.batch_alter_table("webhooks") as batch:
        batch.drop_column("removed_at")
