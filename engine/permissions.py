"""Access rules of a module, turned into answers and SQL predicates.

One place decides who may create, read, update, delete, export and import, which fields a
role sees or may write, and which rows it may read (own records, granted scopes). Both the
query builder and the service functions call it, so a rule holds everywhere or nowhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.sql import Select

from engine.actor import Actor
from engine.definitions.model import Module, RolePermission
from engine.errors import NotFound, PermissionDenied
from engine.models import Grant

LEVELS = {None: 0, "own": 1, "all": 2}
FIELD_ACCESS = {"hidden": 0, "read": 1, "write": 2}


def role_permissions(actor: Actor, module: Module) -> list[RolePermission]:
    return [p for role, p in module.permissions.items() if role in actor.roles]


def may_create(actor: Actor, module: Module) -> bool:
    return actor.is_admin or any(p.create for p in role_permissions(actor, module))


def may_export(actor: Actor, module: Module) -> bool:
    return actor.is_admin or any(p.export for p in role_permissions(actor, module))


def may_import(actor: Actor, module: Module) -> bool:
    return actor.is_admin or any(p.import_ for p in role_permissions(actor, module))


def may_read_module(actor: Actor, module: Module) -> bool:
    return actor.is_admin or any(p.read for p in role_permissions(actor, module))


def require_create(actor: Actor, module: Module) -> None:
    if not may_create(actor, module):
        raise PermissionDenied(f"you may not create records in {module.id!r}")


def _level(actor: Actor, module: Module, action: str) -> list[RolePermission]:
    return [p for p in role_permissions(actor, module) if getattr(p, action)]


def row_predicate(
    actor: Actor, module: Module, table: Any, action: str = "read"
) -> ColumnElement[bool]:
    """The rows `actor` may see (`read`) or change (`update`, `delete`), as a SQL predicate.

    Each role grants own or all rows, narrowed by its scope: every scope field must point at a
    record of the linked module granted to the user. Roles add up (OR).
    """
    if actor.is_admin:
        return true()
    clauses = []
    for permission in _level(actor, module, action):
        parts: list[ColumnElement[bool]] = []
        if getattr(permission, action) == "own":
            parts.append(table.c.owner == actor.name)
        for scope_field in permission.scope:
            parts.append(table.c[scope_field].in_(_granted(actor, module, scope_field)))
        clauses.append(and_(true(), *parts))
    if not clauses:
        return false()
    return or_(*clauses)


def _granted(actor: Actor, module: Module, scope_field: str) -> Select[Any]:
    """Ids of the records of the module `scope_field` links to that are granted to `actor`."""
    linked = module.field(scope_field)
    return select(Grant.record_id).where(
        Grant.user_id == (actor.user_id if actor.user_id is not None else -1),
        Grant.module == (linked.ref if linked and linked.ref else scope_field),
    )


def aggregate_predicate(
    actor: Actor,
    source: Module,
    link: str,
    summed: Iterable[str],
    parent_id: ColumnElement[Any],
) -> ColumnElement[bool]:
    """Whether `actor` may see an aggregate over the `source` rows linked (by `link`) to a parent.

    Only when they may read every such row — a role reading all rows, unscoped or scoped by
    that very link to a parent granted to them — and see every field the aggregate reads.
    Anything less would show a sum over rows they may not read, or a partial sum passed off
    as the whole. Decided by rules, not by the rows there now, so the answer itself tells
    nothing about the rows. The same answer serves records, lists, exports and reports.
    """
    if actor.is_admin:
        return true()
    visible = visible_fields(actor, source)
    if any(not name.startswith("$") and name not in visible for name in summed):
        return false()
    clauses: list[ColumnElement[bool]] = []
    for permission in _level(actor, source, "read"):
        if permission.read != "all" or not set(permission.scope) <= {link}:
            continue
        if not permission.scope:
            return true()
        clauses.append(parent_id.in_(_granted(actor, source, link)))
    return or_(*clauses) if clauses else false()


def field_access(actor: Actor, module: Module) -> dict[str, str]:
    """For every field: "write", "read" or "hidden" — the most open level any role gives."""
    if actor.is_admin:
        return {f.name: "write" for f in module.fields}
    permissions = role_permissions(actor, module)
    result: dict[str, str] = {}
    for f in module.fields:
        best = 0 if permissions else 0
        for p in permissions:
            best = max(best, FIELD_ACCESS[p.fields.get(f.name, "write")])
        result[f.name] = next(k for k, v in FIELD_ACCESS.items() if v == best)
    return result


def visible_fields(actor: Actor, module: Module) -> set[str]:
    return {name for name, level in field_access(actor, module).items() if level != "hidden"}


def require_readable(actor: Actor, module: Module) -> None:
    if not may_read_module(actor, module):
        raise NotFound(f"no module {module.id!r}")
