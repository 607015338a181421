"""Time-driven work (`formwork tick`): fire `on_due` transitions of records overdue in their state.

Run by a scheduler every few minutes. Each firing is recorded as done by the system (no
actor). Overdue marking itself needs no job: inbox items carry their due time and lists
ask engine/workflow/due.py, which also decides here which records are overdue — a time in
the state, or a date field of the record (`due: {"field": ...}`). The tick also reminds
those a record waits for that it is due within a day or overdue (notifications/reminders.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import SYSTEM
from engine.catalog import load_catalog
from engine.errors import Conflict, TransitionRefused
from engine.workflow.due import has_due, overdue_condition
from engine.workflow.transitions import apply_transition


@dataclass
class TickReport:
    fired: list[tuple[str, str, str]] = field(default_factory=list)  # module, record id, transition
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # module, record id, reason
    due_soon: int = 0  # reminders written: due within a day
    overdue: int = 0  # ... past due


def tick(session: Session, *, now: dt.datetime | None = None, limit: int = 1000) -> TickReport:
    now = now or dt.datetime.now(dt.UTC)
    catalog = load_catalog(session)
    report = TickReport()
    for module in catalog.modules.values():
        if module.workflow is None:
            continue
        table = catalog.tables[module.id].main
        for state in module.workflow.states.values():
            if not has_due(state) or not state.on_due or state.final:
                continue
            ids = session.scalars(
                select(table.c.id)
                .where(table.c.state == state.id, overdue_condition(state, table, now))
                .order_by(table.c.state_since, table.c.id)
                .limit(limit)
            ).all()
            for record_id in ids:
                try:
                    with session.begin_nested():
                        apply_transition(
                            session, module.id, record_id, state.on_due, SYSTEM, now=now
                        )
                    report.fired.append((module.id, record_id, state.on_due))
                except (TransitionRefused, Conflict) as exc:
                    report.skipped.append((module.id, record_id, str(exc)))
    from engine.notifications.reminders import remind  # notifications read the workflow

    reminded = remind(session, now=now)
    report.due_soon, report.overdue = reminded["due_soon"], reminded["overdue"]
    return report
