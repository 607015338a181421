"""Access rules of a module, turned into answers and SQL predicates (engine/abilities.py
gathers them into one answer per actor and record).

One place decides who may create, read, update, delete, export and import, which fields a
role sees or may write, and which rows it may read (own records, granted scopes). Both the
query builder and the service functions call it, so a rule holds everywhere or nowhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from engine.actor import Actor
from engine.definitions.model import Module, RolePermission
from engine.errors import NotFound, PermissionDenied, Problem, StateLocked
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
        raise PermissionDenied(code="create_not_allowed", module=module.id)


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
        raise NotFound(code="unknown_module", module=module.id)


# -- writes: the scope of a written row and what a workflow state allows ------------------


def granted_records(session: Session, actor: Actor) -> dict[str, frozenset[str]]:
    """Linked module → the record ids granted to `actor` (what scopes compare against);
    those the actor carries when they were read with it (once a request)."""
    if actor.user_id is None:
        return {}
    if actor.grants is not None:
        return dict(actor.grants)
    found: dict[str, set[str]] = {}
    rows = session.execute(
        select(Grant.module, Grant.record_id).where(Grant.user_id == actor.user_id)
    )
    for module_id, record_id in rows:
        found.setdefault(module_id, set()).add(record_id)
    return {k: frozenset(v) for k, v in found.items()}


def scope_refusal(
    actor: Actor,
    module: Module,
    action: str,
    owner: str | None,
    values: Mapping[str, Any],
    grants: Mapping[str, frozenset[str]],
) -> str | None:
    """The scope field that keeps `actor` from writing this row, or None when a role allows it.

    The same rule as `row_predicate`, applied to the row as it would be written: a role that
    may only see the projects granted to its user may not create or move a row elsewhere.
    "" when no role allows the action at all.
    """
    if actor.is_admin:
        return None
    blocked = ""
    for permission in _level(actor, module, action):
        if getattr(permission, action) == "own" and owner != actor.name:
            continue
        outside = [
            name
            for name in permission.scope
            if values.get(name) not in grants.get(_scope_module(module, name), frozenset())
        ]
        if not outside:
            return None
        blocked = blocked or outside[0]
    return blocked


def _scope_module(module: Module, scope_field: str) -> str:
    linked = module.field(scope_field)
    return linked.ref if linked is not None and linked.ref else scope_field


# What each action needs of the record's workflow state; admins are exempt where marked.
STATE_LOCKS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "update": (("readonly", "read-only", False),),
    "delete": (("readonly", "read-only", True), ("final", "final", True)),
    "transition": (("final", "final", False),),
}


def closed_fields(module: Module, state_id: str | None) -> tuple[str, ...]:
    """The fields whose `x-editable-in` leaves out `state_id`: read-only there for everyone.

    Without a state (a record not yet created, or no workflow) none is closed.
    """
    if module.workflow is None or state_id is None:
        return ()
    return tuple(
        f.name for f in module.fields if f.editable_in is not None and state_id not in f.editable_in
    )


def state_refusal(
    actor: Actor,
    module: Module,
    state_id: str | None,
    action: str,
    fields: Iterable[str] | None = None,
) -> Problem | None:
    """Why the record's state forbids `action` (update, delete, transition), or None.

    One rule for the form, the API, the batch and the workflow: a read-only state locks the
    data, and neither a read-only nor a final state lets anyone but an admin delete the
    record — what was submitted or approved stays on file. No transition leaves a final state.
    A read-only state's `editable` fields stay open to updates (the settlement time of an
    approved payment); `fields` are those an update changes (None: any may be asked).
    """
    if module.workflow is None or state_id is None:
        return None
    state = module.workflow.states.get(state_id)
    if state is None:
        return None
    closed = sorted(set(fields or ()) & set(closed_fields(module, state_id)))
    if action == "update" and closed:
        field = module.field(closed[0])
        states = field.editable_in if field is not None else ()
        params = {"field": closed[0], "fields": closed, "state": state_id, "states": states}
        return Problem(f"/{closed[0]}", "field_state_locked", params)
    for flag, word, admin_exempt in STATE_LOCKS.get(action, ()):
        if getattr(state, flag) and not (admin_exempt and actor.is_admin):
            if action == "update" and state.editable:
                outside = sorted(set(fields or ()) - set(state.editable))
                if not outside:
                    continue
                params = {"editable": state.editable, "fields": outside}
                return Problem(
                    "", "state_fields_locked", {"lock": word, "state": state_id, **params}
                )
            return Problem("", "state_locked", {"lock": word, "state": state_id})
    return None


def require_state_allows(
    actor: Actor,
    module: Module,
    state_id: str | None,
    action: str,
    fields: Iterable[str] | None = None,
) -> None:
    reason = state_refusal(actor, module, state_id, action, fields)
    if reason is not None:
        raise StateLocked(reason, state_id, action)
