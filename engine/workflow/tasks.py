"""Inbox items kept in step with the workflow, so the inbox is one indexed query.

When a record enters a state, the open items of its previous state are closed and new ones
are opened: a vote item per eligible approver of each approval out of the state, and a
transition item per role (or for the owner) of each other transition out of it. Records in
the initial state are their owners' drafts, not inbox items. `notify` opens information
items (抄送) that stay until read.

Seeded records placed in a waiting state go through `enter_state` too. A user who becomes an
approver after a record started waiting (created after the pack's seed, given the role or a
grant later) gets the vote items they are now due from `sync_vote_tasks`, and is told of
them like any other approver (not of a demo record's: the pack placed it there, nobody moved
it); it also closes those of a user who lost the role or grant.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Row, exists, or_, select, update
from sqlalchemy.orm import Session

from engine.catalog import Catalog
from engine.definitions.model import Approval, Module, Transition
from engine.models import HistoryEntry, Task, User, UserRole, Vote
from engine.records.model import Record
from engine.workflow.approvals import eligible_approvers
from engine.workflow.due import due_at


def close_tasks(
    session: Session,
    module: Module,
    record_id: str,
    now: dt.datetime,
    *,
    user: str | None = None,
    kinds: tuple[str, ...] = ("vote", "transition"),
) -> None:
    statement = update(Task).where(
        Task.module == module.id,
        Task.record_id == record_id,
        Task.done_at.is_(None),
        Task.kind.in_(kinds),
    )
    if user is not None:
        statement = statement.where(Task.assignee_user == user)
    session.execute(statement.values(done_at=now))


def open_vote_task(
    session: Session,
    module: Module,
    record: Record,
    transition: Transition,
    user: str,
    now: dt.datetime,
) -> Task:
    task = Task(
        module=module.id,
        record_id=record.id,
        kind="vote",
        transition=transition.id,
        assignee_user=user,
        created_at=now,
        due_at=due_at(module, record.state, record.state_since or now, record.data),
    )
    session.add(task)
    return task


def enter_state(
    session: Session, catalog: Catalog, module: Module, record: Record, now: dt.datetime
) -> list[Task]:
    """Close the items of the state the record left and open those of the state it is in
    (returned, for the notifications that tell their users)."""
    close_tasks(session, module, record.id, now)
    workflow = module.workflow
    items: list[Task] = []
    if workflow is None or record.state is None or record.state == workflow.initial:
        return items
    if workflow.states[record.state].final:
        return items
    due = due_at(module, record.state, record.state_since or now, record.data)
    opened: set[tuple[str, str | None, str | None]] = set()
    for transition in workflow.transitions:
        if record.state not in transition.sources or transition.withdraw:
            continue
        if transition.approval is not None:
            for approver in eligible_approvers(session, catalog, module, record, transition):
                opened.add(("vote", transition.id, approver))
                items.append(open_vote_task(session, module, record, transition, approver, now))
            continue
        if transition.owner_only:
            assignees: list[tuple[str | None, str | None]] = [(record.owner, None)]
        else:
            assignees = [(None, role) for role in transition.roles]
        for user, role in assignees:
            key = ("transition", user, role)
            if key in opened or (user is None and role is None):
                continue
            opened.add(key)
            items.append(
                Task(
                    module=module.id,
                    record_id=record.id,
                    kind="transition",
                    transition=None,
                    assignee_user=user,
                    assignee_role=role,
                    created_at=now,
                    due_at=due,
                )
            )
            session.add(items[-1])
    return items


def _waiting_for_vote(
    session: Session, catalog: Catalog, module: Module, transition: Transition, user: str
) -> list[Record]:
    """Records in the approval's states where `user` has neither an open vote item nor a vote."""
    main = catalog.tables[module.id].main
    approval = transition.approval
    assert approval is not None
    item = select(Task.id).where(
        Task.module == module.id,
        Task.record_id == main.c.id,
        Task.kind == "vote",
        Task.transition == transition.id,
        Task.assignee_user == user,
        Task.done_at.is_(None),
    )
    voted = select(Vote.id).where(
        Vote.module == module.id,
        Vote.record_id == main.c.id,
        Vote.transition == transition.id,
        Vote.voter == user,
        Vote.discarded.is_(False),
    )
    assert module.workflow is not None
    waiting = [s for s in transition.sources if s != module.workflow.initial]  # drafts: no items
    statement = select(main).where(main.c.state.in_(waiting), ~exists(item), ~exists(voted))
    if approval.fields and not approval.roles:  # only the users fields name may vote
        statement = statement.where(
            or_(*(_names(session, module, main.c[f], f, user) for f in approval.fields))
        )
    return [_approval_record(module, row, approval) for row in session.execute(statement)]


