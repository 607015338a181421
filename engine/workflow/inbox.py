"""A user's inbox: records waiting for their vote or transition, copied to them, overdue.

Open items come from one indexed query on `tasks` (by user, and by the user's current
roles); the records behind them are then read per module with the reader's row scope, so a
role item for a record outside the user's scope never shows, and a revoked role empties
the inbox on the next call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import overload

from sqlalchemy import ColumnElement, and_, literal, or_, select, union_all
from sqlalchemy.orm import Session

from engine.abilities import Abilities, abilities
from engine.actor import Actor
from engine.catalog import Catalog, load_catalog
from engine.models import Task
from engine.records.model import Record
from engine.records.reading import (
    children_of,
    mask,
    read_inputs,
    record_select,
    row_to_record,
)
from engine.records.row_links import add_row_titles
from engine.workflow.due import due_at
from engine.workflow.transitions import rule_refusal

PRIORITY = {"vote": 0, "transition": 1, "copied": 2}
MAX_ITEMS = 500


@dataclass
class InboxItem:
    record: Record
    reason: str  # vote | transition | copied
    transitions: list[str]
    overdue: bool = False
    due_at: dt.datetime | None = None
    task_ids: list[int] = field(default_factory=list)


@dataclass
class Inbox:
    items: list[InboxItem]
    counts: dict[str, int]


@overload
def _aware(value: dt.datetime) -> dt.datetime: ...
@overload
def _aware(value: dt.datetime | None) -> dt.datetime | None: ...
def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def open_tasks(
    session: Session, actor: Actor, *, where: ColumnElement[bool] | None = None
) -> list[Task]:
    """The actor's open items: one query served by the user and role indexes."""
    condition = Task.assignee_user == actor.name
    if actor.roles:
        condition = or_(condition, Task.assignee_role.in_(sorted(actor.roles)))
    if where is not None:
        condition = and_(condition, where)
    statement = (
        select(Task)
        .where(Task.done_at.is_(None), condition)
        .order_by(Task.created_at.desc())
        .limit(MAX_ITEMS)
    )
    return list(session.scalars(statement))


def readable_tasks(session: Session, actor: Actor) -> list[Task]:
    """The actor's open items on records it may read, in one statement (each module's row
    scope a subquery): the navigation counts them, the record page finds its own among them."""
    catalog = load_catalog(session)
    places: list[ColumnElement[bool]] = []
    for module in catalog.modules.values():
        may = abilities(actor, module)
        if not may.read:
            continue
        main = catalog.tables[module.id].main
        readable = select(main.c.id).where(may.scope(main))
        places.append(and_(Task.module == module.id, Task.record_id.in_(readable)))
    return open_tasks(session, actor, where=or_(*places)) if places else []


def _offered(may: Abilities, record: Record, task_list: list[Task]) -> list[str]:
    """The steps an inbox row offers: those the transition rule allows the actor on this
    record (`rule_refusal`, as the workflow checks it), a vote only where one waits for them.
    Withdrawing is left to the record page."""
    offered: list[str] = []
    workflow = may.module.workflow
    for transition in workflow.transitions if workflow else ():
        if transition.withdraw or rule_refusal(may, record, transition) is not None:
            continue
        voting = any(t.kind == "vote" and t.transition == transition.id for t in task_list)
        if voting or transition.approval is None:
            offered.append(transition.id)
    return offered


def _readable(session: Session, catalog: Catalog, may: Abilities, ids: list[str]) -> list[Record]:
    """The records among `ids` that the actor may read, as they may see them (masked)."""
    module = may.module
    main = catalog.tables[module.id].main
    statement = record_select(
        catalog,
        module,
        reader=may.actor,
        titles=[f.name for f in module.stored_fields if f.kind_type.links],
    )
    rows = session.execute(statement.where(main.c.id.in_(ids), may.scope(main))).mappings()
    visible = may.visible
    found = list(rows)
    if not found:
        return []
    children = children_of(
        session, catalog, module, [r["id"] for r in found], read_inputs(module, visible)
    )
    records = [row_to_record(module, row, children[row["id"]]) for row in found]
    add_row_titles(session, catalog, module, may.actor, records)
    return [mask(record, visible) for record in records]


def _by_record(tasks: list[Task]) -> dict[tuple[str, str], list[Task]]:
    by_record: dict[tuple[str, str], list[Task]] = {}
    for task in tasks:
        by_record.setdefault((task.module, task.record_id), []).append(task)
    return by_record


Key = tuple[str, str]  # (module id, record id)


def _standing(
    task_list: list[Task], now: dt.datetime, dues: dict[Key, dt.datetime | None], key: Key
) -> tuple[str, dt.datetime | None, bool]:
    """Why a record waits for the user (its most pressing task), when it is due, if overdue.

    Its items carry the due time of a time in the state; a record due on a date of its own
    is due when that date, read now (`_dates_due`), says."""
    task_list.sort(key=lambda t: PRIORITY.get(t.kind, 9))
    acting = [t for t in task_list if t.kind != "copied"]
    if key in dues:
        due = dues[key] if acting else None
    else:
        due = min((_aware(t.due_at) for t in acting if t.due_at is not None), default=None)
    return task_list[0].kind, due, due is not None and due < now


