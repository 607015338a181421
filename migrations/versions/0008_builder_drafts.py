"""Builder drafts: each administrator's unpublished pack definitions in the module builder.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "builder_drafts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("pack_id", sa.String(64), nullable=False),
        sa.Column("module_id", sa.String(64), nullable=False),
        sa.Column("base_version", sa.String(64), nullable=True),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_builder_drafts_owner", "builder_drafts", ["owner"])


def downgrade() -> None:
    op.drop_index("ix_builder_drafts_owner", table_name="builder_drafts")
    op.drop_table("builder_drafts")
