"""People and their keys: users and roles, with grants and API tokens beside them.

Everything that decides who someone is lives here, for the CLI, the sign-in page, the
profile page, the admin console and the API alike; what they may do is engine/permissions.
Passwords are hashed with argon2 (engine/passwords.py) and never stored or logged in clear.
Record grants are engine/grants.py and API tokens engine/tokens.py; their functions are
reachable from here too. Every change an administrator makes (`by`: their name, None for
the command line) leaves its event in the admin trail (engine/admin_log) in the same
transaction. Role ids are free strings unless the caller passes `known_roles` (the pages
pass the roles the installed packs declare).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import sessions
from engine.actor import ADMIN_ROLE, actor_of
from engine.admin_log import log_admin_action
from engine.errors import Problem, ValidationFailed
from engine.grants import (
    MAX_ID_LENGTH,
    add_grant,
    grant_every_record,
    grant_problems,
    insert_grant,
    list_grants,
    remove_grant,
)
from engine.models import User, UserRole
from engine.passwords import hash_password, needs_rehash, password_matches, spend_check_time
from engine.tokens import (
    TOKEN_PATTERN,
    TOKEN_PREFIX,
    authenticate_token,
    create_token,
    list_tokens,
    revoke_token,
    revoke_user_tokens,
)
from engine.user_lookup import find_user, get_user, resolve_user, sync_vote_tasks

__all__ = [
    "MAX_ID_LENGTH",
    "TOKEN_PATTERN",
    "TOKEN_PREFIX",
    "actor_of",
    "add_grant",
    "authenticate_token",
    "change_own_password",
    "create_token",
    "create_user",
    "deactivate_user",
    "declared_roles",
    "get_user",
    "grant_every_record",
    "list_grants",
    "list_tokens",
    "list_users",
    "reactivate_user",
    "remove_grant",
    "revoke_token",
    "role_ids",
    "set_password",
    "set_roles",
    "update_user",
    "user_labels",
    "verify_password",
]

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.@-]{1,63}$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
MAX_DISPLAY_NAME = 200


# -- users -----------------------------------------------------------------------------


def create_user(
    session: Session,
    name: str,
    password: str,
    roles: Iterable[str] = (),
    grants: Iterable[tuple[str, str]] = (),
    display_name: str | None = None,
    *,
    by: str | None = None,
    known_roles: Collection[str] | None = None,
) -> User:
    """Create an active user with a hashed password, roles and record grants.

    Raises ValidationFailed naming each bad field (`/name`, `/password`, `/roles/0`, ...),
    including a name that is already taken and, with `known_roles`, a role outside them.
    """
    roles = list(dict.fromkeys(roles))
    grants = list(dict.fromkeys(grants))
    problems = [
        *_name_problems(name),
        *_password_problems(password),
        *_role_problems(roles, known_roles),
        *grant_problems(grants),
        *_display_name_problems(display_name),
    ]
    if not problems and find_user(session, name) is not None:
        problems.append(Problem("/name", "user_exists", {"name": name}))
    if problems:
        raise ValidationFailed(problems)

    user = User(
        name=name,
        display_name=display_name or None,
        password_hash=hash_password(password),
        active=True,
        roles=[UserRole(role=role) for role in roles],
    )
    session.add(user)
    session.flush()
    for module, record_id in grants:
        insert_grant(session, user, module, record_id)
    after: dict[str, Any] = {"name": name, "display_name": user.display_name, "roles": roles}
    if grants:
        after["grants"] = [{"module": m, "record_id": r} for m, r in grants]
    log_admin_action(session, by, "user.create", f"user {name}", after=after)
    sync_vote_tasks(session, user)
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
    user = find_user(session, name)
    if user is None or not user.active or not user.password_hash:
        spend_check_time(password)
        return None
    if not password_matches(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def set_password(
    session: Session, user: User | str, password: str, *, by: str | None = None
) -> User:
    """Replace a user's password: the old one and every open session stop working at once."""
    user = resolve_user(session, user)
    problems = _password_problems(password)
    if problems:
        raise ValidationFailed(problems)
    user.password_hash = hash_password(password)
    ended = sessions.end_user_sessions(session, user, "password_changed")
    log_admin_action(
        session, by, "user.password", f"user {user.name}", after={"sessions_ended": ended}
    )
    return user


def change_own_password(
    session: Session,
    user: User | str,
    current: str,
    new: str,
    repeated: str | None = None,
    *,
    keep: str | None = None,
) -> User:
    """A user sets a new password, proving the current one; their other sessions end.

    `keep` is the token of the session they did it from, which stays signed in. A wrong
    current password, a weak new one or a mistyped repetition is refused, nothing changed.
    """
    user = resolve_user(session, user)
    problems = [*_password_problems(new)]
    if repeated is not None and repeated != new:
        problems.append(Problem("/password_repeated", "passwords_differ"))
    if not user.password_hash or not password_matches(user.password_hash, current or ""):
        problems.append(Problem("/current_password", "wrong_password"))
    if problems:
        raise ValidationFailed(problems)
    user.password_hash = hash_password(new)
    ended = sessions.end_user_sessions(session, user, "password_changed", keep=keep)
    log_admin_action(
        session, user.name, "user.password", f"user {user.name}", after={"sessions_ended": ended}
    )
    return user


