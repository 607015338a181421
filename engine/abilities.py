"""One permission answer: what an actor may do with a module, or with one record of it.

Built on the rules of engine/permissions.py (role levels, row scopes, field access and the
state rule). The services enforce through this very object (`require_read`, `require_create`,
`scope`, `require_state`, `visible`, `writable`), and pages, API, OpenAPI and inbox read it
instead of re-deriving a rule beside each template, so a button shown is an action that
succeeds. The workflow adds each step of a record with its reason
(`engine.workflow.abilities.record_abilities`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from engine import permissions as rules
from engine.actor import Actor
from engine.definitions.model import Module
from engine.errors import NotFound, PermissionDenied, Problem

if TYPE_CHECKING:
    from engine.records.model import Record


@dataclass(frozen=True)
class StepAbility:
    """One transition of a record as `actor` may take it now, or why not."""

    id: str
    available: bool
    reason: Problem | None = None  # coded, as the workflow refuses it
    progress: Any = None  # engine.workflow.Progress of an open approval
    delegate: bool = False  # may hand their own vote to someone else (转交)
    add_approver: bool = False  # may add one more approver (加签)


@dataclass(frozen=True)
class Abilities:
    """Everything `actor` may do with `module` (and `record`, when one was given).

    Pages, API, OpenAPI and inbox read this one object, so none re-derives a rule. Without
    a record, `update` and `delete` say whether any role allows them on some record.
    """

    actor: Actor
    module: Module
    create: bool
    read: bool
    update: bool
    delete: bool
    export: bool
    import_: bool
    fields: Mapping[str, str]  # field → write | read | computed | hidden
    transitions: tuple[StepAbility, ...] = ()
    # why the record's state refuses what a role would allow (a 409, not a 403), or None
    update_lock: Problem | None = None
    delete_lock: Problem | None = None

    @property
    def edit(self) -> bool:
        """Whether an edit form has anything to change (update allowed, a field writable)."""
        return self.update and any(mode == "write" for mode in self.fields.values())

    @cached_property
    def visible(self) -> frozenset[str]:
        """The fields this actor sees: what a list, a record, a report or a filter may show."""
        return frozenset(name for name, mode in self.fields.items() if mode != "hidden")

    @cached_property
    def writable(self) -> frozenset[str]:
        """The fields this actor may write (not computed, read-only or locked by the state)."""
        return frozenset(name for name, mode in self.fields.items() if mode == "write")

    def require_read(self) -> None:
        """NotFound when no role reads the module: unreadable and unknown look alike."""
        if not self.read:
            raise NotFound(code="unknown_module", module=self.module.id)

    def require_create(self) -> None:
        if not self.create:
            raise PermissionDenied(code="create_not_allowed", module=self.module.id)

    def scope(self, table: Any, action: str = "read") -> ColumnElement[bool]:
        """The rows of `table` this actor may `action`, as a SQL predicate."""
        return rules.row_predicate(self.actor, self.module, table, action)

    def state_lock(
        self, state_id: str | None, action: str, fields: Iterable[str] | None = None
    ) -> Problem | None:
        """Why a record in `state_id` refuses `action` (changing `fields`) to this actor."""
        return rules.state_refusal(self.actor, self.module, state_id, action, fields)

    def require_state(
        self, state_id: str | None, action: str, fields: Iterable[str] | None = None
    ) -> None:
        """StateLocked (a 409 saying why) when the record's state refuses `action`."""
        rules.require_state_allows(self.actor, self.module, state_id, action, fields)

    def step(self, transition_id: str) -> StepAbility | None:
        return next((s for s in self.transitions if s.id == transition_id), None)


def locked_fields(module: Module, state_id: str | None) -> frozenset[str]:
    """The fields the state locks: those whose `x-editable-in` leaves it out, and in a
    read-only state all of them but its `editable` ones."""
    closed = frozenset(rules.closed_fields(module, state_id))
    state = module.workflow.states.get(state_id or "") if module.workflow else None
    if state is None or not state.readonly:
        return closed
    return closed | (frozenset(f.name for f in module.fields) - set(state.editable))


