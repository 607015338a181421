"""Create, read, update and delete records — the calls the pages and the API both make.

Each function takes a session whose transaction the caller (or `engine.db.transaction`)
owns, checks access through the actor's abilities (engine/abilities.py, the answer the pages
read too), and writes the history row in the same transaction: a write either happens
whole, with its history, or not at all.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, delete, insert, select, update
from sqlalchemy.orm import Session

from engine import webhooks
from engine.abilities import Abilities, abilities
from engine.actor import Actor
from engine.audit import created, diff, history_value, record_change, record_changes
from engine.catalog import Catalog, ModuleRef, load_catalog
from engine.definitions.model import Module
from engine.errors import (
    BatchFailed,
    NotFound,
    PermissionDenied,
    Problem,
    StaleVersion,
    ValidationFailed,
)
from engine.records.checks import write_problems
from engine.records.children import child_rows, write_children
from engine.records.coercion import coerce_input, coerce_items, further_problems
from engine.records.collection import collection_paused
from engine.records.compute import prepare_values
from engine.records.create_locks import closed_at_create
from engine.records.defaults import apply_defaults, child_linked_rows
from engine.records.links import linked_values
from engine.records.model import Record
from engine.records.numbering import number_records
from engine.records.reading import children_of, mask, record_select, rollup_batch, row_to_record
from engine.records.row_links import fetched
from engine.records.uniqueness import unique_guard


def new_record_id() -> str:
    """A 32-character id that sorts by creation time (48-bit milliseconds + 80 random bits)."""
    return f"{int(time.time() * 1000):012x}{os.urandom(10).hex()}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stored(module: Module, values: Mapping[str, Any]) -> dict[str, Any]:
    return {f.name: values.get(f.name) for f in module.stored_fields}


def _fetch(
    session: Session,
    catalog: Catalog,
    module: Module,
    record_id: str,
    may: Abilities,
    action: str = "read",
) -> Record:
    main = catalog.tables[module.id].main
    links = [f.name for f in module.stored_fields if f.kind_type.links]
    statement = record_select(catalog, module, reader=may.actor, titles=links)
    statement = statement.where(main.c.id == record_id, may.scope(main))
    row = session.execute(statement).mappings().first()
    if row is None:
        raise NotFound(code="unknown_record", module=module.id, record=record_id)
    if action != "read":
        allowed = session.execute(
            select(main.c.id).where(main.c.id == record_id, may.scope(main, action))
        ).first()
        if allowed is None:
            raise PermissionDenied(code="record_not_allowed", action=action, module=module.id)
    children = children_of(session, catalog, module, [record_id])[record_id]
    return fetched(session, catalog, module, row_to_record(module, row, children), may, action)


def get_record(session: Session, module_id: ModuleRef, record_id: str, actor: Actor) -> Record:
    """One record as `actor` may see it; NotFound when unknown or out of scope."""
    catalog = load_catalog(session)
    module = catalog.module(module_id)
    may = abilities(actor, module)
    may.require_read()
    return mask(_fetch(session, catalog, module, record_id, may), may.visible)


def create_record(
    session: Session,
    module_id: ModuleRef,
    data: Any,
    actor: Actor,
    *,
    now: dt.datetime | None = None,
) -> Record:
    """Validate, compute and store a new record in the workflow's initial state."""
    try:
        (record_id,) = create_records(session, module_id, [data], actor, now=now)
    except BatchFailed as exc:
        raise ValidationFailed([p for _, p in exc.items]) from None
    return get_record(session, module_id, record_id, actor)


def _new_system_values(
    record_id: str, state: str | None, actor: Actor, now: dt.datetime, linked: Mapping[str, Any]
) -> dict[str, Any]:
    """The system values formulas of a new record may read (`$id`, `$state`, `$owner`...)."""
    return {
        "$id": record_id,
        "$state": state,
        "$owner": actor.name,
        "$number": None,
        "$created_at": now,
        "$updated_at": now,
        **linked,
    }


