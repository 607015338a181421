"""The tables of notifications and comments, on the same Base as engine/models.py.

A notification is one event for one user (`notifications`, the in-app list); each channel it
goes out on is one row of the outbox (`notification_sends`), unique per notification and
channel so nothing is sent twice; every attempt is logged (`notification_attempts`). The
administrator configures channels (`notification_channels`); each user chooses events,
channels, quiet hours and a digest (`notification_preferences`). Comments on records are
append-only (`record_comments`), an edit keeping the earlier text (`comment_revisions`).
migrations/env.py imports this module so Alembic sees the tables.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, utcnow

BIG_ID = BigInteger().with_variant(Integer, "sqlite")


class Notification(Base):
    """One event for one user: the in-app item, and the source of what each channel sends."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_name", "key", name="uq_notifications_user_key"),
        Index("ix_notifications_user_unread", "user_name", "read_at", "id"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    user_name: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(32))  # engine/notifications/events.py EVENTS
    key: Mapped[str] = mapped_column(String(255))  # the event's identity: idempotency
    module: Mapped[str | None] = mapped_column(String(64))
    record_id: Mapped[str | None] = mapped_column(String(64))
    actor: Mapped[str | None] = mapped_column(String(64))  # who caused it; None: the system
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NotificationSend(Base):
    """The outbox: one notification on one channel, sent at most once (claimed with a lease)."""

    __tablename__ = "notification_sends"
    __table_args__ = (
        UniqueConstraint("notification_id", "channel", name="uq_notification_sends_channel"),
        Index("ix_notification_sends_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))  # email | wecom | dingtalk | feishu
    # pending | sending | sent | failed | dropped (may no longer read, channel off) | digest
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)


class NotificationAttempt(Base):
    """One attempt to send: when, whether it went, how long it took, what the far end said."""

    __tablename__ = "notification_attempts"
    __table_args__ = (Index("ix_notification_attempts_at", "at"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    send_id: Mapped[int] = mapped_column(
        ForeignKey("notification_sends.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class NotificationChannel(Base):
    """A channel as the administrator set it up: on or off, and its settings (robot URL...)."""

    __tablename__ = "notification_channels"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NotificationPreference(Base):
    """What one user wants: address, language, muted events, channels, quiet hours, digest."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str | None] = mapped_column(String(320))
    mobile: Mapped[str | None] = mapped_column(String(32))  # for a robot's @mention
    language: Mapped[str] = mapped_column(String(8), default="zh-CN")  # "en" | "zh-CN"
    muted: Mapped[list[str]] = mapped_column(JSON, default=list)  # events not wanted
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)  # besides in-app
    quiet_from: Mapped[str | None] = mapped_column(String(5))  # "22:00", firm's time zone
    quiet_to: Mapped[str | None] = mapped_column(String(5))  # "07:30"
    digest: Mapped[bool] = mapped_column(Boolean, default=False)  # e-mail once a day instead
    digest_hour: Mapped[int] = mapped_column(Integer, default=8)
    digest_sent_on: Mapped[str | None] = mapped_column(String(10))  # ISO date of the last one
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RecordComment(Base):
    """A comment on a record: never deleted; an edit keeps the earlier text as a revision."""

    __tablename__ = "record_comments"
    __table_args__ = (Index("ix_record_comments_record", "module", "record_id", "id"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    module: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    mentions: Mapped[list[str]] = mapped_column(JSON, default=list)  # user names
    attachments: Mapped[list[Any]] = mapped_column(JSON, default=list)  # as attachment fields
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CommentRevision(Base):
    """The text a comment had before an edit, who changed it and when."""

    __tablename__ = "comment_revisions"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("record_comments.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    edited_by: Mapped[str] = mapped_column(String(64))
    edited_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
