"""Child-table link columns are indexed: rows found by the record they point at.

Related records and rollups over child rows look rows up by a link column of the child
table (`m_goods_receipt__lines.material`). Packs installed from this revision get the index
with the table; a database holding packs installed before gets the missing indexes here.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    from engine.storage_indexes import create_missing_indexes

    create_missing_indexes(op.get_bind())


def downgrade() -> None:
    pass  # the indexes stay: the earlier code does not mind them
