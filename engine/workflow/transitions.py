"""Transitions: which are open to a user on a record and why not, and firing one.

A transition fires only from one of its `from` states, for a user holding one of its roles
(the owner, when `owner_only`), when its guard holds and its required fields have values.
With an approval it collects votes instead and fires on the vote that reaches the quorum.
The record row is locked (PostgreSQL `FOR UPDATE`; SQLite serialises writers) and its
version checked, so of two users acting at once exactly one wins and the other gets a
conflict. Every step writes its history row in the same transaction. 转交 and 加签 are in
engine/workflow/delegation.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import webhooks
from engine.abilities import Abilities, abilities
from engine.actor import SYSTEM, Actor
from engine.audit import record_change
from engine.catalog import Catalog, ModuleRef, load_catalog
from engine.definitions.model import Module, Transition
from engine.errors import (
    AlreadyVoted,
    CommentNotAllowed,
    CommentRequired,
    ExpressionError,
    GuardError,
    MissingFields,
    NotApprover,
    NotFound,
    NoWorkflow,
    OwnerMayNotApprove,
    OwnerOnly,
    Problem,
    RoleRequired,
    StaleVersion,
    UnknownTransition,
    ValidationFailed,
    VotesCast,
    WrongState,
    refusal,
    refused_as,
)
from engine.expressions import truthy
from engine.models import ExtraApprover, Vote
from engine.records.compute import base_env
from engine.records.links import linked_values
from engine.records.model import Record
from engine.records.reading import children_of, read_inputs, record_select, row_to_record
from engine.records.uniqueness import unique_guard
from engine.workflow import approvals, tasks
from engine.workflow.setting import guard_refusal, set_values

MAX_COMMENT = 4000


@dataclass
class TransitionOption:
    """One transition as a user sees it on a record."""

    id: str
    title: Any
    target: str
    available: bool
    reason: Problem | None = None  # why not, coded (engine/codes.py)
    comment: str = "optional"
    vote: bool = False
    progress: approvals.Progress | None = None


@dataclass
class TransitionResult:
    record: Record
    fired: bool
    transition: str
    progress: approvals.Progress | None = None
    notified: list[str] = field(default_factory=list)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != []


def load_for_workflow(
    session: Session,
    catalog: Catalog,
    module: Module,
    record_id: str,
    actor: Actor,
    *,
    lock: bool = False,
    fields: Iterable[str] | None = None,
) -> Record:
    """The record as stored (not masked), if `actor` may read it; locked for the transaction.

    `fields` limits the child tables read to those named (None: every one).
    """
    main = catalog.tables[module.id].main
    statement = record_select(catalog, module, reader=SYSTEM)
    statement = statement.where(main.c.id == record_id, abilities(actor, module).scope(main))
    if lock:
        locked = select(main.c.id).where(main.c.id == record_id).with_for_update()
        session.execute(locked)
    row = session.execute(statement).mappings().first()
    if row is None:
        raise NotFound(code="unknown_record", module=module.id, record=record_id)
    children = children_of(session, catalog, module, [record_id], fields)[record_id]
    return row_to_record(module, row, children)


def workflow_inputs(module: Module) -> set[str]:
    """The fields the transitions' rules read (required fields, guards, approvers' field),
    and the inputs of the formulas computed when read: what weighing a step needs."""
    names = {f.name for f in module.read_formulas}
    for transition in module.workflow.transitions if module.workflow else ():
        names.update(transition.requires)
        if transition.when is not None:
            names.update(ref[0] for ref in transition.when.references)
        if transition.approval is not None:
            names.update(transition.approval.fields)
    return read_inputs(module, names)


def rule_refusal(may: Abilities, record: Record, transition: Transition) -> Problem | None:
    """The part of the transition rule read from the definition alone, or None when it allows.

    State lock (as `may`, the actor's abilities, answers it), source state, roles (approvals
    check eligibility instead) and owner: what the inbox offers as buttons without reading
    votes or linked records.
    """
    actor, tid, state = may.actor, transition.id, record.state
    locked = may.state_lock(record.state, "transition")
    if locked is not None:
        return locked
    if record.state not in transition.sources:
        return refusal(WrongState, tid, state, sources=transition.sources)
    if transition.withdraw:
        return refusal(OwnerOnly, tid, state) if actor.name != record.owner else None
    lacks_role = not (actor.is_system or actor.is_admin or set(transition.roles) & actor.roles)
    if lacks_role and transition.approval is None:
        return refusal(RoleRequired, tid, state, roles=transition.roles or ("(none)",))
    if transition.owner_only and not actor.is_system and actor.name != record.owner:
        return refusal(OwnerOnly, tid, state)
    return None


def _refusal(
    session: Session,
    catalog: Catalog,
    may: Abilities,
    record: Record,
    transition: Transition,
    lock: bool = False,
) -> Problem | None:
    """Why the actor cannot take `transition` on `record` now, or None when they can
    (`lock`: taking it — the records its guard reads stay locked until it commits)."""
    module, actor, tid, state = may.module, may.actor, transition.id, record.state
    ruled = rule_refusal(may, record, transition)
    if ruled is not None:
        return ruled
    if transition.withdraw:
        if approvals.open_votes(session, module, record.id):
            return refusal(VotesCast, tid, state)
        return None
    missing = [name for name in transition.requires if not _present(record.data.get(name))]
    if missing:
        return refusal(MissingFields, tid, state, fields=missing)
    if transition.when is not None:
        try:
            (linked,) = linked_values(session, catalog, module, [record.data], lock)
            env = base_env(record.data, {**record.system(), **linked}, actor)
            holds = truthy(transition.when.evaluate(env))
        except ExpressionError as exc:
            return refusal(GuardError, tid, state, detail=str(exc))
        if not holds:
            return guard_refusal(transition, state)
    if transition.approval is not None and not actor.is_system:
        if not transition.self_approval and actor.name == record.owner:
            return refusal(OwnerMayNotApprove, tid, state)
        progress = approvals.progress(session, catalog, module, record, transition)
        if actor.name in progress.voted:
            return refusal(AlreadyVoted, tid, state)
        if actor.name not in progress.eligible:
            return refusal(NotApprover, tid, state)
    return None


def available_transitions(
    session: Session, module_id: ModuleRef, record_id: str, actor: Actor
) -> list[TransitionOption]:
    """Every transition of the module for `actor` on the record: available or the reason not."""
    catalog = load_catalog(session)
    module = catalog.module(module_id)
    may = abilities(actor, module)
    may.require_read()
    inputs = workflow_inputs(module)  # child rows no step reads are not loaded
    record = load_for_workflow(session, catalog, module, record_id, actor, fields=inputs)
    if module.workflow is None:
        return []
    options = []
    for transition in module.workflow.transitions:
        reason = _refusal(session, catalog, may, record, transition)
        progress = None
        if transition.approval is not None and record.state in transition.sources:
            progress = approvals.progress(session, catalog, module, record, transition)
        options.append(
            TransitionOption(
                id=transition.id,
                title=transition.title,
                target=transition.target,
                available=reason is None,
                reason=reason,
                comment=transition.comment,
                vote=transition.approval is not None,
                progress=progress,
            )
        )
    return options


def _check_comment(transition: Transition, comment: str | None) -> str | None:
    comment = (comment or "").strip() or None
    if transition.comment == "required" and comment is None:
        raise CommentRequired(transition.id, None)
    if transition.comment == "none" and comment is not None:
        raise CommentNotAllowed(transition.id, None)
    if comment is not None and len(comment) > MAX_COMMENT:
        raise ValidationFailed([Problem("/comment", "too_many_characters", {"limit": MAX_COMMENT})])
    return comment


def _close_approval(session: Session, module: Module, record_id: str) -> None:
    """Discard the open votes and extra approvers of a record that leaves its state."""
    session.execute(
        update(Vote)
        .where(Vote.module == module.id, Vote.record_id == record_id, Vote.discarded.is_(False))
        .values(discarded=True)
    )
    session.execute(
        update(ExtraApprover)
        .where(
            ExtraApprover.module == module.id,
            ExtraApprover.record_id == record_id,
            ExtraApprover.active.is_(True),
        )
        .values(active=False)
    )


def fire(
    session: Session,
    catalog: Catalog,
    module: Module,
    record: Record,
    transition: Transition,
    actor: Actor,
    comment: str | None,
    now: dt.datetime,
) -> tuple[Record, list[str]]:
    """Move the record to the transition's target with the fields it sets; discard open
    votes; history; inbox items."""
    main = catalog.tables[module.id].main
    written = set_values(session, catalog, module, record, transition, actor, now)
    statement = (
        update(main)
        .where(
            main.c.id == record.id, main.c.version == record.version, main.c.state == record.state
        )
        .values(
            state=transition.target,
            state_since=now,
            version=record.version + 1,
            updated_at=now,
            **written.columns,
        )
    )
    taken = [written.values], [record.data], [record.id]  # a racing writer's unique value
    with unique_guard(session, catalog, module, actor, *taken, single=True):
        result = cast("CursorResult[Any]", session.execute(statement))  # a DML result
    if result.rowcount != 1:
        raise StaleVersion(record.id, record.version)
    _close_approval(session, module, record.id)
    entry = record_change(
        session,
        module,
        record.id,
        actor,
        "transition",
        from_state=record.state,
        to_state=transition.target,
        comment=comment,
        at=now,
        transition=transition.id,
        changes=written.changes,
    )
    record.data.update(written.values)
    record.state, record.state_since, record.version, record.updated_at = (
        transition.target,
        now,
        record.version + 1,
        now,
    )
    opened = tasks.enter_state(session, catalog, module, record, now)
    notified = tasks.notify(session, module, record, transition, now)
    from engine.notifications.triggers import fired  # notifications read the workflow

    fired(session, module, record, transition, entry, opened, notified)
    webhooks.transition_event(session, module, record, transition.id, actor, comment, at=now)
    return record, notified


def _cast_vote(
    session: Session,
    module: Module,
    record: Record,
    transition: Transition,
    actor: Actor,
    comment: str | None,
    now: dt.datetime,
) -> None:
    """Record `actor`'s vote with its history row and close their vote task; one vote each."""
    try:
        with session.begin_nested():
            session.add(
                Vote(
                    module=module.id,
                    record_id=record.id,
                    transition=transition.id,
                    voter=actor.name or "",
                    comment=comment,
                    at=now,
                )
            )
    except IntegrityError:
        raise AlreadyVoted(transition.id, record.state) from None
    record_change(
        session,
        module,
        record.id,
        actor,
        "vote",
        comment=comment,
        at=now,
        transition=transition.id,
        from_state=record.state,
    )
    tasks.close_tasks(session, module, record.id, now, user=actor.name, kinds=("vote",))


