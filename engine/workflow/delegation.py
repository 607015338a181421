"""转交 (delegate a vote) and 加签 (add an approver) on a record's open approval.

Both add a row to `extra_approvers`; engine/workflow/approvals replays those rows in order
to decide who may vote, so a delegation moves exactly one vote and an addition adds one.
Without `self_approval` the record's owner can neither choose approvers nor be handed a
vote. The record row is locked while acting, as for a vote; each step writes its history
row and moves the inbox items.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.audit import record_change
from engine.catalog import Catalog, load_catalog
from engine.definitions.model import Module, Transition
from engine.errors import (
    AlreadyApprover,
    AlreadyVoted,
    ApprovalClosed,
    ApproverCannotRead,
    NotAnApproval,
    NotApprover,
    OwnerMayNotApprove,
    Problem,
    RoleRequired,
    ValidationFailed,
    refusal,
    refused_as,
)
from engine.models import ExtraApprover, User
from engine.records.model import Record
from engine.workflow import approvals, tasks
from engine.workflow.transitions import load_for_workflow


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _open_approval(module: Module, record: Record, transition_id: str) -> Transition:
    transition = module.workflow.transition(transition_id) if module.workflow else None
    if transition is None or transition.approval is None:
        raise NotAnApproval(transition_id, record.state)
    if record.state not in transition.sources:
        raise ApprovalClosed(transition_id, record.state)
    return transition


def _active_user(session: Session, name: str) -> str:
    if session.scalar(select(User.id).where(User.name == name, User.active.is_(True))) is None:
        raise ValidationFailed([Problem("/user", "no_active_user", {"value": name})])
    return name


def delegate_refusal(actor: Actor, progress: approvals.Progress) -> Problem | None:
    """Why `actor` may not hand their vote on (转交), or None: they must hold an open vote."""
    if actor.name not in progress.eligible:
        return refusal(NotApprover, progress.transition, None)
    if actor.name in progress.voted:
        return refusal(AlreadyVoted, progress.transition, None)
    return None


def add_approver_refusal(actor: Actor, transition: Transition, record: Record) -> Problem | None:
    """Why `actor` may not add an approver (加签), or None: a holder of the approval's role."""
    if not actor.is_admin and not (set(transition.roles) & actor.roles):
        return refusal(RoleRequired, transition.id, record.state, roles=transition.roles)
    if not transition.self_approval and actor.name == record.owner:
        # Choosing one's own approvers would get round the rule that forbids self-approval.
        return refusal(OwnerMayNotApprove, transition.id, record.state)
    return None


@dataclass
class _OpenApproval:
    catalog: Catalog
    module: Module
    record: Record
    transition: Transition
    progress: approvals.Progress


def _approval_context(
    session: Session, module_id: str, record_id: str, transition_id: str, actor: Actor
) -> _OpenApproval:
    catalog = load_catalog(session)
    module = catalog.module(module_id)
    record = load_for_workflow(session, catalog, module, record_id, actor, lock=True)
    transition = _open_approval(module, record, transition_id)
    progress = approvals.progress(session, catalog, module, record, transition)
    return _OpenApproval(catalog, module, record, transition, progress)


def _add_extra_approver(
    session: Session,
    context: _OpenApproval,
    actor: Actor,
    user: str,
    *,
    replaces: str | None,
    action: str,
    comment: str | None,
    now: dt.datetime | None,
) -> approvals.Progress:
    """Record an added or delegated approver, move the inbox items, write the history."""
    record, transition = context.record, context.transition
    target = _active_user(session, user)
    if not transition.self_approval and target == record.owner:
        raise OwnerMayNotApprove(transition.id, record.state)
    if target in context.progress.eligible:
        raise AlreadyApprover(transition.id, record.state, user=target)
    now = now or _now()
    session.add(
        ExtraApprover(
            module=context.module.id,
            record_id=record.id,
            transition=transition.id,
            user_name=target,
            replaces=replaces,
            added_by=actor.name,
            at=now,
        )
    )
    session.flush()
    after = approvals.progress(session, context.catalog, context.module, record, transition)
    if target not in after.eligible:
        raise ApproverCannotRead(transition.id, record.state, user=target)
    if replaces is not None:
        tasks.close_tasks(session, context.module, record.id, now, user=replaces, kinds=("vote",))
    item = tasks.open_vote_task(session, context.module, record, transition, target, now)
    from engine.notifications.triggers import tasks_opened  # notifications read the workflow

    tasks_opened(session, context.module, record, [item], actor.name)
    record_change(
        session,
        context.module,
        record.id,
        actor,
        action,
        comment=comment,
        at=now,
        transition=transition.id,
        changes=[{"field": "$approver", "old": replaces, "new": target}],
    )
    return after


def delegate_vote(
    session: Session,
    module_id: str,
    record_id: str,
    transition_id: str,
    actor: Actor,
    to_user: str,
    *,
    comment: str | None = None,
    now: dt.datetime | None = None,
) -> approvals.Progress:
    """转交: an eligible approver hands their vote on this record to another user."""
    context = _approval_context(session, module_id, record_id, transition_id, actor)
    reason = delegate_refusal(actor, context.progress)
    if reason is not None:
        raise refused_as(reason, context.transition.id, context.record.state)
    return _add_extra_approver(
        session,
        context,
        actor,
        to_user,
        replaces=actor.name,
        action="delegate",
        comment=comment,
        now=now,
    )


def add_approver(
    session: Session,
    module_id: str,
    record_id: str,
    transition_id: str,
    actor: Actor,
    user: str,
    *,
    comment: str | None = None,
    now: dt.datetime | None = None,
) -> approvals.Progress:
    """加签: a holder of the approval's role adds one more approver for this record."""
    context = _approval_context(session, module_id, record_id, transition_id, actor)
    reason = add_approver_refusal(actor, context.transition, context.record)
    if reason is not None:
        raise refused_as(reason, context.transition.id, context.record.state)
    return _add_extra_approver(
        session,
        context,
        actor,
        user,
        replaces=None,
        action="add_approver",
        comment=comment,
        now=now,
    )