def field_modes(actor: Actor, module: Module, state_id: str | None = None) -> dict[str, str]:
    """For each field: write, read, computed or hidden, by role, field and record state."""
    access = rules.field_access(actor, module)
    locked = locked_fields(module, state_id)
    modes = {}
    for f in module.fields:
        level = access.get(f.name, "hidden")
        if level == "hidden":
            modes[f.name] = "hidden"
        elif f.computed:
            modes[f.name] = "computed"
        elif level == "read" or f.read_only or f.name in locked:
            modes[f.name] = "read"
        else:
            modes[f.name] = "write"
    return modes


def needs_grants(actor: Actor, module: Module) -> bool:
    """Whether a role of `actor` on `module` is scoped, so its answer depends on grants."""
    return not actor.is_admin and any(p.scope for p in rules.role_permissions(actor, module))


def _row_allows(
    actor: Actor,
    module: Module,
    action: str,
    record: Record | None,
    grants: Mapping[str, frozenset[str]] | None,
) -> bool:
    """The rule of `row_predicate` applied to one record (its owner and scope), state aside.

    Scoped roles count only with the actor's `grants`; without them the answer stays no.
    """
    if actor.is_admin:
        return True
    if record is None:
        return any(getattr(p, action) for p in rules.role_permissions(actor, module))
    return (
        rules.scope_refusal(actor, module, action, record.owner, record.data, grants or {}) is None
    )


def _open_steps(actor: Actor, module: Module) -> tuple[StepAbility, ...]:
    """Without a record: each transition `actor` could take on some record — by its roles,
    as one of its approvers' role, or as an approver a record's field may name."""
    steps = []
    for transition in module.workflow.transitions if module.workflow else ():
        roles = set(transition.roles)
        approval = transition.approval
        if approval is not None:
            roles.update(approval.roles)
        named = approval is not None and bool(approval.fields)
        steps.append(
            StepAbility(transition.id, actor.is_admin or bool(roles & actor.roles) or named)
        )
    return tuple(steps)


def abilities(
    actor: Actor,
    module: Module,
    record: Record | None = None,
    *,
    grants: Mapping[str, frozenset[str]] | None = None,
    transitions: Iterable[StepAbility] = (),
) -> Abilities:
    """What `actor` may do with `module`, or with `record` (read as the actor reads it).

    `grants` (from `granted_records`) let scoped roles count on a record; `transitions`
    are the record's steps as the workflow answers them (`engine.workflow.abilities.
    record_abilities`); without a record, the steps the actor could take on some record.
    The state rule is `state_refusal`'s: a read-only state leaves only its `editable` fields
    and only an admin deletes in a read-only or final state.
    """
    if record is None and not transitions:
        transitions = _open_steps(actor, module)
    state = record.state if record is not None else None
    locks: dict[str, Problem | None] = {}
    for action in ("update", "delete"):
        if _row_allows(actor, module, action, record, grants):
            locks[action] = rules.state_refusal(actor, module, state, action)
    modes = field_modes(actor, module, state)
    return Abilities(
        actor=actor,
        module=module,
        create=rules.may_create(actor, module),
        read=rules.may_read_module(actor, module),
        update="update" in locks and locks["update"] is None,
        delete="delete" in locks and locks["delete"] is None,
        export=rules.may_export(actor, module),
        import_=rules.may_import(actor, module),
        fields=MappingProxyType(modes),
        transitions=tuple(transitions),
        update_lock=locks.get("update"),
        delete_lock=locks.get("delete"),
    )


def abilities_in(
    session: Session, actor: Actor, module: Module, record: Record | None = None
) -> Abilities:
    """`abilities` with the actor's grants read when a scoped role needs them for `record`."""
    grants = None
    if record is not None and needs_grants(actor, module):
        grants = rules.granted_records(session, actor)
    return abilities(actor, module, record, grants=grants)
