"""The history of every record: one append-only row per change, transition or vote.

Rows are only ever inserted. Values are stored as JSON (decimals as exact text), with the
module version the change was made under.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from engine import permissions
from engine.actor import Actor
from engine.catalog import Catalog, load_catalog
from engine.definitions.model import Module
from engine.errors import NotFound
from engine.models import HistoryEntry

HISTORY = cast("Table", HistoryEntry.__table__)  # a mapped class's table is a Table

# Values the history keeps as they are: most of a record's values, settled by one look-up.
_AS_THEY_ARE = frozenset({str, int, bool, type(None)})


def history_value(value: Any) -> Any:
    """A value as the history keeps it: JSON, exact."""
    kind = type(value)
    if kind in _AS_THEY_ARE:
        return value
    if kind is dict:  # a child row, by its exact type: what the Mapping branch below gives
        return {k: history_value(v) for k, v in value.items()}
    if kind is list:
        return [history_value(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: history_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [history_value(v) for v in value]
    return value


def diff(module: Module, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Changed stored fields (child tables compared whole) with old and new values."""
    changes = []
    for f in module.fields:
        if f.rollup is not None:
            continue
        before, after = history_value(old.get(f.name)), history_value(new.get(f.name))
        if not f.kind_type.scalar:  # child rows or a list of choices
            before, after = before or [], after or []
        if before != after:
            changes.append({"field": f.name, "old": before, "new": after})
    return changes


@lru_cache(maxsize=256)
def _diffed(module: Module) -> tuple[tuple[str, bool], ...]:
    """The fields a history diff compares (name, whether one value), in field order."""
    return tuple((f.name, f.kind_type.scalar) for f in module.fields if f.rollup is None)


def created(module: Module, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """`diff(module, {}, values)` for a new record, without comparing with nothing: each
    field that holds a value (a list of choices or rows that is not empty)."""
    changes = []
    for name, scalar in _diffed(module):
        after = values.get(name)
        if after is None:
            continue  # nothing, as before: no change
        if type(after) not in _AS_THEY_ARE:
            after = history_value(after)
        if scalar:
            if after is not None:
                changes.append({"field": name, "old": None, "new": after})
        elif after:  # `after or []` differs from `[]`
            changes.append({"field": name, "old": [], "new": after})
    return changes


def record_change(
    session: Session,
    module: Module,
    record_id: str,
    actor: Actor,
    action: str,
    *,
    changes: Sequence[Mapping[str, Any]] = (),
    from_state: str | None = None,
    to_state: str | None = None,
    comment: str | None = None,
    at: dt.datetime | None = None,
    transition: str | None = None,
) -> HistoryEntry:
    entry = HistoryEntry(
        module=module.id,
        record_id=record_id,
        at=at or dt.datetime.now(dt.UTC),
        actor=actor.name,
        action=action,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        changes=[dict(c) for c in changes],
        module_version=module.version,
    )
    session.add(entry)
    session.flush()
    return entry


def record_changes(
    session: Session,
    module: Module,
    actor: Actor,
    action: str,
    entries: Sequence[tuple[str, Sequence[Mapping[str, Any]]]],
    *,
    to_state: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    """History rows for many records at once (one multi-row INSERT)."""
    if not entries:
        return
    at = at or dt.datetime.now(dt.UTC)
    session.execute(
        insert(HISTORY),  # the table itself: no ORM bookkeeping per row
        [
            {
                "module": module.id,
                "record_id": record_id,
                "at": at,
                "actor": actor.name,
                "action": action,
                "to_state": to_state,
                "changes": [c if type(c) is dict else dict(c) for c in changes],
                "module_version": module.version,
            }
            for record_id, changes in entries
        ],
    )


def record_history(session: Session, module_id: str, record_id: str) -> list[HistoryEntry]:
    return list(
        session.scalars(
            select(HistoryEntry)
            .where(HistoryEntry.module == module_id, HistoryEntry.record_id == record_id)
            .order_by(HistoryEntry.id)
        )
    )


MASK = "***"


def _readable(
    session: Session, catalog: Catalog, module: Module, record_id: str, actor: Actor
) -> bool:
    """Whether the record exists and lies in `actor`'s read scope (one indexed query)."""
    main = catalog.tables[module.id].main
    statement = select(main.c.id).where(
        main.c.id == record_id, permissions.row_predicate(actor, module, main, "read")
    )
    return session.execute(statement).first() is not None


def visible_history(
    session: Session, module_id: str, record_id: str, actor: Actor, *, in_scope: bool = False
) -> list[dict[str, Any]]:
    """A record's history as `actor` may read it: values of hidden fields are masked.

    NotFound when the record (even a deleted one's history) is outside what `actor` may read.
    `in_scope` says the caller has just read the record as `actor` in this transaction
    (the record page), so its scope is not asked again.
    """
    catalog = load_catalog(session)
    module = catalog.module(module_id)
    permissions.require_readable(actor, module)
    entries = record_history(session, module_id, record_id)
    # admins may read what remains of deleted records
    readable = in_scope or _readable(session, catalog, module, record_id, actor)
    if not readable and not (actor.is_admin and entries):
        raise NotFound(code="unknown_record", module=module.id, record=record_id)
    hidden = {
        name for name, level in permissions.field_access(actor, module).items() if level == "hidden"
    }
    items = []
    for entry in entries:
        changes = [
            {**change, "old": MASK, "new": MASK} if change.get("field") in hidden else dict(change)
            for change in entry.changes
        ]
        items.append(
            {
                "at": entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=dt.UTC),
                "actor": entry.actor,
                "action": entry.action,
                "transition": entry.transition,
                "from": entry.from_state,
                "to": entry.to_state,
                "comment": entry.comment,
                "changes": changes,
                "module_version": entry.module_version,
            }
        )
    return items
