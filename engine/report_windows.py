"""Reports over time: running totals and the previous period, computed by the database.

A measure marked `"cumulative": true` is a running total over the report's first group in
ascending order (`SUM(m) OVER (PARTITION BY the other groups ORDER BY the first)`), so a fund
balance by month is one statement. A measure with `"compare": "previous"` over a first group
`month(d)` or `year(d)` gets three more columns: the value of the period before
(`m_previous`), the change (`m_change`) and the change in percent (`m_change_pct`, empty when
the previous value is 0 or missing). The previous period is found by value, not by position:
the same aggregate grouped by the period each record is the previous of
(`month(add_months(d, 1))`), joined on the period — a month without records is a gap, never
skipped over to an earlier one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, and_, case, func, literal_column, select
from sqlalchemy.sql import type_coerce

from engine.expressions import Expression, parse

PERIOD = re.compile(r"^\s*(month|year)\s*\((.+)\)\s*$", re.S)
MONTHS = {"month": 1, "year": 12}

# (name, SQL) pairs of groups or measures
Columns = list[tuple[str, Any]]


def period_shifted(expression: Expression) -> Expression | None:
    """`month(add_months(d, 1))` for `month(d)`: the period of which a record is the previous;
    None when the group is not a month or a year of a date."""
    match = PERIOD.match(expression.source)
    if match is None:
        return None
    unit, inner = match.groups()
    return parse(f"{unit}(add_months({inner}, {MONTHS[unit]}))")


def compare_names(measure: str) -> list[str]:
    """The extra columns a compared measure adds, after its own."""
    return [f"{measure}_previous", f"{measure}_change", f"{measure}_change_pct"]


def with_windows(
    current: Select[Any],
    groups: Columns,
    measures: Columns,
    options: Mapping[str, Mapping[str, Any]],
    previous: Callable[[], Select[Any]] | None,
) -> tuple[Select[Any], list[str]]:
    """The report's statement with its running totals and previous periods, and its columns.

    `current` is the grouped statement; `previous()` the same measures grouped by the shifted
    first group (only asked for when a measure compares)."""
    names = [n for n, _ in groups]
    cumulative = [n for n, _ in measures if options.get(n, {}).get("cumulative")]
    compared = [n for n, _ in measures if options.get(n, {}).get("compare") == "previous"]
    if not groups or not (cumulative or compared):
        return current, names + [n for n, _ in measures]
    cur = current.subquery("cur")
    prev = previous().subquery("prev") if compared and previous is not None else None
    columns: list[ColumnElement[Any]] = [cur.c[n] for n in names]
    shown = list(names)
    order = cur.c[names[0]]
    partition = [cur.c[n] for n in names[1:]]
    for name, _sql in measures:
        value: ColumnElement[Any] = cur.c[name]
        if name in cumulative:
            value = func.sum(value).over(partition_by=partition or None, order_by=order)
        columns.append(value.label(name))
        shown.append(name)
        if prev is not None and name in compared:
            columns += _compared(cur.c[name], prev.c[name], name)
            shown += compare_names(name)
    joined: Any = cur
    if prev is not None:
        # no period is no previous one; other groups match null to null
        on = [cur.c[names[0]] == prev.c[names[0]]]
        on += [cur.c[n].is_not_distinct_from(prev.c[n]) for n in names[1:]]
        joined = cur.outerjoin(prev, and_(*on))
    positions: list[ColumnElement[Any]] = [literal_column(str(n + 1)) for n in range(len(names))]
    return select(*columns).select_from(joined).order_by(*positions), shown


def _compared(now: ColumnElement[Any], before: ColumnElement[Any], name: str) -> Sequence[Any]:
    change = type_coerce(now - before, now.type)
    ratio = (now - before) * literal_column("100.0") / before
    percent = case((before != 0, func.round(type_coerce(ratio, Float()), 1)))
    return [
        before.label(f"{name}_previous"),
        change.label(f"{name}_change"),
        type_coerce(percent, Float()).label(f"{name}_change_pct"),
    ]
