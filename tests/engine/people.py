"""Users for engine tests, made without password hashing (which is slow on purpose)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.accounts import actor_of
from engine.actor import Actor
from engine.models import User, UserRole


def make_user(session: Session, name: str, *roles: str) -> Actor:
    user = User(name=name, active=True, roles=[UserRole(role=r) for r in roles])
    session.add(user)
    session.flush()
    return actor_of(user)
