"""Browser sessions kept in the database, so that ending one ends it everywhere.

The signed cookie alone cannot be taken back: a copy captured before sign-out would stay
good until it expired. So the cookie carries a random session token and this table says
whether that session still holds. A session ends at sign-out, when its user is deactivated
or changes password, after its absolute lifetime and after an idle spell; every worker and
server reads the same rows. Only the token's SHA-256 hash is stored (a database reader
cannot take over a session), and `last_seen_at` is written at most once a minute (or a
tenth of a short idle timeout) so that a page view does not become a write.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, delete, or_, select, update
from sqlalchemy.orm import Session, joinedload

from engine.models import User, UserSession, aware, utcnow

DEFAULT_LIFETIME = timedelta(hours=12)
DEFAULT_IDLE_TIMEOUT = timedelta(hours=2)
SEEN_PRECISION = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 100


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session may last in all (`lifetime`) and without a request (`idle`)."""

    lifetime: timedelta = DEFAULT_LIFETIME
    idle: timedelta = DEFAULT_IDLE_TIMEOUT


def start_session(
    session: Session, user: User, policy: SessionPolicy, now: datetime | None = None
) -> str:
    """Open a session for a signed-in user and return its token (for the signed cookie).

    The user's sessions that have ended or lapsed are removed here, so the table holds
    about one row per device in use.
    """
    now = now or utcnow()
    session.execute(delete(UserSession).where(UserSession.user_id == user.id, _over(policy, now)))
    token = secrets.token_urlsafe(32)
    user.last_sign_in_at = now
    session.add(
        UserSession(user_id=user.id, token_hash=token_hash(token), created_at=now, last_seen_at=now)
    )
    session.flush()
    return token


def session_user(
    session: Session, token: str | None, policy: SessionPolicy, now: datetime | None = None
) -> User | None:
    """The active user of a session that still holds, or None; touches `last_seen_at`."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    found = credential_with_user(session, UserSession, token_hash(token))
    if found is None:
        return None
    row, user = found
    if row.ended_at is not None:
        return None
    now = now or utcnow()
    if aware(row.created_at) + policy.lifetime <= now:
        _end(row, "expired", now)
        return None
    if aware(row.last_seen_at) + policy.idle <= now:
        _end(row, "idle", now)
        return None
    if user is None or not user.active:
        return None
    if now - aware(row.last_seen_at) >= min(SEEN_PRECISION, policy.idle / 10):
        row.last_seen_at = now
    return user


def end_session(session: Session, token: str | None, reason: str = "signed_out") -> bool:
    """End one session (sign-out); its cookie is refused from now on. False if none held."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return False
    statement = (
        update(UserSession)
        .where(UserSession.token_hash == token_hash(token), UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_reason=reason)
    )
    result = cast("CursorResult[Any]", session.execute(statement))  # a DML result
    return bool(result.rowcount)


def end_user_sessions(session: Session, user: User, reason: str, *, keep: str | None = None) -> int:
    """End every open session of a user (deactivation, new password); how many ended.

    `keep` is the token of one session to leave open: a user who changes their own password
    stays signed in where they did it, and every other device is signed out.
    """
    conditions = [UserSession.user_id == user.id, UserSession.ended_at.is_(None)]
    if keep:
        conditions.append(UserSession.token_hash != token_hash(keep))
    statement = (
        update(UserSession).where(*conditions).values(ended_at=utcnow(), ended_reason=reason)
    )
    result = cast("CursorResult[Any]", session.execute(statement))  # a DML result
    return int(result.rowcount or 0)


def _over(policy: SessionPolicy, now: datetime) -> ColumnElement[bool]:
    """A predicate for sessions that can never hold again."""
    return or_(
        UserSession.ended_at.is_not(None),
        UserSession.created_at <= now - policy.lifetime,
        UserSession.last_seen_at <= now - policy.idle,
    )


def _end(row: UserSession, reason: str, now: datetime) -> None:
    row.ended_at, row.ended_reason = now, reason


def token_hash(token: str) -> str:
    """What the database keeps of a session or API token: never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def credential_with_user(
    session: Session, model: Any, hashed: str
) -> tuple[Any, User | None] | None:
    """A session or token row by its hash, with its user, roles and grants, in one statement.

    The user is None when it is gone (outer join); the row is None when nothing matches.
    """
    found = (
        session.execute(
            select(model, User)
            .outerjoin(User, User.id == model.user_id)
            .options(joinedload(User.roles), joinedload(User.grants))
            .where(model.token_hash == hashed)
        )
        .unique()
        .first()
    )
    return None if found is None else (found[0], found[1])
