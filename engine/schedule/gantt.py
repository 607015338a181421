"""The tasks of a module's Gantt view as a reader sees them, with their critical path.

One SELECT of only the columns the view names (and the group's title), scoped and filtered
like the list (`engine.records.query`), capped at `MAX_TASKS`; a field hidden from the reader
is read as empty. Predecessors are links to the same module or a text of `key` values
("1.2, 1.3") matched within the task's `group`; a key that matches nothing is a warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_
from sqlalchemy.orm import Session

from engine.abilities import abilities
from engine.actor import Actor
from engine.catalog import load_catalog
from engine.definitions.model import GanttView, Module
from engine.records.query import ListQuery, _order_by, _where
from engine.records.reading import record_select
from engine.schedule.network import Timing, critical_path, find_cycle

MAX_TASKS = 5000


@dataclass
class GanttTask:
    """One bar: its record, dates, progress, group and predecessors (record ids)."""

    id: str
    number: str | None
    version: int
    title: str
    start: dt.date | None
    end: dt.date | None
    progress: float | None = None
    key: str | None = None
    group: str | None = None
    group_title: str | None = None
    milestone: bool = False
    baseline: tuple[dt.date | None, dt.date | None] = (None, None)
    actual: tuple[dt.date | None, dt.date | None] = (None, None)
    depends: list[str] = field(default_factory=list)
    timing: Timing | None = None

    @property
    def days(self) -> int:
        """Duration in whole days (a milestone takes none)."""
        if self.milestone or self.start is None or self.end is None:
            return 0
        return max((self.end - self.start).days + 1, 1)

    @property
    def depth(self) -> int:
        return self.key.count(".") if self.key else 0


@dataclass
class Gantt:
    tasks: list[GanttTask]
    capped: bool  # more tasks match than MAX_TASKS: only the first are drawn
    unknown: dict[str, list[str]] = field(default_factory=dict)  # task id → unmatched keys
    cycle: tuple[str, ...] | None = None  # task ids of a cycle found in old data


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _spans(view: GanttView) -> list[str]:
    names = [view.start, view.end, view.progress, view.depends_on, view.key, view.group]
    names.append(view.milestone)
    for span in (view.baseline, view.actual):
        if span is not None:
            names += [span.start, span.end]
    return [n for n in names if n]


def _task(view: GanttView, module: Module, row: Mapping[str, Any], shown: set[str]) -> GanttTask:
    def value(name: str | None) -> Any:
        return row.get(name) if name and name in shown else None

    title_name = module.title_field
    title = value(title_name) or row["number"] or row["id"]
    group = value(view.group)
    span = {k: getattr(view, k) for k in ("baseline", "actual")}
    return GanttTask(
        id=row["id"],
        number=row["number"],
        version=row["version"],
        title=str(title),
        start=_date(value(view.start)),
        end=_date(value(view.end)),
        progress=float(value(view.progress)) if value(view.progress) is not None else None,
        key=str(value(view.key)) if value(view.key) is not None else row["number"],
        group=str(group) if group is not None else None,
        group_title=row.get(f"title__{view.group}") or (str(group) if group else None),
        milestone=bool(value(view.milestone)),
        baseline=(_date(value(s.start)), _date(value(s.end)))
        if (s := span["baseline"])
        else (None, None),
        actual=(_date(value(s.start)), _date(value(s.end)))
        if (s := span["actual"])
        else (None, None),
    )


def _link(
    module: Module, view: GanttView, tasks: list[GanttTask], rows: list[Any]
) -> dict[str, list[str]]:
    """Resolve each task's predecessors to task ids; returns the keys that matched nothing."""
    unknown: dict[str, list[str]] = {}
    f = module.field(view.depends_on) if view.depends_on else None
    if f is None:
        return unknown
    by_key = {(t.group, t.key): t.id for t in tasks}
    ids = {t.id for t in tasks}
    for task, row in zip(tasks, rows, strict=True):
        raw = row.get(f.name)
        if raw in (None, ""):
            continue
        if f.kind_type.links:  # one or more record ids
            values = raw if isinstance(raw, list) else [raw]
            task.depends = [v for v in values if v in ids]
            continue
        for key in (k.strip() for k in str(raw).split(",")):
            found = by_key.get((task.group, key))
            if found is None:
                unknown.setdefault(task.id, []).append(key)
            elif found != task.id:
                task.depends.append(found)
    return unknown


def read_gantt(
    session: Session, module_id: str, view: GanttView, actor: Actor, query: ListQuery
) -> Gantt:
    """The tasks `actor` may read that match `query`'s filters, in group and key order."""
    catalog = load_catalog(session)
    module = catalog.module(module_id)
    may = abilities(actor, module)
    may.require_read()
    shown = {n for n in _spans(view) if n in may.visible}
    table = catalog.tables[module.id].main
    if module.title_field and module.title_field in may.visible:
        shown.add(module.title_field)
    stored = {n for n in shown if (f := module.field(n)) is not None and f.stored}
    group = module.field(view.group) if view.group else None
    titles = (
        [view.group] if group is not None and group.kind_type.links and view.group in shown else []
    )
    statement = record_select(catalog, module, reader=actor, fields=stored, titles=titles)
    sort = [k for k in (view.group, view.key, view.start) if k and k in shown]
    order = _order_by(module, table, statement, sort, may.visible) + [table.c.id]
    where = and_(*_where(session, catalog, may, query))
    rows = session.execute(statement.where(where).order_by(*order).limit(MAX_TASKS + 1))
    found = [dict(r) for r in rows.mappings()]
    capped = len(found) > MAX_TASKS
    found = found[:MAX_TASKS]
    tasks = [_task(view, module, row, stored) for row in found]
    unknown = _link(module, view, tasks, found) if view.depends_on in shown else {}
    preds = {t.id: t.depends for t in tasks}
    timings: dict[str, Timing] = {}
    groups: dict[str | None, dict[str, int]] = {}
    for t in tasks:  # each group (project) is a network of its own
        if t.start and t.end:
            groups.setdefault(t.group, {})[t.id] = t.days
    for durations in groups.values():
        timings.update(critical_path(durations, preds))
    for task in tasks:
        task.timing = timings.get(task.id)
    return Gantt(tasks, capped, unknown, find_cycle(preds))