def _names(
    session: Session, module: Module, column: Any, name: str, user: str
) -> ColumnElement[bool]:
    """Whether a user field is `user`, or a multi-user field holds `user`."""
    field = module.field(name)
    kind = field.kind_type if field is not None else None
    if kind is not None and kind.condition is not None:
        return kind.condition(session, column, "contains", user)
    return column == user


def _approval_record(module: Module, row: Row[Any], approval: Approval) -> Record:
    """What deciding who may vote reads of a record: its id, state, owner, approvers field
    (and the dates its states are due on)."""
    return Record(
        id=row.id,
        module=module.id,
        number=row.number,
        state=row.state,
        version=row.version,
        owner=row.owner,
        created_at=row.created_at,
        updated_at=row.updated_at,
        module_version=row.module_version,
        data={
            **{f: row._mapping[f] for f in _due_fields(module) | _title_field(module, row)},
            **{f: row._mapping[f] for f in approval.fields},
        },
        state_since=row.state_since,
    )


def _title_field(module: Module, row: Row[Any]) -> set[str]:
    """The record's title field, when stored on its row (the notification names the record)."""
    name = module.title_field
    return {name} if name and name in row._mapping else set()


def _due_fields(module: Module) -> set[str]:
    """The date fields the module's states are due on (a vote item carries its due time)."""
    states = module.workflow.states.values() if module.workflow else ()
    return {s.due_field for s in states if s.due_field}


def _close_stale_votes(session: Session, catalog: Catalog, user: User, now: dt.datetime) -> None:
    """Close the vote items `user` may no longer act on (a role or a grant taken away)."""
    open_items = select(Task).where(
        Task.assignee_user == user.name, Task.kind == "vote", Task.done_at.is_(None)
    )
    for task in session.scalars(open_items).all():
        module = catalog.modules.get(task.module)
        workflow = module.workflow if module is not None else None
        transition = workflow.transition(task.transition or "") if workflow else None
        if module is None or transition is None or transition.approval is None:
            continue
        main = catalog.tables[module.id].main
        row = session.execute(select(main).where(main.c.id == task.record_id)).first()
        if row is None:
            continue
        record = _approval_record(module, row, transition.approval)
        if user.name not in eligible_approvers(session, catalog, module, record, transition):
            task.done_at = now


def _moved_in(session: Session, module: Module, record: Record) -> bool:
    """Whether the record reached its state by a transition (a pack's demo record was
    placed in it at install, and nobody is told of those)."""
    moved = select(HistoryEntry.id).where(
        HistoryEntry.module == module.id,
        HistoryEntry.record_id == record.id,
        HistoryEntry.to_state == record.state,
        HistoryEntry.transition.is_not(None),
    )
    return session.scalar(moved.limit(1)) is not None


def sync_vote_tasks(session: Session, catalog: Catalog, user: User, now: dt.datetime) -> int:
    """Bring `user`'s vote items in step with who they are now; returns how many opened.

    Called when a user is created, given or denied roles, granted a record or denied one: the
    items opened when records entered their state (or were seeded in it) named the approvers
    of that moment. Items the user may no longer act on are closed; those now due, opened.
    """
    from engine.notifications.triggers import tasks_opened  # notifications read the workflow

    _close_stale_votes(session, catalog, user, now)
    roles = {r.role for r in user.roles}
    opened = 0
    for module in catalog.modules.values():
        if module.workflow is None:
            continue
        for transition in module.workflow.transitions:
            approval = transition.approval
            if approval is None or not (approval.fields or roles & set(approval.roles)):
                continue
            for record in _waiting_for_vote(session, catalog, module, transition, user.name):
                if user.name in eligible_approvers(session, catalog, module, record, transition):
                    item = open_vote_task(session, module, record, transition, user.name, now)
                    if _moved_in(session, module, record):  # demo records tell nobody
                        tasks_opened(session, module, record, [item], None)
                    opened += 1
    return opened


def notify(
    session: Session, module: Module, record: Record, transition: Transition, now: dt.datetime
) -> list[str]:
    """Copy the record to the users `transition.notify` names (抄送); returns their names."""
    users: set[str] = set()
    if transition.notify_role:
        users |= set(
            session.scalars(
                select(User.name)
                .join(UserRole, UserRole.user_id == User.id)
                .where(UserRole.role == transition.notify_role, User.active.is_(True))
            )
        )
    if transition.notify_field and record.data.get(transition.notify_field):
        users.add(record.data[transition.notify_field])
    for user in sorted(users):
        session.add(
            Task(
                module=module.id,
                record_id=record.id,
                kind="copied",
                transition=transition.id,
                assignee_user=user,
                created_at=now,
            )
        )
    return sorted(users)


def mark_read(session: Session, user: str, task_id: int, now: dt.datetime) -> None:
    session.execute(
        update(Task)
        .where(Task.id == task_id, Task.assignee_user == user, Task.kind == "copied")
        .values(done_at=now)
    )
