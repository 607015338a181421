"""What a written record may point at: checks every write path runs before it writes.

Create, batch create, update and import all pass through `write_problems`, so a rule holds
on each of them or on none:

- links must name a record the writer may read (an unreadable one is reported exactly like
  a missing one, so its existence is not revealed), user fields an active user;
- the row as written must lie inside the writer's row scope (`permissions.scope_refusal`):
  a site manager granted project A cannot file a record under project B;
- an attachment value must be a file this writer uploaded for this module and field, with
  the name, type and size it was registered with.
- a unique field or combination must not repeat another record's values
  (engine/records/uniqueness.py), and a new record's number must find the values it prints
  (engine/records/numbering.py).

A value unchanged from the stored record (`before`) is not checked again: editing the
hours of a record must not fail on a link its writer cannot see.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import permissions
from engine.actor import Actor
from engine.attachments import parse_reference
from engine.catalog import Catalog
from engine.definitions.model import Field, Module
from engine.errors import Problem
from engine.models import Upload, User
from engine.records.numbering import numbering_problems
from engine.records.row_links import row_problems
from engine.records.row_rules import row_rule_problems
from engine.records.uniqueness import unique_problems
from engine.schedule.checks import cycle_problems

Located = tuple[int, Problem]


def write_problems(
    session: Session,
    catalog: Catalog,
    module: Module,
    actor: Actor,
    action: str,
    rows: Sequence[tuple[str | None, Mapping[str, Any]]],
    before: Sequence[Mapping[str, Any]] | None = None,
    ids: Sequence[str | None] | None = None,
) -> list[Located]:
    """Every reference, scope, attachment and schedule problem of `rows` ((owner, values)
    each; `ids` the records' ids, which a schedule's links between records name)."""
    batch = [values for _, values in rows]
    olds = list(before) if before is not None else [{} for _ in rows]
    problems = reference_problems(session, catalog, module, actor, batch, olds)
    problems += scope_problems(session, module, actor, action, rows)
    problems += file_problems(session, module, actor, batch, olds)
    problems += cycle_problems(session, catalog, module, batch, olds, ids)
    problems += unique_problems(session, catalog, module, actor, batch, olds, ids)
    problems += row_rule_problems(session, catalog, module, batch)
    problems += row_problems(session, catalog, module, actor, batch, olds, ids)
    if action == "create":
        problems += numbering_problems(session, catalog, module, batch)
    return problems


def reference_problems(
    session: Session,
    catalog: Catalog,
    module: Module,
    actor: Actor,
    batch: Sequence[Mapping[str, Any]],
    before: Sequence[Mapping[str, Any]],
) -> list[Located]:
    """Links to readable records and user fields to active users: one query per field."""
    problems: list[Located] = []
    for field in module.stored_fields:
        if not field.kind_type.picked:
            continue
        if field.kind_type.many:  # a multi-user field: each name it lists, at its place
            problems += _unknown_users(session, field, batch)
            continue
        wanted = {v.get(field.name) for v in batch} - {None}
        if not wanted or (field.kind_type.links and field.ref not in catalog.modules):
            continue
        if field.kind_type.links:
            found = _readable_links(session, catalog, field, actor, wanted)
            code = "no_linked_record"
        else:
            active = select(User.name).where(User.name.in_(wanted), User.active.is_(True))
            found = set(session.scalars(active))
            code = "no_active_user"
        for index, values in enumerate(batch):
            value = values.get(field.name)
            if value is None or value in found:
                continue
            kept = field.kind_type.links and value == before[index].get(field.name)
            if kept and _exists(session, catalog, field, value):
                continue  # kept as it was, though the writer cannot read it
            params = {"module": field.ref, "value": value}
            problems.append((index, Problem(f"/{field.name}", code, params)))
    return problems


def _unknown_users(
    session: Session, field: Field, batch: Sequence[Mapping[str, Any]]
) -> list[Located]:
    """`/consulted/1` for each name of a multi-user field that is no active user."""
    wanted = {name for values in batch for name in values.get(field.name) or ()}
    if not wanted:
        return []
    active = select(User.name).where(User.name.in_(wanted), User.active.is_(True))
    found = set(session.scalars(active))
    return [
        (index, Problem(f"/{field.name}/{at}", "no_active_user", {"value": name}))
        for index, values in enumerate(batch)
        for at, name in enumerate(values.get(field.name) or ())
        if name not in found
    ]


def _readable_links(
    session: Session, catalog: Catalog, field: Field, actor: Actor, wanted: set[Any]
) -> set[Any]:
    assert field.ref is not None
    target = catalog.modules[field.ref]
    if not permissions.may_read_module(actor, target):
        return set()
    table = catalog.tables[target.id].main
    readable = permissions.row_predicate(actor, target, table, "read")
    return set(session.scalars(select(table.c.id).where(table.c.id.in_(wanted), readable)))


def _exists(session: Session, catalog: Catalog, field: Field, value: Any) -> bool:
    assert field.ref is not None
    table = catalog.tables[field.ref].main
    return session.execute(select(table.c.id).where(table.c.id == value)).first() is not None


def scope_problems(
    session: Session,
    module: Module,
    actor: Actor,
    action: str,
    rows: Sequence[tuple[str | None, Mapping[str, Any]]],
) -> list[Located]:
    """Rows the writer's roles could not write where they would land (their scope)."""
    if actor.is_admin or not rows:
        return []
    grants = permissions.granted_records(session, actor)
    problems: list[Located] = []
    for index, (owner, values) in enumerate(rows):
        blocked = permissions.scope_refusal(actor, module, action, owner, values, grants)
        if blocked is None:
            continue
        if blocked:
            field = module.field(blocked)
            ref = field.ref if field is not None and field.ref else blocked
            params = {"module": ref, "action": action}
            problems.append((index, Problem(f"/{blocked}", "not_granted", params)))
        else:
            params = {"action": action, "module": module.id}
            problems.append((index, Problem("", "record_not_allowed", params)))
    return problems