def _insert_new(
    session: Session,
    catalog: Catalog,
    module: Module,
    actor: Actor,
    prepared: list[tuple[str, dict[str, Any]]],
    placed: list[str | None],
    now: dt.datetime,
) -> None:
    """Number the new records and insert them and their child rows, a statement per table."""
    if not prepared:
        return
    numbers = number_records(session, catalog, module, now.date(), [v for _, v in prepared])
    tables = catalog.tables[module.id]
    session.execute(
        insert(tables.main),
        [
            {
                "id": record_id,
                "number": number,
                "state": state,
                "state_since": now if state else None,
                "owner": actor.name,
                "version": 1,
                "module_version": module.version,
                "created_at": now,
                "updated_at": now,
                **_stored(module, values),
            }
            for (record_id, values), number, state in zip(prepared, numbers, placed, strict=True)
        ],
    )
    for field in module.table_fields:
        rows = [
            row
            for record_id, values in prepared
            for row in child_rows(module, record_id, values, field)
        ]
        if rows:
            session.execute(insert(tables.children[field.name]), rows)


def _prepare_new(
    session: Session,
    catalog: Catalog,
    module: Module,
    actor: Actor,
    coerced: list[tuple[int, dict[str, Any]]],
    initial: list[str | None],
    now: dt.datetime,
    problems: list[tuple[int, Problem]],
) -> tuple[list[tuple[str, dict[str, Any]]], list[str | None]]:
    """Each coerced item with its new id, defaults and formulas, and the state it starts in;
    an item's problems are added to `problems` with its index."""
    links = linked_values(session, catalog, module, [v for _, v in coerced], lock=True)
    child_links = child_linked_rows(session, catalog, module, [v for _, v in coerced])
    prepared: list[tuple[str, dict[str, Any]]] = []
    placed: list[str | None] = []
    for (index, values), linked in zip(coerced, links, strict=True):
        record_id = new_record_id()
        system = _new_system_values(record_id, initial[index], actor, now, linked)
        if failed := apply_defaults(module, values, system, actor, child_links):
            problems.extend((index, p) for p in failed)
            continue
        try:
            prepared.append((record_id, prepare_values(module, values, system, actor)))
            placed.append(initial[index])
        except ValidationFailed as exc:
            problems.extend((index, p) for p in exc.problems)
    return prepared, placed


def create_records(
    session: Session,
    module_id: ModuleRef,
    items: Sequence[Any],
    actor: Actor,
    *,
    now: dt.datetime | None = None,
    states: Sequence[str | None] | None = None,
) -> list[str]:
    """Validate every item, then store them all with a few multi-row statements.

    `states` (system use only: demo seeds) places each record directly in a state.

    All or nothing: if any item is invalid, BatchFailed lists each problem with the item's
    index and nothing is written. Returns the new record ids in order.
    """
    with collection_paused(len(items)):
        return _create_records(session, module_id, items, actor, now, states)


def _create_records(
    session: Session,
    module_id: ModuleRef,
    items: Sequence[Any],
    actor: Actor,
    now: dt.datetime | None,
    states: Sequence[str | None] | None,
) -> list[str]:
    catalog = load_catalog(session)
    module = catalog.module(module_id)
    may = abilities(actor, module)
    may.require_read()
    may.require_create()
    now = now or _now()
    problems: list[tuple[int, Problem]] = []
    if states is not None and not actor.is_system:
        raise PermissionDenied(code="state_set_by_system")
    initial = [
        (states[i] if states is not None and states[i] else module.initial_state)
        for i in range(len(items))
    ]
    coerced = coerce_items(module, items, may.writable, problems)
    problems += closed_at_create(module, items, initial) if states is None else []  # seeds: history
    prepared, placed = _prepare_new(
        session, catalog, module, actor, coerced, initial, now, problems
    )
    if not problems:
        rows = [(actor.name, v) for _, v in prepared]
        problems = write_problems(session, catalog, module, actor, "create", rows)
    if problems:
        raise BatchFailed(problems)
    batch = rollup_batch(session, catalog, module, [i for i, _ in prepared])  # parents once
    with batch, unique_guard(session, catalog, module, actor, [v for _, v in prepared]):
        _insert_new(session, catalog, module, actor, prepared, placed, now)
    record_changes(
        session,
        module,
        actor,
        "create",
        [(record_id, created(module, values)) for record_id, values in prepared],
        to_state=module.initial_state,
        at=now,
    )
    webhooks.record_event(session, module, "created", [i for i, _ in prepared], actor, at=now)
    return [record_id for record_id, _ in prepared]


