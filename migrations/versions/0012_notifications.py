"""Notifications and comments: the in-app list, the channels' outbox and log, channel set-up,
each user's preferences, and comments on records with their earlier texts.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | None = None
depends_on: str | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", BIG_ID, primary_key=True),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("module", sa.String(64), nullable=True),
        sa.Column("record_id", sa.String(64), nullable=True),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("read_at", MOMENT, nullable=True),
        sa.UniqueConstraint("user_name", "key", name="uq_notifications_user_key"),
    )
    op.create_index("ix_notifications_user_unread", "notifications", ["user_name", "read_at", "id"])
    op.create_table(
        "notification_sends",
        sa.Column("id", BIG_ID, primary_key=True),
        sa.Column("notification_id", BIG_ID, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", MOMENT, nullable=False),
        sa.Column("claimed_until", MOMENT, nullable=True),
        sa.Column("sent_at", MOMENT, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name="fk_notification_sends_notification_id_notifications",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("notification_id", "channel", name="uq_notification_sends_channel"),
    )
    op.create_index("ix_notification_sends_due", "notification_sends", ["status", "next_attempt_at"])
    op.create_index(
        "ix_notification_sends_notification_id", "notification_sends", ["notification_id"]
    )
    op.create_table(
        "notification_attempts",
        sa.Column("id", BIG_ID, primary_key=True),
        sa.Column("send_id", BIG_ID, nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("at", MOMENT, nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["send_id"],
            ["notification_sends.id"],
            name="fk_notification_attempts_send_id_notification_sends",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_notification_attempts_at", "notification_attempts", ["at"])
    op.create_index("ix_notification_attempts_send_id", "notification_attempts", ["send_id"])
    op.create_table(
        "notification_channels",
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=True),
        sa.Column("updated_at", MOMENT, nullable=False),
    )
    _preferences_and_comments()


def _preferences_and_comments() -> None:
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("mobile", sa.String(32), nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("muted", sa.JSON(), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("quiet_from", sa.String(5), nullable=True),
        sa.Column("quiet_to", sa.String(5), nullable=True),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("digest_hour", sa.Integer(), nullable=False),
        sa.Column("digest_sent_on", sa.String(10), nullable=True),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_notification_preferences_user_id_users",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "record_comments",
        sa.Column("id", BIG_ID, primary_key=True),
        sa.Column("module", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("mentions", sa.JSON(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("edited_at", MOMENT, nullable=True),
    )
    op.create_index(
        "ix_record_comments_record", "record_comments", ["module", "record_id", "id"]
    )
    op.create_table(
        "comment_revisions",
        sa.Column("id", BIG_ID, primary_key=True),
        sa.Column("comment_id", BIG_ID, nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("edited_by", sa.String(64), nullable=False),
        sa.Column("edited_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["record_comments.id"],
            name="fk_comment_revisions_comment_id_record_comments",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_comment_revisions_comment_id", "comment_revisions", ["comment_id"])


def downgrade() -> None:
    for table in (
        "comment_revisions",
        "record_comments",
        "notification_preferences",
        "notification_channels",
        "notification_attempts",
        "notification_sends",
        "notifications",
    ):
        op.drop_table(table)
