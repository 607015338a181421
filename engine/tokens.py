"""API tokens: issued once, kept only as a hash, revoked for good.

A token is long and random, so a fast hash (SHA-256) is enough and lets a request find its
token with one indexed lookup; the token itself cannot be shown again. Creating and revoking
one leaves an event in the admin trail (its id and label, never the token) in the same
transaction; `by` is who acted: the user themself on the profile page, an administrator, or
None for the command line.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import sessions
from engine.admin_log import log_admin_action
from engine.errors import NotFound, Problem, ValidationFailed
from engine.models import ApiToken, User, aware, utcnow
from engine.user_lookup import get_user, resolve_user

TOKEN_PREFIX = "fw_"
TOKEN_PATTERN = re.compile(r"^fw_[A-Za-z0-9_-]{40}$")
MAX_TOKEN_NAME = 100
# Writing last_used_at on every request would turn each API read into a write; once a
# minute is as precise as anyone reading that column needs.
LAST_USED_PRECISION = timedelta(minutes=1)


def create_token(session: Session, user_name: str, name: str, *, by: str | None = None) -> str:
    """Issue an API token for an active user and return it; only its hash is kept.

    The token (`fw_` and 40 URL-safe characters) cannot be shown again.
    """
    user = get_user(session, user_name)
    problems: list[Problem] = []
    if not user.active:
        problems.append(Problem("/user", "user_deactivated", {"name": user_name}))
    if not name or not name.strip():
        problems.append(Problem("/name", "required", {"field": "name"}))
    elif len(name) > MAX_TOKEN_NAME:
        problems.append(Problem("/name", "too_many_characters", {"limit": MAX_TOKEN_NAME}))
    if problems:
        raise ValidationFailed(problems)
    token = TOKEN_PREFIX + secrets.token_urlsafe(30)
    row = ApiToken(user_id=user.id, name=name.strip(), token_hash=sessions.token_hash(token))
    session.add(row)
    session.flush()
    log_admin_action(session, by, "token.create", f"user {user.name}", after=_token_value(row))
    return token


def authenticate_token(session: Session, token: str) -> User | None:
    """The user a token belongs to, or None for an unknown or revoked token or an inactive user.

    Records when the token was last used (to the minute).
    """
    if not token or not TOKEN_PATTERN.match(token):
        return None
    found = sessions.credential_with_user(session, ApiToken, sessions.token_hash(token))
    if found is None:
        return None
    row, user = found
    if row.revoked_at is not None or user is None or not user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - aware(row.last_used_at) >= LAST_USED_PRECISION:
        row.last_used_at = now
    return user


def list_tokens(session: Session, user: User | str) -> list[ApiToken]:
    """A user's tokens, revoked ones included, oldest first (hashes only, never the tokens)."""
    user = resolve_user(session, user)
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    )


def revoke_token(session: Session, token_id: int, *, by: str | None = None) -> ApiToken:
    """Revoke one token by its id; it stops working at once. Revoking twice is harmless."""
    in_range = 0 < token_id < 2**31  # the column is a 32-bit integer on PostgreSQL
    row = session.get(ApiToken, token_id) if in_range else None
    if row is None:
        raise NotFound(code="unknown_token", id=token_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        owner = session.get(User, row.user_id)
        target = f"user {owner.name}" if owner is not None else f"token {row.id}"
        log_admin_action(session, by, "token.revoke", target, before=_token_value(row))
    return row


def revoke_user_tokens(session: Session, user: User) -> int:
    """Revoke every live token of a user (deactivation: its own event says so); how many."""
    now = utcnow()
    count = 0
    for row in session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        row.revoked_at = now
        count += 1
    return count


def _token_value(row: ApiToken) -> dict[str, object]:
    return {"id": row.id, "name": row.name}