def apply_transition(
    session: Session,
    module_id: ModuleRef,
    record_id: str,
    transition_id: str,
    actor: Actor,
    *,
    comment: str | None = None,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> TransitionResult:
    """Take a transition (or cast a vote on an approval); refusals leave the record untouched."""
    catalog = load_catalog(session)
    module = catalog.module(module_id)
    may = abilities(actor, module)
    may.require_read()
    if module.workflow is None:
        raise NoWorkflow(transition_id, None, module=module.id)
    transition = module.workflow.transition(transition_id)
    if transition is None:
        raise UnknownTransition(transition_id, None, module=module.id)
    record = load_for_workflow(session, catalog, module, record_id, actor, lock=True)
    if version is not None and version != record.version:
        raise StaleVersion(record_id, record.version, version)
    reason = _refusal(session, catalog, may, record, transition, lock=True)
    if reason is not None:
        raise refused_as(reason, transition.id, record.state)
    comment = _check_comment(transition, comment)
    now = now or _now()
    if transition.approval is None or actor.is_system:
        record, notified = fire(session, catalog, module, record, transition, actor, comment, now)
        return TransitionResult(record, True, transition.id, notified=notified)
    _cast_vote(session, module, record, transition, actor, comment, now)
    progress = approvals.progress(session, catalog, module, record, transition)
    if not progress.reached:
        return TransitionResult(record, False, transition.id, progress=progress)
    record, notified = fire(session, catalog, module, record, transition, actor, comment, now)
    return TransitionResult(record, True, transition.id, progress=progress, notified=notified)
