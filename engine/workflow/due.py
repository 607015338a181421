"""When a record is due in its state, and whether it is overdue: the one rule that the inbox
items, the overdue marks of lists, boards and record pages, and `formwork tick` all follow.

A state's `due` is either a duration (ISO 8601, `"P3D"`): due that long after the record
entered the state; or a date of the record itself (`{"field": "deadline", "offset": "P1D"}`):
a date field is due once its day has passed (at the following midnight, UTC), a date-time
field at that moment, each moved by the optional offset (`"-P2D"`: two days earlier). A
record whose date field is empty is never overdue. A record is overdue once its due time is
reached while it is still in the state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import isodate
from sqlalchemy import Table, false
from sqlalchemy.sql.elements import ColumnElement

from engine.definitions.model import Module, State


def _state(module: Module, state_id: str | None) -> State | None:
    if module.workflow is None or state_id is None:
        return None
    return module.workflow.states.get(state_id)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def has_due(state: State | None) -> bool:
    """Whether records in `state` can ever be overdue."""
    return state is not None and bool(state.due or state.due_field)


def _offset(state: State) -> Any:
    return isodate.parse_duration(state.due_offset) if state.due_offset else dt.timedelta()


def _from_field(state: State, value: Any) -> dt.datetime | None:
    if isinstance(value, str) and value:
        try:
            value = (
                dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
            )
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        moment = _aware(value)
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    else:
        return None
    try:
        return moment + _offset(state)
    except OverflowError:
        return None


def due_at(
    module: Module,
    state_id: str | None,
    since: dt.datetime | None,
    data: Mapping[str, Any] | None = None,
) -> dt.datetime | None:
    """When a record that entered `state_id` at `since`, holding `data`, is due; None: never."""
    state = _state(module, state_id)
    if state is None:
        return None
    if state.due_field:
        return _from_field(state, (data or {}).get(state.due_field))
    if not state.due or since is None:
        return None
    return _aware(since) + isodate.parse_duration(state.due)


def is_overdue(
    module: Module,
    state_id: str | None,
    since: dt.datetime | None,
    data: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """Whether the record's due time in its state has passed."""
    due = due_at(module, state_id, since, data)
    return due is not None and due < (now or dt.datetime.now(dt.UTC))


def overdue_condition(state: State, table: Table, now: dt.datetime) -> ColumnElement[bool]:
    """The rows of `table` in `state` whose due time is reached at `now`, in SQL (the tick)."""
    if state.due_field:
        column = table.c[state.due_field]
        cutoff = now - _offset(state)
        if column.type.python_type is dt.date:
            return column < cutoff.date()  # due at the midnight after the day
        return column <= cutoff
    if state.due:
        return table.c.state_since <= now - isodate.parse_duration(state.due)
    return false()
