"""Upgrade safety for uniqueness: a new unique field or combination the stored records break.

The UNIQUE index of a new uniqueness is created by the upgrade's DDL; if stored records
already share a value, the upgrade is refused before anything changes, naming the shared
values and the records holding them (the first few), so an admin can make them differ.
Empty values never collide, as in the index.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from engine.definitions.model import Module
from engine.errors import Problem

SHOWN = 5  # shared values named in the refusal
RECORDS_SHOWN = 5  # records named per shared value


def unique_refusals(
    session: Session, old: Module, new: Module, table: Any, base: str
) -> list[Problem]:
    """One problem per new unique set whose values several stored records share."""
    problems: list[Problem] = []
    for names in new.unique:
        if names in old.unique or any(name not in table.c for name in names):
            continue  # already enforced, or a new column: empty in every record
        columns = [table.c[name] for name in names]
        shared = (
            select(*columns, func.count().label("n"))
            .where(*(c.is_not(None) for c in columns))
            .group_by(*columns)
            .having(func.count() > 1)
        )
        total = session.execute(select(func.count()).select_from(shared.subquery())).scalar_one()
        if not total:
            continue
        rows = session.execute(shared.order_by(func.count().desc()).limit(SHOWN)).all()
        values = "; ".join(_described(session, table, columns, row[:-1]) for row in rows)
        path = _path(new, names, base)
        params = {"fields": ", ".join(names), "count": total, "values": values}
        problems.append(Problem(path, "unique_violated_by_records", params))
    return problems


def _described(session: Session, table: Any, columns: list[Any], key: Any) -> str:
    """`'A-1' (LT-0001, LT-0007)`: the shared value and the first records holding it."""
    condition = and_(*(c == v for c, v in zip(columns, key, strict=True)))
    held = session.execute(
        select(func.coalesce(table.c.number, table.c.id))
        .where(condition)
        .order_by(table.c.created_at, table.c.number, table.c.id)
        .limit(RECORDS_SHOWN + 1)
    ).scalars()
    records = list(held)
    shown = ", ".join(records[:RECORDS_SHOWN]) + (", …" if len(records) > RECORDS_SHOWN else "")
    value = " / ".join(repr(v) if isinstance(v, str) else str(v) for v in key)
    return f"{value} ({shown})"


def _path(module: Module, names: tuple[str, ...], base: str) -> str:
    """Where the uniqueness is written: the field's `unique`, or the module's `unique` entry."""
    combinations = [tuple(c) for c in module.raw.get("unique", ())]
    if names in combinations:
        return f"{base}/unique/{combinations.index(names)}"
    return f"{base}/schema/properties/{names[0]}/unique"
