"""Refuse a save that would make a schedule's predecessors a circle.

Run by the records service on every write (`engine.records.checks.write_problems`) for a
module whose Gantt view ties tasks by a text of keys within a group ("1.2, 1.3" within a
project). The group's other tasks are read in one statement of three columns; the written
rows take their place (an updated task by its old key), and the graph is searched for a
cycle (`network.find_cycle`). A predecessor that names no task is not a problem here: the
page shows it as a warning.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.catalog import Catalog
from engine.definitions.model import GanttView, Module
from engine.errors import Problem
from engine.schedule.network import find_cycle

Node = tuple[Any, str]  # (group, key)


def _keys(raw: Any) -> list[str]:
    return [k.strip() for k in str(raw).split(",") if k.strip()] if raw else []


def _view(module: Module) -> GanttView | None:
    for view in module.ui.views:
        if isinstance(view, GanttView) and view.depends_on and view.key:
            field = module.field(view.depends_on)
            if field is not None and field.stored and not field.kind_type.links:
                return view
    return None


def cycle_problems(
    session: Session,
    catalog: Catalog,
    module: Module,
    rows: Sequence[Mapping[str, Any]],
    before: Sequence[Mapping[str, Any]],
) -> list[tuple[int, Problem]]:
    """A `dependency_cycle` problem for each written row whose predecessors close a circle."""
    view = _view(module)
    if view is None or not any(r.get(view.depends_on or "") for r in rows):
        return []
    assert view.key is not None and view.depends_on is not None
    main = catalog.tables[module.id].main
    group = main.c[view.group] if view.group else None
    columns = [main.c[view.key], main.c[view.depends_on]]
    statement = select(*columns, *([group] if group is not None else []))
    groups = {r.get(view.group) for r in rows} if view.group else set()
    if group is not None:
        statement = statement.where(group.in_([g for g in groups if g is not None]))
    preds: dict[Node, list[Node]] = {}
    for found in session.execute(statement):
        g = found[2] if group is not None else None
        preds[(g, str(found[0]))] = [(g, k) for k in _keys(found[1])]
    for old in before:  # an updated task leaves its old place
        if old:
            preds.pop((old.get(view.group) if view.group else None, str(old.get(view.key))), None)
    written: list[Node] = []
    for row in rows:
        g = row.get(view.group) if view.group else None
        node = (g, str(row.get(view.key)))
        preds[node] = [(g, k) for k in _keys(row.get(view.depends_on))]
        written.append(node)
    problems: list[tuple[int, Problem]] = []
    for index, node in enumerate(written):
        cycle = find_cycle({n: p for n, p in preds.items() if n[0] == node[0]})
        if cycle and node in cycle:
            at = cycle.index(node)  # told from the task being saved: it waits on the next
            cycle = (*cycle[at:], *cycle[:at], node)
            path = " → ".join(key for _, key in cycle)
            params = {"cycle": path, "field": view.depends_on}
            problems.append((index, Problem(f"/{view.depends_on}", "dependency_cycle", params)))
    return problems
