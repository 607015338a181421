"""Workflow tables: votes, extra approvers (加签 / 转交) and inbox tasks; history append-only.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "votes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("module", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("transition", sa.String(64), nullable=False),
        sa.Column("voter", sa.String(64), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("discarded", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_votes_record", "votes", ["module", "record_id", "transition", "discarded"])
    op.create_index(
        "ux_votes_open",
        "votes",
        ["module", "record_id", "transition", "voter"],
        unique=True,
        sqlite_where=sa.text("discarded = 0"),
        postgresql_where=sa.text("discarded = false"),
    )
    op.create_table(
        "extra_approvers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("module", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("transition", sa.String(64), nullable=False),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("replaces", sa.String(64), nullable=True),
        sa.Column("added_by", sa.String(64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_index(
        "ix_extra_approvers_record",
        "extra_approvers",
        ["module", "record_id", "transition", "active"],
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("module", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("transition", sa.String(64), nullable=True),
        sa.Column("assignee_user", sa.String(64), nullable=True),
        sa.Column("assignee_role", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_tasks_user_open", "tasks", ["assignee_user", "done_at", "created_at"])
    op.create_index("ix_tasks_role_open", "tasks", ["assignee_role", "done_at", "created_at"])
    op.create_index("ix_tasks_record", "tasks", ["module", "record_id", "done_at"])
    op.add_column("history", sa.Column("transition", sa.String(64), nullable=True))
    _make_history_append_only()


def _make_history_append_only() -> None:
    """History rows are evidence: the database itself refuses to change or delete them."""
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER history_no_{action.lower()} BEFORE {action} ON history "
                "BEGIN SELECT RAISE(ABORT, 'history is append-only'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION history_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'history is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON history "
            "FOR EACH ROW EXECUTE FUNCTION history_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS history_no_update")
        op.execute("DROP TRIGGER IF EXISTS history_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS history_append_only ON history")
        op.execute("DROP FUNCTION IF EXISTS history_append_only()")
    with op.batch_alter_table("history") as batch:
        batch.drop_column("transition")
    op.drop_table("tasks")
    op.drop_table("extra_approvers")
    op.drop_table("votes")
