"""Who is acting: a user with roles, or the system itself (scheduled work, seeds)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

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