def file_problems(
    session: Session,
    module: Module,
    actor: Actor,
    batch: Sequence[Mapping[str, Any]],
    before: Sequence[Mapping[str, Any]],
) -> list[Located]:
    """Attachment values that are not this writer's upload for this module and field."""
    if actor.is_system:
        return []  # seeds of a pack: written by the system, no one's upload
    claims = [
        (index, path, key, value)
        for index, values in enumerate(batch)
        for path, key, value in _file_values(module, values, before[index])
    ]
    references = {c: parse_reference(c[3]) for c in claims}
    ids = {r.file for r in references.values() if r is not None}
    uploads = (
        {
            u.id: u
            for u in session.scalars(
                select(Upload).where(Upload.id.in_(ids), Upload.user_id == (actor.user_id or -1))
            )
        }
        if ids
        else {}
    )
    problems: list[Located] = []
    for claim, reference in references.items():
        index, path, key, _value = claim
        upload = uploads.get(reference.file) if reference is not None else None
        if reference is None or upload is None or upload.module != module.id or upload.field != key:
            code = "not_uploaded"
        elif (upload.name, upload.type, upload.size) != (
            reference.name,
            reference.type,
            reference.size,
        ):
            code = "upload_changed"
        else:
            continue
        problems.append((index, Problem(path, code)))
    return problems


def _file_values(
    module: Module, values: Mapping[str, Any], before: Mapping[str, Any]
) -> Iterator[tuple[str, str, Any]]:
    """(path, field key, value) of every new attachment value of one record."""
    for field in module.fields:
        if field.kind_type.holds_files:
            value = values.get(field.name)
            if value is not None and value != before.get(field.name):
                yield f"/{field.name}", field.name, value
        elif field.kind_type.rows:
            columns = [c for c in field.children if c.kind_type.holds_files]
            kept = {
                (c.name, row.get(c.name)) for row in before.get(field.name) or [] for c in columns
            }
            for i, row in enumerate(values.get(field.name) or []):
                for c in columns:
                    value = row.get(c.name)
                    if value is not None and (c.name, value) not in kept:
                        yield f"/{field.name}/{i}/{c.name}", f"{field.name}.{c.name}", value
