"""Finding a user by name, shared by accounts, grants and API tokens.

Kept apart so that engine/grants.py and engine/tokens.py need not import engine/accounts.py,
which builds on both (a new user's grants, a deactivated user's tokens).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.models import User, utcnow


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
