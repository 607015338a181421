"""Finding users: by name (shared by accounts, grants and API tokens) and for the users list.

Kept apart so that engine/grants.py and engine/tokens.py need not import engine/accounts.py,
which builds on both (a new user's grants, a deactivated user's tokens).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.models import Grant, User, utcnow


def find_user(session: Session, name: str) -> User | None:
    """The user with this name, active or not, or None."""
    return session.scalar(select(User).where(User.name == name))


def get_user(session: Session, name: str) -> User:
    """The user with this name, active or not; NotFound otherwise."""
    user = find_user(session, name)
    if user is None:
        raise NotFound(code="unknown_user", name=name)
    return user


def resolve_user(session: Session, user: User | str) -> User:
    """A user given as a loaded row or by name."""
    return get_user(session, user) if isinstance(user, str) else user


def sync_vote_tasks(session: Session, user: User) -> None:
    """Keep the user's inbox in step with what they may now vote on (roles, grants)."""
    from engine.catalog import load_catalog
    from engine.workflow.tasks import sync_vote_tasks as sync

    sync(session, load_catalog(session), user, utcnow())


@dataclass(frozen=True)
class UserSummary:
    """A row of the users list: the user (roles loaded) and how many records they are granted."""

    user: User
    grants: int


USERS_PER_PAGE = 50


@dataclass(frozen=True)
class UsersPage:
    """One page of the users list and how many users match in all."""

    rows: list[UserSummary]
    total: int
    page: int
    pages: int


def find_users(
    session: Session,
    *,
    active: bool | None = None,
    search: str | None = None,
    page: int = 1,
    per_page: int = USERS_PER_PAGE,
) -> UsersPage:
    """A page of users by name, optionally only active or deactivated ones, or matching
    `search` in the name or display name; with their grant counts, in three statements —
    a firm with thousands of workers signed in is never one long page."""
    grant_counts = select(Grant.user_id, func.count().label("n")).group_by(Grant.user_id).subquery()
    conditions: list[ColumnElement[bool]] = []
    if active is not None:
        conditions.append(User.active.is_(active))
    if search and search.strip():
        needle = search.strip()
        conditions.append(
            or_(
                User.name.icontains(needle, autoescape=True),
                func.coalesce(User.display_name, "").icontains(needle, autoescape=True),
            )
        )
    total = session.scalar(select(func.count()).select_from(User).where(*conditions)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    query = (
        select(User, func.coalesce(grant_counts.c.n, 0))
        .outerjoin(grant_counts, grant_counts.c.user_id == User.id)
        .where(*conditions)
        .order_by(User.name)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [UserSummary(user, int(count)) for user, count in session.execute(query)]
    return UsersPage(rows, total, page, pages)
