"""Unique fields and unique combinations: the refusal a writer reads, and the index behind it.

A module's `unique` sets (each `"unique": true` field alone, each `"unique": [[...]]`
combination) are UNIQUE indexes of its table (engine/storage.py), so the database itself
never holds two records sharing a value, whatever races. Before writing, `unique_problems`
looks the new values up — against the stored records and within the batch — so the writer
gets a located `not_unique` problem naming the record that holds the value, if the writer
may read it ("already used" otherwise). When two writers race past that look-up at once
(PostgreSQL), the loser's INSERT or UPDATE meets the index: `unique_guard` runs the write in
a savepoint, and on the violation looks again (the winner has committed by then) and
answers with the same problems instead of a database error. Empty values never collide: a
combination with an empty member is not compared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine import permissions
from engine.actor import Actor
from engine.catalog import Catalog
from engine.definitions.model import Module
from engine.errors import BatchFailed, Problem, ValidationFailed

Located = tuple[int, Problem]
Key = tuple[Any, ...]
CHUNK = 200  # keys looked up per statement


def _key(values: Mapping[str, Any], names: Sequence[str]) -> Key | None:
    key = tuple(values.get(name) for name in names)
    return None if any(v is None for v in key) else key


def unique_problems(
    session: Session,
    catalog: Catalog,
    module: Module,
    actor: Actor,
    batch: Sequence[Mapping[str, Any]],
    before: Sequence[Mapping[str, Any]],
    ids: Sequence[str | None] | None = None,
) -> list[Located]:
    """A `not_unique` problem for each record of `batch` whose values another record holds."""
    problems: list[Located] = []
    for names in module.unique:
        wanted: dict[Key, list[int]] = {}
        for index, values in enumerate(batch):
            key = _key(values, names)
            if key is None or key == _key(before[index], names):
                continue  # empty, or kept as it was (the index vouches for it)
            wanted.setdefault(key, []).append(index)
        if not wanted:
            continue
        own = {i for i in ids or () if i}
        holders = _holders(session, catalog, module, names, list(wanted), own)
        labels = _labels(session, catalog, module, actor, holders)
        for key, indexes in wanted.items():
            first_taken = key in holders
            for position, index in enumerate(indexes):
                if not first_taken and position == 0:
                    continue  # the first of the batch takes it; the rest repeat it
                holder = holders.get(key)
                label = labels.get(holder) if holder is not None else None
                problems.append((index, _problem(names, key, label)))
    return problems


def _problem(names: Sequence[str], key: Key, label: str | None) -> Problem:
    """At the combination's last field: the one a writer picks last (`material` in a project)."""
    params = {
        "fields": ", ".join(names),
        "value": " / ".join(str(v) for v in key),
        "record": label,
        "by": f" by {label}" if label else "",
    }
    return Problem(f"/{names[-1]}", "not_unique", params)


def _holders(
    session: Session,
    catalog: Catalog,
    module: Module,
    names: Sequence[str],
    keys: list[Key],
    own: set[str],
) -> dict[Key, str]:
    """key → id of the stored record holding it (not one of the records being written)."""
    table = catalog.tables[module.id].main
    columns = [table.c[name] for name in names]
    found: dict[Key, str] = {}
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        condition: ColumnElement[bool]
        if len(columns) == 1:
            condition = columns[0].in_([k[0] for k in chunk])
        else:
            condition = or_(
                *(and_(*(c == v for c, v in zip(columns, k, strict=True))) for k in chunk)
            )
        statement = select(table.c.id, *columns).where(condition)
        if own:
            statement = statement.where(table.c.id.not_in(own))
        for row in session.execute(statement):
            found[tuple(_plain(v) for v in row[1:])] = row[0]
    held = {key: found.get(tuple(_plain(v) for v in key)) for key in keys}
    return {key: holder for key, holder in held.items() if holder is not None}


def _plain(value: Any) -> Any:
    """A value as the database compares it: a moment in UTC without its zone (SQLite hands
    date-times back naive, PostgreSQL in the session's zone)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _labels(
    session: Session, catalog: Catalog, module: Module, actor: Actor, holders: Mapping[Key, str]
) -> dict[str, str]:
    """id → the number (or title) of each holder `actor` may read; the rest stay unnamed."""
    if not holders or not permissions.may_read_module(actor, module):
        return {}
    table = catalog.tables[module.id].main
    title = module.title_field
    if title is not None and (
        title not in table.c or title not in permissions.visible_fields(actor, module)
    ):
        title = None
    columns = [table.c.id, table.c.number, *([table.c[title]] if title else [])]
    readable = permissions.row_predicate(actor, module, table, "read")
    rows = session.execute(select(*columns).where(table.c.id.in_(holders.values()), readable))
    labels: dict[str, str] = {}
    for row in rows:
        label = row[1] or (row[2] if title else None)
        if label:
            labels[row[0]] = str(label)
    return labels


@contextmanager
def unique_guard(
    session: Session,
    catalog: Catalog,
    module: Module,
    actor: Actor,
    batch: Sequence[Mapping[str, Any]],
    before: Sequence[Mapping[str, Any]] | None = None,
    ids: Sequence[str | None] | None = None,
    *,
    single: bool = False,
) -> Iterator[None]:
    """Run a write so that a concurrent writer's win at a UNIQUE index reads as `not_unique`.

    Only modules with unique sets pay for the savepoint. A violation the look-up cannot
    explain (not one of ours) is raised as it came. `single`: one record's write (an
    update), refused with ValidationFailed rather than a batch's BatchFailed.
    """
    if not module.unique:
        yield
        return
    try:
        with session.begin_nested():
            yield
    except IntegrityError:
        olds = list(before) if before is not None else [{} for _ in batch]
        problems = unique_problems(session, catalog, module, actor, batch, olds, ids)
        if not problems:
            raise
        if single:
            raise ValidationFailed([p for _, p in problems]) from None
        raise BatchFailed(problems) from None
