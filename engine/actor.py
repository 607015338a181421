"""Who is acting: a user with roles, or the system itself (scheduled work, seeds)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import inspect

if TYPE_CHECKING:
    from engine.models import User

ADMIN_ROLE = "admin"


@dataclass(frozen=True)
class Actor:
    name: str | None
    roles: frozenset[str] = field(default_factory=frozenset)
    user_id: int | None = None
    # module → granted record ids, when read with the user (one statement a request); None:
    # not read, so scope checks read them. Not part of the actor's identity (eq, hash).
    grants: Mapping[str, frozenset[str]] | None = field(default=None, compare=False)

    @property
    def is_admin(self) -> bool:
        return ADMIN_ROLE in self.roles

    @property
    def is_system(self) -> bool:
        return self.name is None


SYSTEM = Actor(name=None, roles=frozenset({ADMIN_ROLE}))


def actor(name: str, *roles: str, user_id: int | None = None) -> Actor:
    return Actor(name=name, roles=frozenset(roles), user_id=user_id)


def actor_of(user: User) -> Actor:
    """The engine's view of a user acting: name, roles and id, and the record grants when
    they were read with the user (the sign-in check), so scopes read them no more."""
    grants = None
    if "grants" not in inspect(user).unloaded:
        found: dict[str, set[str]] = {}
        for grant in user.grants:
            found.setdefault(grant.module, set()).add(grant.record_id)
        grants = {k: frozenset(v) for k, v in found.items()}
    roles = frozenset(r.role for r in user.roles)
    return Actor(name=user.name, roles=roles, user_id=user.id, grants=grants)
