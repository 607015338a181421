"""What each role may do, module by module: the read-only matrix of the admin console.

Roles are declared by packs (`roles`: id and title) plus the built-in `admin`. For one role
the matrix has a row per installed module: create / read / update / delete / export /
import as the pack's permission table compiles them (all rows, own rows, rows scoped by a
link field, or nothing), the transitions the role may fire or approve, and the fields it
may not see or not change. It is read from the compiled modules (engine/definitions) and
the field rule of engine/permissions.py, the very rules the services enforce, so the page
cannot tell a different story from what a user of the role meets. Editing is the builder's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import ADMIN_ROLE, Actor
from engine.catalog import Catalog, load_catalog
from engine.definitions.model import Module, RolePermission
from engine.errors import NotFound
from engine.models import User, UserRole
from engine.permissions import field_access

ACTIONS = ("create", "read", "update", "delete", "export", "import")


@dataclass(frozen=True)
class Cell:
    """One action on one module: `level` is "all", "own" or "none" (a yes/no action that
    is allowed is "all"); `scope` names the link fields that narrow the rows to granted ones."""

    level: str
    scope: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.level != "none"


NONE = Cell("none")


@dataclass(frozen=True)
class Step:
    """A transition the role takes part in: fires it, or votes on it as an approver."""

    id: str
    title: Any
    approves: bool = False
    owner_only: bool = False


@dataclass(frozen=True)
class ModuleRights:
    module: Module
    cells: Mapping[str, Cell]  # action → cell, for every action of ACTIONS
    steps: tuple[Step, ...]
    hidden: tuple[str, ...]  # fields the role does not see
    read_only: tuple[str, ...]  # fields it sees and may not change

    @property
    def any(self) -> bool:
        return any(c.allowed for c in self.cells.values()) or bool(self.steps)


@dataclass(frozen=True)
class Holder:
    name: str
    display_name: str | None
    active: bool


@dataclass(frozen=True)
class Role:
    id: str
    title: Any  # the pack's localized title; None for the built-in admin
    packs: tuple[str, ...]  # the installed packs declaring it; () for admin or a stray role
    holders: tuple[Holder, ...]

    @property
    def builtin(self) -> bool:
        return self.id == ADMIN_ROLE

    @property
    def declared(self) -> bool:
        return self.builtin or bool(self.packs)

    @property
    def active_holders(self) -> int:
        return sum(1 for h in self.holders if h.active)


def _holders(session: Session, role_id: str | None = None) -> dict[str, list[Holder]]:
    """Role → its users, active ones first, by name: one statement."""
    statement = (
        select(UserRole.role, User.name, User.display_name, User.active)
        .join(User, User.id == UserRole.user_id)
        .order_by(User.active.desc(), User.name)
    )
    if role_id is not None:
        statement = statement.where(UserRole.role == role_id)
    found: dict[str, list[Holder]] = {}
    for role, name, display_name, active in session.execute(statement):
        found.setdefault(role, []).append(Holder(name, display_name, bool(active)))
    return found


def list_roles(session: Session) -> list[Role]:
    """Admin first, then every role the installed packs declare in pack order, then roles
    users still hold that no installed pack declares (left by a removed pack)."""
    catalog = load_catalog(session)
    holders = _holders(session)
    titles: dict[str, Any] = {ADMIN_ROLE: None}
    packs: dict[str, list[str]] = {ADMIN_ROLE: []}
    for pack in catalog.packs.values():
        for role_id, title in pack.roles.items():
            titles.setdefault(role_id, title)
            packs.setdefault(role_id, []).append(pack.id)
    for stray in sorted(set(holders) - set(titles)):
        titles[stray], packs[stray] = None, []
    return [
        Role(role_id, title, tuple(packs[role_id]), tuple(holders.get(role_id, ())))
        for role_id, title in titles.items()
    ]


def get_role(session: Session, role_id: str) -> Role:
    """One role of `list_roles`; NotFound for a role neither declared nor held."""
    role = next((r for r in list_roles(session) if r.id == role_id), None)
    if role is None:
        raise NotFound(code="unknown_role", role=role_id)
    return role


def _cells(permission: RolePermission | None, admin: bool) -> dict[str, Cell]:
    if admin:
        return {action: Cell("all") for action in ACTIONS}
    if permission is None:
        return {action: NONE for action in ACTIONS}
    scope = permission.scope
    levels = {
        "create": "all" if permission.create else None,
        "read": permission.read,
        "update": permission.update,
        "delete": permission.delete,
        "export": "all" if permission.export else None,
        "import": "all" if permission.import_ else None,
    }
    return {a: Cell(level, scope) if level else NONE for a, level in levels.items()}


def _steps(module: Module, role_id: str, admin: bool) -> tuple[Step, ...]:
    steps = []
    for transition in module.workflow.transitions if module.workflow else ():
        approval = transition.approval
        approves = approval is not None and role_id in approval.roles
        if admin or role_id in transition.roles or approves:
            owner_only = transition.owner_only and not admin
            steps.append(Step(transition.id, transition.title, approves, owner_only))
    return tuple(steps)


def module_rights(module: Module, role_id: str) -> ModuleRights:
    """What `role_id` alone may do with `module` (a user's roles add up)."""
    admin = role_id == ADMIN_ROLE
    permission = module.permissions.get(role_id)
    hidden: tuple[str, ...] = ()
    read_only: tuple[str, ...] = ()
    if permission is not None and not admin:
        access = field_access(Actor(name=None, roles=frozenset({role_id})), module)
        hidden = tuple(name for name, level in access.items() if level == "hidden")
        read_only = tuple(name for name, level in access.items() if level == "read")
    return ModuleRights(
        module, _cells(permission, admin), _steps(module, role_id, admin), hidden, read_only
    )


def role_matrix(catalog: Catalog, role_id: str) -> list[ModuleRights]:
    """A row per installed module, in pack order, for one role."""
    return [module_rights(m, role_id) for p in catalog.packs.values() for m in p.modules]
