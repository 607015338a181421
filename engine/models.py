"""SQLAlchemy models of the engine's own tables.

Module records live in tables generated per module (engine/storage); these are the
tables every installation has: people, access, installed packs, numbering and history.
Their shape changes only through Alembic migrations in migrations/.
"""

from __future__ import annotations

from datetime import UTC, datetime
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
from sqlalchemy import text as sa_text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time stored here is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    # read only with the signed-in user's check (joined), so scopes need no statement of their own
    grants: Mapped[list[Grant]] = relationship(viewonly=True, lazy="raise")


class UserRole(Base):
    """A role held by a user; role ids are declared by packs, `admin` is built in."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(64), primary_key=True)

    user: Mapped[User] = relationship(back_populates="roles")


class Grant(Base):
    """Access to one record of a module, which row scopes read (see permissions)."""

    __tablename__ = "grants"
    __table_args__ = (
        UniqueConstraint("user_id", "module", "record_id"),
        Index("ix_grants_user_module", "user_id", "module"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    module: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64))


class ApiToken(Base):
    """An API token, stored only as its SHA-256 hash."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class UserSession(Base):
    """A browser session: the signed cookie carries its token, this row says if it still holds.

    Kept server-side so that signing out, deactivation and a password change end it at once
    on every worker, and a cookie captured earlier is refused afterwards.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_reason: Mapped[str | None] = mapped_column(String(32))


class RateLimitCounter(Base):
    """One fixed-window counter of a rate limit, shared by every worker and server."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class InstalledPack(Base):
    """The current version of each installed pack."""

    __tablename__ = "packs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    installed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PackVersion(Base):
    """Every version a pack has had, so records pinned to an old version can be read."""

    __tablename__ = "pack_versions"

    pack_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    installed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    installed_by: Mapped[str | None] = mapped_column(String(64))  # None: the command line


class InstalledModule(Base):
    """Which pack (and so which version) owns each module id."""

    __tablename__ = "modules"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    pack_id: Mapped[str] = mapped_column(ForeignKey("packs.id", ondelete="CASCADE"), index=True)


class Sequence(Base):
    """Record-number counters, one row per module and prefix, bumped in the writer's transaction."""

    __tablename__ = "sequences"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class HistoryEntry(Base):
    """One change of a record: never updated, never deleted."""

    __tablename__ = "history"
    __table_args__ = (Index("ix_history_record", "module", "record_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    module: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    transition: Mapped[str | None] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(64))
    to_state: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    module_version: Mapped[str | None] = mapped_column(String(64))


class Vote(Base):
    """One approver's vote on an open approval; discarded when the record leaves the state."""

    __tablename__ = "votes"
    __table_args__ = (
        Index("ix_votes_record", "module", "record_id", "transition", "discarded"),
        Index(
            "ux_votes_open",
            "module",
            "record_id",
            "transition",
            "voter",
            unique=True,
            sqlite_where=sa_text("discarded = 0"),
            postgresql_where=sa_text("discarded = false"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    module: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64))
    transition: Mapped[str] = mapped_column(String(64))
    voter: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    discarded: Mapped[bool] = mapped_column(Boolean, default=False)


class ExtraApprover(Base):
    """An approver added (加签) or delegated to (转交) for one record's open approval."""

    __tablename__ = "extra_approvers"
    __table_args__ = (
        Index("ix_extra_approvers_record", "module", "record_id", "transition", "active"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    module: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64))
    transition: Mapped[str] = mapped_column(String(64))
    user_name: Mapped[str] = mapped_column(String(64))
    replaces: Mapped[str | None] = mapped_column(String(64))  # the delegating user, for 转交
    added_by: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Task(Base):
    """An inbox item: a record waiting for someone's vote or transition, or copied to them."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_user_open", "assignee_user", "done_at", "created_at"),
        Index("ix_tasks_role_open", "assignee_role", "done_at", "created_at"),
        Index("ix_tasks_record", "module", "record_id", "done_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    module: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # vote | transition | copied
    transition: Mapped[str | None] = mapped_column(String(64))
    assignee_user: Mapped[str | None] = mapped_column(String(64))
    assignee_role: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Webhook(Base):
    """A URL an administrator registered for events of one module (or of every module)."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    module: Mapped[str | None] = mapped_column(String(64))  # None: every module
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(100))
    allow_private: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # False: paused or removed
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebhookMessage(Base):
    """The outbox: one event for one webhook, written in the transaction of the change."""

    __tablename__ = "webhook_outbox"
    __table_args__ = (Index("ix_webhook_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    webhook_id: Mapped[int] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(32))
    module: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)  # JSON text with exact decimals
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|delivered|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)


class WebhookDelivery(Base):
    """One delivery attempt: when, the receiver's status code, how long it took, any error."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_webhook", "webhook_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_outbox.id", ondelete="CASCADE"), index=True
    )
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    response_excerpt: Mapped[str | None] = mapped_column(Text)


class IdempotencyKey(Base):
    """A write made with an `Idempotency-Key`: its request fingerprint and stored response."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )


class Upload(Base):
    """A file stored for one field of a module by one user: what a file value may point at.

    A record's attachment value is accepted only when it names an upload of the writer for
    that very module and field (or is the value the record already had), so nobody can point
    a record at another record's file or skip the field's type and size limits.
    """

    __tablename__ = "uploads"
    __table_args__ = (Index("ix_uploads_user", "user_id", "module", "field"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the stored file's id
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    module: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(130))  # "photo", or "items.photo" in a child table
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AdminEvent(Base):
    """One administrator's action (pack import, user, role, grant, token or webhook change):
    who, when, on what, before and after. Never updated, never deleted (database triggers)."""

    __tablename__ = "admin_events"
    __table_args__ = (
        Index("ix_admin_events_action", "action", "at"),
        Index("ix_admin_events_actor", "actor", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str | None] = mapped_column(String(64))  # None: the command line
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(200))
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)


class BuilderDraft(Base):
    """An administrator's unpublished work in the module builder: the whole pack definition
    it edits, saved on every edit even while invalid, so nothing is lost before publishing."""

    __tablename__ = "builder_drafts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    pack_id: Mapped[str] = mapped_column(String(64))
    module_id: Mapped[str] = mapped_column(String(64))  # the module the editor opens on
    base_version: Mapped[str | None] = mapped_column(String(64))  # None: a new pack
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
