"""Reminders from the tick: a record waiting for someone is due within a day ("due_soon", to
those it waits for) or past its due time ("overdue", to them and to the record's owner).

Read from the open inbox items due before now + one day (an indexed look at the few that
matter), one query per module for their records, one for the reminders already written.
The key is the due moment: a tick every few minutes tells each person once, and a record
whose due time moves (a new state, a changed due date) is reminded again for the new one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.catalog import Catalog, load_catalog
from engine.definitions.model import Module
from engine.models import Task
from engine.models_notifications import Notification
from engine.notifications.triggers import aware, record_params, role_members, state_label, tell
from engine.records.model import Record
from engine.records.reading import row_to_record
from engine.workflow.due import due_at

SOON = dt.timedelta(hours=24)


@dataclass
class Reminder:
    """One reminder to raise: the event, its record and due moment, and whom it tells."""

    event: str  # due_soon | overdue
    module: Module
    record: Record
    due: dt.datetime
    names: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        return f"{self.event}:{self.module.id}:{self.record.id}:{self.due.isoformat()}"


def _open_items(session: Session, now: dt.datetime) -> list[Task]:
    return list(
        session.scalars(
            select(Task).where(
                Task.done_at.is_(None),
                Task.kind.in_(("vote", "transition")),
                Task.due_at.is_not(None),
                Task.due_at <= now + SOON,
            )
        )
    )


def _records(
    session: Session, catalog: Catalog, items: list[Task]
) -> dict[tuple[str, str], Record]:
    """The items' records (what a reminder says of them): one query per module."""
    ids: dict[str, set[str]] = defaultdict(set)
    for task in items:
        ids[task.module].add(task.record_id)
    found = {}
    for module_id, wanted in ids.items():
        module = catalog.modules.get(module_id)
        if module is None:
            continue
        main = catalog.tables[module_id].main
        for row in session.execute(select(main).where(main.c.id.in_(sorted(wanted)))).mappings():
            found[(module_id, row["id"])] = row_to_record(module, row, {})
    return found


def _reminders(session: Session, now: dt.datetime) -> list[Reminder]:
    """What is due soon or overdue now, and for whom, gathered per record and due moment."""
    catalog = load_catalog(session)
    items = _open_items(session, now)
    records = _records(session, catalog, items)
    members = role_members(session, (t.assignee_role for t in items if t.assignee_role))
    found: dict[str, Reminder] = {}
    for task in items:
        record = records.get((task.module, task.record_id))
        if record is None:
            continue
        module = catalog.modules[task.module]
        # a state due on a date of the record is due when that date says now
        due = aware(due_at(module, record.state, aware(record.state_since), record.data))
        if due is None or due > now + SOON:
            continue
        event = "overdue" if due <= now else "due_soon"
        reminder = Reminder(event, module, record, due)
        reminder = found.setdefault(reminder.key, reminder)
        reminder.names |= (
            {task.assignee_user} if task.assignee_user else members[task.assignee_role or ""]
        )
        if event == "overdue" and record.owner:
            reminder.names.add(record.owner)
    return list(found.values())


def _told(session: Session, reminders: list[Reminder]) -> set[tuple[str, str]]:
    """The (key, user) pairs already reminded: one query."""
    pairs = [(r.key, name) for r in reminders for name in r.names]
    if not pairs:
        return set()
    keys = sorted({key for key, _ in pairs})
    rows = session.execute(
        select(Notification.key, Notification.user_name).where(Notification.key.in_(keys))
    )
    return {(key, name) for key, name in rows} & set(pairs)


def remind(session: Session, *, now: dt.datetime) -> dict[str, int]:
    """Raise the due-soon and overdue reminders not raised yet; how many of each were written."""
    reminders = _reminders(session, now)
    told = _told(session, reminders)
    counts = {"due_soon": 0, "overdue": 0}
    for reminder in reminders:
        names = {n for n in reminder.names if (reminder.key, n) not in told}
        if not names:
            continue

        def params(hidden: frozenset[str], reminder: Reminder = reminder) -> dict[str, Any]:
            return {
                **record_params(reminder.module, reminder.record, hidden),
                "state_label": state_label(reminder.module, reminder.record.state),
                "due_at": reminder.due.isoformat(),
            }

        counts[reminder.event] += tell(
            session,
            reminder.event,
            reminder.module,
            reminder.record,
            names,
            params,
            key=reminder.key,
            by=None,
            at=now,
        )
    return counts


def reminder_stands(session: Session, note: Notification) -> bool:
    """Whether the record a reminder is about still waits (an open inbox item) with the due
    moment it named: a reminder held back (quiet hours, a retry) is not sent about a record
    that was decided, moved on or given another due date meanwhile."""
    due = (note.params or {}).get("due_at")
    if note.event not in ("due_soon", "overdue") or not note.module or not note.record_id:
        return True
    items = session.scalars(
        select(Task)
        .where(
            Task.module == note.module,
            Task.record_id == note.record_id,
            Task.done_at.is_(None),
            Task.kind.in_(("vote", "transition")),
        )
        .limit(1)
    ).all()
    catalog = load_catalog(session)
    module = catalog.modules.get(note.module)
    record = _records(session, catalog, list(items)).get((note.module, note.record_id))
    if module is None or record is None:
        return False
    now_due = aware(due_at(module, record.state, aware(record.state_since), record.data))
    return now_due is not None and now_due.isoformat() == due
