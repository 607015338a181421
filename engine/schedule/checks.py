"""Refuse a save that would make a schedule's predecessors a circle.

Run by the records service on every write (`engine.records.checks.write_problems`) for a
module whose Gantt view names predecessors (`depends_on`), whichever way it names them:

- a text of keys within a group ("1.2, 1.3" within a project): the group's other tasks are
  read in one statement of three columns, the written rows take their place (an updated task
  by its old key), and the graph is searched for a cycle (`network.find_cycle`);
- a link to the same module (one record id, or a list of them): only an update can close a
  circle (nobody links to a record before it exists), so the predecessors are followed from
  the written record, one statement of two columns per step, never the whole table, until
  they come back to it or run out.

Either way the problem names the circle by the tasks' keys (their numbers without a key),
told from the task being saved. A predecessor that names no task is not a problem here: the
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
MAX_STEPS = 10_000  # a chain of predecessors longer than any schedule: stop following


def _keys(raw: Any) -> list[str]:
    return [k.strip() for k in str(raw).split(",") if k.strip()] if raw else []


def _ids(raw: Any) -> list[str]:
    """The record ids a link value names (a multi-link holds a list)."""
    values = raw if isinstance(raw, (list, tuple)) else [raw]
    return [str(v) for v in values if v not in (None, "")]


def _view(module: Module) -> GanttView | None:
    for view in module.ui.views:
        if isinstance(view, GanttView) and view.depends_on:
            field = module.field(view.depends_on)
            if field is None or not field.stored:
                continue
            if field.kind_type.links and field.ref == module.id:
                return view
            if view.key and not field.kind_type.links:
                return view
    return None


def _problem(view: GanttView, names: Sequence[str]) -> Problem:
    params = {"cycle": " → ".join(names), "field": view.depends_on}
    return Problem(f"/{view.depends_on}", "dependency_cycle", params)


def cycle_problems(
    session: Session,
    catalog: Catalog,
    module: Module,
    rows: Sequence[Mapping[str, Any]],
    before: Sequence[Mapping[str, Any]],
    ids: Sequence[str | None] | None = None,
) -> list[tuple[int, Problem]]:
    """A `dependency_cycle` problem for each written row whose predecessors close a circle.

    `ids` are the written records' ids (a link names its predecessors by them)."""
    view = _view(module)
    if view is None or not any(r.get(view.depends_on or "") for r in rows):
        return []
    field = module.field(view.depends_on or "")
    if field is not None and field.kind_type.links:
        return _link_problems(session, catalog, module, view, rows, ids or [None] * len(rows))
    return _key_problems(session, catalog, module, view, rows, before)


def _key_problems(
    session: Session,
    catalog: Catalog,
    module: Module,
    view: GanttView,
    rows: Sequence[Mapping[str, Any]],
    before: Sequence[Mapping[str, Any]],
) -> list[tuple[int, Problem]]:
    """Predecessors by a text of keys, within the written rows' groups."""
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
            problems.append((index, _problem(view, [key for _, key in cycle])))
    return problems


def _path_back(
    session: Session, main: Any, column: Any, start: str, written: Mapping[str, Any]
) -> list[str] | None:
    """The chain of record ids from `start`'s predecessors back to `start`, or None.

    `written` holds the new predecessors of the records being saved (they replace what the
    table holds); everything else is read step by step, only the records reached."""
    came_from: dict[str, str] = {}
    frontier = [start]
    for _ in range(MAX_STEPS):
        if not frontier:
            return None
        stored = [n for n in frontier if n not in written]
        statement = select(main.c.id, column).where(main.c.id.in_(stored))
        found = {r[0]: r[1] for r in session.execute(statement)} if stored else {}
        following: list[str] = []
        for node in frontier:
            for pred in _ids(written[node] if node in written else found.get(node)):
                if pred == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if pred not in came_from:
                    came_from[pred] = node
                    following.append(pred)
        frontier = following
    return None


def _link_problems(
    session: Session,
    catalog: Catalog,
    module: Module,
    view: GanttView,
    rows: Sequence[Mapping[str, Any]],
    ids: Sequence[str | None],
) -> list[tuple[int, Problem]]:
    """Predecessors by link: follow each written record's predecessors back to it."""
    assert view.depends_on is not None
    main = catalog.tables[module.id].main
    column = main.c[view.depends_on]
    written = {i: r.get(view.depends_on) for i, r in zip(ids, rows, strict=True) if i}
    circles: list[tuple[int, list[str]]] = []
    for index, record_id in enumerate(ids):
        if record_id and _ids(written[record_id]):
            path = _path_back(session, main, column, record_id, written)
            if path is not None:
                circles.append((index, path))
    if not circles:
        return []
    names = _names(session, main, view, {n for _, path in circles for n in path})
    for i, r in zip(ids, rows, strict=True):  # a key being saved is named as written
        if i and view.key and r.get(view.key) not in (None, ""):
            names[i] = str(r[view.key])
    return [(index, _problem(view, [names.get(n, n) for n in path])) for index, path in circles]


def _names(session: Session, main: Any, view: GanttView, ids: set[str]) -> dict[str, str]:
    """Each record's key (its number without one, its id without a number)."""
    key = main.c[view.key] if view.key else main.c.number
    found = session.execute(select(main.c.id, key, main.c.number).where(main.c.id.in_(ids)))
    return {r[0]: str(r[1] if r[1] not in (None, "") else r[2] or r[0]) for r in found}
