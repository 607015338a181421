"""People and their keys: users, roles, record grants and API tokens.

Everything that decides who someone is lives here, for the CLI, the sign-in page and the
API alike; what they may do is engine/permissions. Passwords are hashed with argon2
(engine/passwords.py) and never stored or logged in clear. API tokens are shown once and stored
only as a SHA-256 hash: a token is long and random, so a fast hash is enough and lets a
request find its token with one indexed lookup. Role ids are free strings here; packs
declare them and the pack importer checks that the roles in use exist.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import ScalarResult, column, inspect, select, table
from sqlalchemy.orm import Session

from engine import sessions
from engine.actor import Actor
from engine.errors import NotFound, Problem, ValidationFailed
from engine.models import ApiToken, Grant, User, UserRole, aware, utcnow
from engine.passwords import hash_password, needs_rehash, password_matches, spend_check_time

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.@-]{1,63}$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
MAX_ID_LENGTH = 64  # role ids, module ids and record ids share the column width
TOKEN_PREFIX = "fw_"
TOKEN_PATTERN = re.compile(r"^fw_[A-Za-z0-9_-]{40}$")
# Writing last_used_at on every request would turn each API read into a write; once a
# minute is as precise as anyone reading that column needs.
LAST_USED_PRECISION = timedelta(minutes=1)


# -- users -----------------------------------------------------------------------------


def create_user(
    session: Session,
    name: str,
    password: str,
    roles: Iterable[str] = (),
    grants: Iterable[tuple[str, str]] = (),
    display_name: str | None = None,
) -> User:
    """Create an active user with a hashed password, roles and record grants.

    Raises ValidationFailed naming each bad field (`/name`, `/password`, `/roles/0`, ...),
    including a name that is already taken.
    """
    roles = list(roles)
    grants = list(grants)
    problems = [
        *_name_problems(name),
        *_password_problems(password),
        *_role_problems(roles),
        *_grant_problems(grants),
    ]
    if display_name is not None and len(display_name) > 200:
        problems.append(Problem("/display_name", "too_many_characters", {"limit": 200}))
    if not problems and _find_user(session, name) is not None:
        problems.append(Problem("/name", "user_exists", {"name": name}))
    if problems:
        raise ValidationFailed(problems)

    user = User(
        name=name,
        display_name=display_name or None,
        password_hash=hash_password(password),
        active=True,
        roles=[UserRole(role=role) for role in dict.fromkeys(roles)],
    )
    session.add(user)
    session.flush()
    for module, record_id in dict.fromkeys(grants):
        add_grant(session, user, module, record_id)
    _sync_vote_tasks(session, user)
    return user


def _sync_vote_tasks(session: Session, user: User) -> None:
    """Keep the user's inbox in step with what they may now vote on (roles, grants)."""
    from engine.catalog import load_catalog
    from engine.workflow.tasks import sync_vote_tasks

    sync_vote_tasks(session, load_catalog(session), user, utcnow())


def get_user(session: Session, name: str) -> User:
    """The user with this name, active or not; NotFound otherwise."""
    user = _find_user(session, name)
    if user is None:
        raise NotFound(code="unknown_user", name=name)
    return user


def list_users(session: Session, *, include_inactive: bool = True) -> list[User]:
    """Every user, by name."""
    query = select(User).order_by(User.name)
    if not include_inactive:
        query = query.where(User.active.is_(True))
    return list(session.scalars(query))


def user_labels(session: Session, *, include_inactive: bool = True) -> list[tuple[str, str | None]]:
    """(name, display name) of every user, by name: one statement, no roles (pickers, cells)."""
    query = select(User.name, User.display_name).order_by(User.name)
    if not include_inactive:
        query = query.where(User.active.is_(True))
    return [(row.name, row.display_name) for row in session.execute(query)]


