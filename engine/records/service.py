"""Create, read, update and delete records — the calls the pages and the API both make.

Each function takes a session whose transaction the caller (or `engine.db.transaction`)
owns, checks access through engine.permissions, and writes the history row in the same
transaction: a write either happens whole, with its history, or not at all.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from engine import permissions
from engine.actor import Actor
from engine.audit import diff, history_value, record_change
from engine.catalog import Catalog, load_catalog
from engine.definitions.model import Module
from engine.errors import Conflict, NotFound, Problem, ValidationFailed
from engine.models import User
from engine.records.coercion import coerce_input
from engine.records.compute import prepare_values
from engine.records.model import Record
from engine.records.numbering import next_number
from engine.records.reading import children_of, mask, record_select, row_to_record


def new_record_id() -> str:
    """A 32-character id that sorts by creation time (48-bit milliseconds + 80 random bits)."""
    return f"{int(time.time() * 1000):012x}{os.urandom(10).hex()}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _check_references(
    session: Session, catalog: Catalog, module: Module, values: Mapping[str, Any]
) -> None:
    """Links must point at existing records, user fields at active users."""
    problems: list[Problem] = []
    for field in module.stored_fields:
        value = values.get(field.name)
        if value is None:
            continue
        if field.kind == "link" and field.ref in catalog.modules:
            target = catalog.tables[field.ref].main
            if session.execute(select(target.c.id).where(target.c.id == value)).first() is None:
                problems.append(
                    Problem(f"/{field.name}", f"no {field.ref} record with id {value!r}")
                )
        elif field.kind == "user":
            found = session.execute(
                select(User.id).where(User.name == value, User.active.is_(True))
            ).first()
            if found is None:
                problems.append(Problem(f"/{field.name}", f"no active user named {value!r}"))
    if problems:
        raise ValidationFailed(problems)


def _write_children(
    session: Session,
    catalog: Catalog,
    module: Module,
    record_id: str,
    values: Mapping[str, Any],
    replace: bool,
) -> None:
    for field in module.table_fields:
        table = catalog.tables[module.id].children[field.name]
        if replace:
            session.execute(delete(table).where(table.c.parent_id == record_id))
        rows = values.get(field.name) or []
        if rows:
            session.execute(
                insert(table),
                [
                    {
                        "parent_id": record_id,
                        "idx": index,
                        **{c.name: row.get(c.name) for c in field.children if c.stored},
                    }
                    for index, row in enumerate(rows)
                ],
            )


def _stored(module: Module, values: Mapping[str, Any]) -> dict[str, Any]:
    return {f.name: values.get(f.name) for f in module.stored_fields}


def _fetch(
    session: Session,
    catalog: Catalog,
    module: Module,
    record_id: str,
    actor: Actor,
    action: str = "read",
) -> Record:
    main = catalog.tables[module.id].main
    links = [f.name for f in module.stored_fields if f.kind == "link"]
    statement, _ = record_select(catalog, module, titles=links)
    statement = statement.where(
        main.c.id == record_id, permissions.row_predicate(actor, module, main, "read")
    )
    row = session.execute(statement).mappings().first()
    if row is None:
        raise NotFound(f"no {module.id} record {record_id!r}")
    if action != "read":
        allowed = session.execute(
            select(main.c.id).where(
                main.c.id == record_id, permissions.row_predicate(actor, module, main, action)
            )
        ).first()
        if allowed is None:
            raise permissions.PermissionDenied(f"you may not {action} this {module.id} record")
    children = children_of(session, catalog, module, [record_id])[record_id]
    return row_to_record(module, row, children)


def get_record(session: Session, module_id: str, record_id: str, actor: Actor) -> Record:
    """One record as `actor` may see it; NotFound when unknown or out of scope."""
    catalog = load_catalog(session)
    module = catalog.module(module_id)
    permissions.require_readable(actor, module)
    record = _fetch(session, catalog, module, record_id, actor)
    return mask(record, permissions.visible_fields(actor, module))


def create_record(
    session: Session,
    module_id: str,
    data: Any,
    actor: Actor,
    *,
    now: dt.datetime | None = None,
) -> Record:
    """Validate, compute and store a new record in the workflow's initial state."""
    catalog = load_catalog(session)
    module = catalog.module(module_id)
    permissions.require_readable(actor, module)
    permissions.require_create(actor, module)
    access = permissions.field_access(actor, module)
    writable = {name for name, level in access.items() if level == "write"}
    values = coerce_input(module, data, writable)
    for field in module.fields:
        if field.name not in values and field.default is not None and not field.computed:
            values[field.name] = coerce_input(module, {field.name: field.default})[field.name]
    now = now or _now()
    record_id = new_record_id()
    system = {
        "$id": record_id,
        "$state": module.initial_state,
        "$owner": actor.name,
        "$number": None,
        "$created_at": now,
        "$updated_at": now,
    }
    values = prepare_values(module, values, system, actor)
    _check_references(session, catalog, module, values)
    number = (
        next_number(session, module.id, module.numbering, now.date()) if module.numbering else None
    )
    main = catalog.tables[module.id].main
    session.execute(
        insert(main).values(
            id=record_id,
            number=number,
            state=module.initial_state,
            owner=actor.name,
            version=1,
            module_version=module.version,
            created_at=now,
            updated_at=now,
            **_stored(module, values),
        )
    )
    _write_children(session, catalog, module, record_id, values, replace=False)
    record_change(
        session,
        module,
        record_id,
        actor,
        "create",
        changes=diff(module, {}, values),
        to_state=module.initial_state,
        at=now,
    )
    return get_record(session, module_id, record_id, actor)