def deactivate_user(session: Session, user: User | str, *, by: str | None = None) -> User:
    """Stop a user: sign-in, sessions and every API token fail from now on.

    The user and their history stay; their tokens are revoked, not merely suspended. An
    administrator cannot deactivate themself (nobody might be left to undo it).
    """
    user = resolve_user(session, user)
    if by is not None and by == user.name:
        raise ValidationFailed([Problem("", "own_account", {"action": "deactivate"})])
    was_active = user.active
    user.active = False
    revoked = revoke_user_tokens(session, user)
    ended = sessions.end_user_sessions(session, user, "deactivated")
    if was_active:
        after = {"active": False, "tokens_revoked": revoked, "sessions_ended": ended}
        log_admin_action(
            session,
            by,
            "user.deactivate",
            f"user {user.name}",
            before={"active": True},
            after=after,
        )
    return user


def reactivate_user(session: Session, user: User | str, *, by: str | None = None) -> User:
    """Let a deactivated user sign in again with their password.

    Their old sessions and API tokens stay ended and revoked: they sign in afresh and an
    integrator asks for a new token.
    """
    user = resolve_user(session, user)
    if not user.active:
        user.active = True
        log_admin_action(
            session,
            by,
            "user.reactivate",
            f"user {user.name}",
            before={"active": False},
            after={"active": True},
        )
    return user


def update_user(
    session: Session, user: User | str, *, display_name: str | None, by: str | None = None
) -> User:
    """Change the name pages show for a user (empty: their user name)."""
    user = resolve_user(session, user)
    problems = _display_name_problems(display_name)
    if problems:
        raise ValidationFailed(problems)
    new = (display_name or "").strip() or None
    if new != user.display_name:
        before = {"display_name": user.display_name}
        user.display_name = new
        log_admin_action(
            session,
            by,
            "user.update",
            f"user {user.name}",
            before=before,
            after={"display_name": new},
        )
    return user


def set_roles(
    session: Session,
    user: User | str,
    roles: Iterable[str],
    *,
    by: str | None = None,
    known_roles: Collection[str] | None = None,
) -> User:
    """Replace the roles a user holds; an administrator cannot drop their own admin role."""
    user = resolve_user(session, user)
    roles = list(dict.fromkeys(roles))
    problems = _role_problems(roles, known_roles)
    before = sorted(role_ids(user))
    if by is not None and by == user.name and ADMIN_ROLE in before and ADMIN_ROLE not in roles:
        problems.append(Problem("/roles", "own_account", {"action": "remove admin from"}))
    if problems:
        raise ValidationFailed(problems)
    held = {r.role: r for r in user.roles}
    user.roles = [held.get(role) or UserRole(role=role) for role in roles]
    session.flush()
    if sorted(roles) != before:
        log_admin_action(
            session, by, "user.roles", f"user {user.name}", before=before, after=sorted(roles)
        )
    sync_vote_tasks(session, user)
    return user


def role_ids(user: User) -> frozenset[str]:
    """The ids of the roles a user holds."""
    return frozenset(r.role for r in user.roles)


def declared_roles(session: Session) -> dict[str, Any]:
    """Role id → title of every role the installed packs declare, and the built-in admin."""
    from engine.catalog import load_catalog

    found: dict[str, Any] = {ADMIN_ROLE: {"en": "Administrator", "zh-CN": "管理员"}}
    for pack in load_catalog(session).packs.values():
        for role_id, title in pack.roles.items():
            found.setdefault(role_id, title)
    return found


# -- helpers ---------------------------------------------------------------------------


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


def _display_name_problems(display_name: str | None) -> list[Problem]:
    if display_name is not None and len(display_name) > MAX_DISPLAY_NAME:
        return [Problem("/display_name", "too_many_characters", {"limit": MAX_DISPLAY_NAME})]
    return []


def _role_problems(roles: list[str], known: Collection[str] | None = None) -> list[Problem]:
    problems = []
    for index, role in enumerate(roles):
        if not role or not role.strip() or role != role.strip():
            problems.append(Problem(f"/roles/{index}", "role_id_padded"))
        elif len(role) > MAX_ID_LENGTH:
            problems.append(
                Problem(f"/roles/{index}", "too_many_characters", {"limit": MAX_ID_LENGTH})
            )
        elif known is not None and role not in known:
            problems.append(Problem(f"/roles/{index}", "unknown_role", {"role": role}))
    return problems