def verify_password(session: Session, name: str, password: str) -> User | None:
    """The active user whose name and password these are, or None.

    Takes the same time whether or not the user exists, and upgrades the stored hash when
    the hashing parameters have changed since it was made.
    """
    user = _find_user(session, name)
    if user is None or not user.active or not user.password_hash:
        spend_check_time(password)
        return None
    if not password_matches(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def set_password(session: Session, user: User | str, password: str) -> User:
    """Replace a user's password: the old one and every open session stop working at once."""
    user = _user(session, user)
    problems = _password_problems(password)
    if problems:
        raise ValidationFailed(problems)
    user.password_hash = hash_password(password)
    sessions.end_user_sessions(session, user, "password_changed")
    return user


def deactivate_user(session: Session, user: User | str) -> User:
    """Stop a user: sign-in, sessions and every API token fail from now on.

    The user and their history stay; their tokens are revoked, not merely suspended.
    """
    user = _user(session, user)
    user.active = False
    now = utcnow()
    for token in session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
    sessions.end_user_sessions(session, user, "deactivated")
    return user


def set_roles(session: Session, user: User | str, roles: Iterable[str]) -> User:
    """Replace the roles a user holds."""
    user = _user(session, user)
    roles = list(roles)
    problems = _role_problems(roles)
    if problems:
        raise ValidationFailed(problems)
    held = {r.role: r for r in user.roles}
    user.roles = [held.get(role) or UserRole(role=role) for role in dict.fromkeys(roles)]
    session.flush()
    _sync_vote_tasks(session, user)
    return user


def role_ids(user: User) -> frozenset[str]:
    """The ids of the roles a user holds."""
    return frozenset(r.role for r in user.roles)


def actor_of(user: User) -> Actor:
    """The engine's view of a user acting: name, roles and id, and the record grants when
    they were read with the user (the sign-in check), so scopes read them no more."""
    grants = None
    if "grants" not in inspect(user).unloaded:
        found: dict[str, set[str]] = {}
        for grant in user.grants:
            found.setdefault(grant.module, set()).add(grant.record_id)
        grants = {k: frozenset(v) for k, v in found.items()}
    return Actor(name=user.name, roles=role_ids(user), user_id=user.id, grants=grants)


# -- grants ----------------------------------------------------------------------------


def add_grant(session: Session, user: User | str, module: str, record_id: str) -> Grant:
    """Give a user access to one record of a module (read by row scopes); idempotent."""
    user = _user(session, user)
    problems = _grant_problems([(module, record_id)], path="/grant")
    if problems:
        raise ValidationFailed(problems)
    existing = session.scalar(
        select(Grant).where(
            Grant.user_id == user.id, Grant.module == module, Grant.record_id == record_id
        )
    )
    if existing is not None:
        return existing
    grant = Grant(user_id=user.id, module=module, record_id=record_id)
    session.add(grant)
    session.flush()
    _sync_vote_tasks(session, user)
    return grant


def remove_grant(session: Session, user: User | str, module: str, record_id: str) -> bool:
    """Take a grant away; the user's scoped lists shrink on their next call. False if none."""
    user = _user(session, user)
    grant = session.scalar(
        select(Grant).where(
            Grant.user_id == user.id, Grant.module == module, Grant.record_id == record_id
        )
    )
    if grant is None:
        return False
    session.delete(grant)
    session.flush()
    _sync_vote_tasks(session, user)
    return True


def grant_every_record(session: Session, user: User | str, module: str) -> list[Grant]:
    """Grant a user every record a module has now (demo set-up); none if it has no table.

    Reads the record ids from the module's table `m_<module>`, which engine/storage names.
    """
    user = _user(session, user)
    name = f"m_{module}"
    if not inspect(session.connection()).has_table(name):
        return []
    ids: ScalarResult[Any] = session.scalars(
        select(column("id")).select_from(table(name)).order_by(column("id"))
    )
    return [add_grant(session, user, module, str(record_id)) for record_id in list(ids)]


def list_grants(session: Session, user: User | str) -> list[Grant]:
    """A user's grants, by module and record id."""
    user = _user(session, user)
    return list(
        session.scalars(
            select(Grant).where(Grant.user_id == user.id).order_by(Grant.module, Grant.record_id)
        )
    )


# -- API tokens ------------------------------------------------------------------------


def create_token(session: Session, user_name: str, name: str) -> str:
    """Issue an API token for an active user and return it; only its hash is kept.

    The token (`fw_` and 40 URL-safe characters) cannot be shown again.
    """
    user = get_user(session, user_name)
    problems: list[Problem] = []
    if not user.active:
        problems.append(Problem("/user", "user_deactivated", {"name": user_name}))
    if not name or not name.strip():
        problems.append(Problem("/name", "required", {"field": "name"}))
    elif len(name) > 100:
        problems.append(Problem("/name", "too_many_characters", {"limit": 100}))
    if problems:
        raise ValidationFailed(problems)
    token = TOKEN_PREFIX + secrets.token_urlsafe(30)
    session.add(ApiToken(user_id=user.id, name=name.strip(), token_hash=sessions.token_hash(token)))
    session.flush()
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
    user = _user(session, user)
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    )


def revoke_token(session: Session, token_id: int) -> ApiToken:
    """Revoke one token by its id; it stops working at once. Revoking twice is harmless."""
    in_range = 0 < token_id < 2**31  # the column is a 32-bit integer on PostgreSQL
    row = session.get(ApiToken, token_id) if in_range else None
    if row is None:
        raise NotFound(code="unknown_token", id=token_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row


# -- helpers ---------------------------------------------------------------------------


def _find_user(session: Session, name: str) -> User | None:
    return session.scalar(select(User).where(User.name == name))


def _user(session: Session, user: User | str) -> User:
    return get_user(session, user) if isinstance(user, str) else user


def _name_problems(name: str) -> list[Problem]:
    if not name:
        return [Problem("/name", "required", {"field": "name"})]
    if not NAME_PATTERN.match(name):
        return [Problem("/name", "invalid_user_name", {"name": name})]
    return []


def _password_problems(password: str) -> list[Problem]:
    if not password:
        return [Problem("/password", "required", {"field": "password"})]
    if len(password) < MIN_PASSWORD_LENGTH:
        return [Problem("/password", "too_few_characters", {"limit": MIN_PASSWORD_LENGTH})]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [Problem("/password", "too_many_characters", {"limit": MAX_PASSWORD_LENGTH})]
    return []


def _role_problems(roles: list[str]) -> list[Problem]:
    problems = []
    for index, role in enumerate(roles):
        if not role or not role.strip() or role != role.strip():
            problems.append(Problem(f"/roles/{index}", "role_id_padded"))
        elif len(role) > MAX_ID_LENGTH:
            problems.append(
                Problem(f"/roles/{index}", "too_many_characters", {"limit": MAX_ID_LENGTH})
            )
    return problems


def _grant_problems(grants: list[tuple[str, str]], path: str = "/grants") -> list[Problem]:
    problems = []
    for index, (module, record_id) in enumerate(grants):
        where = path if path == "/grant" else f"{path}/{index}"
        for key, value in (("module", module), ("record_id", record_id)):
            if not value or not str(value).strip():
                problems.append(Problem(f"{where}/{key}", "required", {"field": key}))
            elif len(str(value)) > MAX_ID_LENGTH:
                problems.append(
                    Problem(f"{where}/{key}", "too_many_characters", {"limit": MAX_ID_LENGTH})
                )
    return problems
