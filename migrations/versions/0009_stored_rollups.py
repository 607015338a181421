"""Stored rollups: each rollup field of an installed module gets its column, filled.

Rollups used to be computed on every read. From this revision each one is a column of its
module's table kept current by triggers (engine/records/rollups.py). A database holding
packs installed before gets the columns (and the indexes naming them) here, with the
triggers, and every value computed once. A fresh database has no packs: nothing to do.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    from engine.records.rollups import store_existing_rollups

    store_existing_rollups(op.get_bind())


def downgrade() -> None:
    from engine.records.rollups import drop_triggers

    drop_triggers(op.get_bind())  # the columns stay: the earlier code reads around them
