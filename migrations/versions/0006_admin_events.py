"""Admin events: the append-only trail of administrators' actions; who installed a pack
version; when a user last signed in.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "admin_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
    )
    op.create_index("ix_admin_events_at", "admin_events", ["at"])
    op.create_index("ix_admin_events_action", "admin_events", ["action", "at"])
    op.create_index("ix_admin_events_actor", "admin_events", ["actor", "at"])
    with op.batch_alter_table("pack_versions") as batch:
        batch.add_column(sa.Column("installed_by", sa.String(64), nullable=True))
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True))
    _make_append_only()


def _make_append_only() -> None:
    """The trail is evidence: the database itself refuses to change or delete its rows."""
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER admin_events_no_{action.lower()} BEFORE {action} "
                "ON admin_events BEGIN SELECT RAISE(ABORT, 'admin events are append-only'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION admin_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'admin events are append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER admin_events_append_only BEFORE UPDATE OR DELETE ON admin_events "
            "FOR EACH ROW EXECUTE FUNCTION admin_events_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP TRIGGER IF EXISTS admin_events_append_only ON admin_events")
        op.execute("DROP FUNCTION IF EXISTS admin_events_append_only()")
    op.drop_table("admin_events")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("last_sign_in_at")
    with op.batch_alter_table("pack_versions") as batch:
        batch.drop_column("installed_by")