def update_record(
    session: Session,
    module_id: str,
    record_id: str,
    version: int,
    data: Any,
    actor: Actor,
    *,
    now: dt.datetime | None = None,
) -> Record:
    """Change some fields of a record at `version`; Conflict when someone changed it first."""
    catalog = load_catalog(session)
    module = catalog.module(module_id)
    permissions.require_readable(actor, module)
    current = _fetch(session, catalog, module, record_id, actor, "update")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValidationFailed([Problem("/version", "version must be an integer")])
    if current.version != version:
        raise Conflict(
            f"record {record_id} is at version {current.version}, not {version}: reload it"
        )
    if module.workflow and current.state in module.workflow.states:
        if module.workflow.states[current.state].readonly:
            raise Conflict(f"record {record_id} is in the read-only state {current.state!r}")
    access = permissions.field_access(actor, module)
    writable = {name for name, level in access.items() if level == "write"}
    changes = coerce_input(module, data, writable)
    values = {
        k: v for k, v in current.data.items() if module.field(k) and module.field(k).rollup is None
    }  # type: ignore[union-attr]
    before = {k: (list(v) if isinstance(v, list) else v) for k, v in values.items()}
    values.update(changes)
    now = now or _now()
    system = {**current.system(), "$updated_at": now}
    values = prepare_values(module, values, system, actor)
    _check_references(session, catalog, module, values)
    changed = diff(module, before, values)
    if not changed:
        return get_record(session, module_id, record_id, actor)
    main = catalog.tables[module.id].main
    result = session.execute(
        update(main)
        .where(main.c.id == record_id, main.c.version == version)
        .values(
            version=version + 1,
            updated_at=now,
            module_version=module.version,
            **_stored(module, values),
        )
    )
    if result.rowcount != 1:
        raise Conflict(f"record {record_id} was changed by someone else: reload it")
    if any(module.field(c["field"]).kind == "table" for c in changed):  # type: ignore[union-attr]
        _write_children(session, catalog, module, record_id, values, replace=True)
    record_change(session, module, record_id, actor, "update", changes=changed, at=now)
    return get_record(session, module_id, record_id, actor)


def delete_record(
    session: Session, module_id: str, record_id: str, actor: Actor, version: int | None = None
) -> None:
    """Delete a record and its child rows; its history stays."""
    catalog = load_catalog(session)
    module = catalog.module(module_id)
    permissions.require_readable(actor, module)
    current = _fetch(session, catalog, module, record_id, actor, "delete")
    if version is not None and current.version != version:
        raise Conflict(
            f"record {record_id} is at version {current.version}, not {version}: reload it"
        )
    main = catalog.tables[module.id].main
    for table in catalog.tables[module.id].children.values():
        session.execute(delete(table).where(table.c.parent_id == record_id))
    result = session.execute(
        delete(main).where(main.c.id == record_id, main.c.version == current.version)
    )
    if result.rowcount != 1:
        raise Conflict(f"record {record_id} was changed by someone else: reload it")
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