def _dates_due(
    session: Session, catalog: Catalog, keys: Iterable[Key]
) -> dict[Key, dt.datetime | None]:
    """The due times of the records (among `keys`) in a state due on a date field of theirs,
    read as the record holds it now: one statement per module that has such states."""
    wanted: dict[str, list[str]] = {}
    for module_id, record_id in keys:
        wanted.setdefault(module_id, []).append(record_id)
    dues: dict[Key, dt.datetime | None] = {}
    for module_id, ids in sorted(wanted.items()):
        module = catalog.modules.get(module_id)
        states = module.workflow.states if module is not None and module.workflow else {}
        fields = sorted({s.due_field for s in states.values() if s.due_field})
        if module is None or not fields:
            continue
        main = catalog.tables[module_id].main
        columns = [main.c.id, main.c.state, main.c.state_since, *(main.c[f] for f in fields)]
        for row in session.execute(select(*columns).where(main.c.id.in_(ids))).mappings():
            if row["state"] in states and states[row["state"]].due_field:
                due = due_at(module, row["state"], row["state_since"], dict(row))
                dues[(module_id, row["id"])] = due
    return dues


def _readable_keys(
    session: Session, catalog: Catalog, actor: Actor, keys: Iterable[tuple[str, str]]
) -> set[tuple[str, str]]:
    """The (module, record id) pairs among `keys` that `actor` may read: one statement."""
    wanted: dict[str, list[str]] = {}
    for module_id, record_id in keys:
        wanted.setdefault(module_id, []).append(record_id)
    parts = []
    for module_id, ids in sorted(wanted.items()):
        module = catalog.modules.get(module_id)
        may = abilities(actor, module) if module is not None else None
        if may is None or not may.read:
            continue
        main = catalog.tables[may.module.id].main
        parts.append(
            select(literal(may.module.id).label("module"), main.c.id.label("id")).where(
                main.c.id.in_(ids), may.scope(main)
            )
        )
    if not parts:
        return set()
    statement = parts[0] if len(parts) == 1 else union_all(*parts)
    return {(row.module, row.id) for row in session.execute(statement)}


def inbox_counts(
    session: Session,
    actor: Actor,
    *,
    tasks: list[Task] | None = None,
    readable: bool = False,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """The counts of `inbox` without reading its records: what the navigation shows.

    Two statements whatever the inbox holds (the open tasks, unless given, and which of
    their records the actor may read), where the full inbox reads every record; one when
    the given `tasks` are `readable` already (`readable_tasks`) — and one more per module
    whose states are due on a date field of the record.
    """
    now = now or dt.datetime.now(dt.UTC)
    by_record = _by_record(open_tasks(session, actor) if tasks is None else tasks)
    catalog = load_catalog(session)
    if readable:
        readable_keys = set(by_record)
    else:
        readable_keys = _readable_keys(session, catalog, actor, by_record) if by_record else set()
    counts = {"vote": 0, "transition": 0, "copied": 0, "overdue": 0, "total": 0}
    dues = _dates_due(session, catalog, readable_keys)
    for key, task_list in by_record.items():
        if key in readable_keys:
            reason, _, overdue = _standing(list(task_list), now, dues, key)
            counts[reason] += 1
            counts["overdue"] += int(overdue)
            counts["total"] += 1
    return counts


def inbox(
    session: Session,
    actor: Actor,
    *,
    tasks: list[Task] | None = None,
    now: dt.datetime | None = None,
) -> Inbox:
    """The items waiting for `actor`; `tasks` when its open tasks were read already."""
    now = now or dt.datetime.now(dt.UTC)
    catalog = load_catalog(session)
    by_record = _by_record(open_tasks(session, actor) if tasks is None else tasks)
    records: dict[tuple[str, str], Record] = {}
    mays: dict[str, Abilities] = {}
    for module_id in {m for m, _ in by_record}:
        module = catalog.modules.get(module_id)
        may = abilities(actor, module) if module is not None else None
        if may is None or not may.read:
            continue
        mays[module_id] = may
        ids = [r for m, r in by_record if m == module_id]
        for readable in _readable(session, catalog, may, ids):
            records[(module_id, readable.id)] = readable
    items: list[InboxItem] = []
    counts = {"vote": 0, "transition": 0, "copied": 0, "overdue": 0}
    dues = _dates_due(session, catalog, records)
    for key, task_list in by_record.items():
        record = records.get(key)
        if record is None:
            continue
        reason, due, overdue = _standing(task_list, now, dues, key)
        transitions = _offered(mays[key[0]], record, task_list)
        items.append(
            InboxItem(record, reason, transitions, overdue, due, [t.id for t in task_list])
        )
        counts[reason] += 1
        counts["overdue"] += int(overdue)
    items.sort(
        key=lambda i: (not i.overdue, PRIORITY.get(i.reason, 9), -i.record.updated_at.timestamp())
    )
    counts["total"] = len(items)
    return Inbox(items, counts)