def _write_update(
    session: Session,
    catalog: Catalog,
    module: Module,
    record_id: str,
    version: int,
    values: Mapping[str, Any],
    changed: Sequence[Mapping[str, Any]],
    now: dt.datetime,
) -> None:
    """Store the new values only if the record is still at `version`; StaleVersion if not."""
    main = catalog.tables[module.id].main
    statement = (
        update(main)
        .where(main.c.id == record_id, main.c.version == version)
        .values(
            version=version + 1,
            updated_at=now,
            module_version=module.version,
            **_stored(module, values),
        )
    )
    result = cast("CursorResult[Any]", session.execute(statement))  # a DML result
    if result.rowcount != 1:
        raise StaleVersion(record_id)
    tables = {f.name for f in module.table_fields}
    if any(c["field"] in tables for c in changed):
        write_children(session, catalog, module, record_id, values, replace=True)


def update_record(
    session: Session,
    module_id: ModuleRef,
    record_id: str,
    version: object,  # checked here: the API hands it over as the JSON body had it
    data: Any,
    actor: Actor,
    *,
    now: dt.datetime | None = None,
) -> Record:
    """Change some fields of a record at `version`; Conflict when someone changed it first."""
    catalog = load_catalog(session)
    module = catalog.module(module_id)
    may = abilities(actor, module)
    may.require_read()
    current = _fetch(session, catalog, module, record_id, may, "update")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValidationFailed([Problem("/version", "not_a_version", {"value": version})])
    if current.version != version:
        raise StaleVersion(record_id, current.version, version)
    changing = data if isinstance(data, Mapping) else {}
    try:
        changes = coerce_input(module, data, may.writable)
    except ValidationFailed as exc:
        may.require_state(current.state, "update", changing)  # a locked record says so first
        raise ValidationFailed([*exc.problems, *further_problems(module, exc)]) from None
    rollups = {f.name for f in module.fields if f.rollup is not None}
    values = {
        k: v for k, v in current.data.items() if module.field(k) is not None and k not in rollups
    }
    before = {k: (list(v) if isinstance(v, list) else v) for k, v in values.items()}
    values.update(changes)
    now = now or _now()
    (linked,) = linked_values(session, catalog, module, [values], lock=True)
    stored = {name: current.data.get(name) for name in rollups}  # validations may read them
    system = {**current.system(), "$updated_at": now, **linked, **stored}
    try:
        values = prepare_values(module, values, system, actor)
    except ValidationFailed:
        may.require_state(current.state, "update", changing)  # a locked record says so first
        raise
    changed = diff(module, before, values)
    if not changed:  # nothing to change, a record in a locked state included
        return get_record(session, module_id, record_id, actor)
    may.require_state(current.state, "update", changing)
    written, olds = [(current.owner, values)], [current.data]
    problems = write_problems(session, catalog, module, actor, "update", written, olds, [record_id])
    if problems:
        raise ValidationFailed([p for _, p in problems])
    previous = [current.data]
    with unique_guard(
        session, catalog, module, actor, [values], previous, [record_id], single=True
    ):
        _write_update(session, catalog, module, record_id, version, values, changed, now)
    record_change(session, module, record_id, actor, "update", changes=changed, at=now)
    webhooks.record_event(session, module, "updated", [record_id], actor, at=now, changes=changed)
    return get_record(session, module_id, record_id, actor)


def delete_record(
    session: Session, module_id: ModuleRef, record_id: str, actor: Actor, version: int | None = None
) -> None:
    """Delete a record and its child rows; its history stays."""
    catalog = load_catalog(session)
    module = catalog.module(module_id)
    may = abilities(actor, module)
    may.require_read()
    current = _fetch(session, catalog, module, record_id, may, "delete")
    if version is not None and current.version != version:
        raise StaleVersion(record_id, current.version, version)
    may.require_state(current.state, "delete")
    main = catalog.tables[module.id].main
    for table in catalog.tables[module.id].children.values():
        session.execute(delete(table).where(table.c.parent_id == record_id))
    statement = delete(main).where(main.c.id == record_id, main.c.version == current.version)
    result = cast("CursorResult[Any]", session.execute(statement))  # a DML result
    if result.rowcount != 1:
        raise StaleVersion(record_id)
    from engine.workflow.tasks import close_tasks

    close_tasks(session, module, record_id, _now(), kinds=("vote", "transition", "copied"))
    record_change(
        session,
        module,
        record_id,
        actor,
        "delete",
        changes=[
            {"field": k, "old": history_value(v), "new": None}
            for k, v in current.data.items()
            if v not in (None, [])
        ],
        from_state=current.state,
    )
    webhooks.record_event(session, module, "deleted", [current], actor)
