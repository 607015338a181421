"""Links to one child row of another record, on every write and read (engine/definitions/row_links.py).

Writes: a keyed table's rows each carry a key, no two the same within the record; a row-link
field names a row that exists in the record its link field names (checked only where the
writer may read that record: the link's own check refuses the others, without revealing
them); and a row that some record points at may not lose its key (removed or re-keyed), the
pointing records named. Reads: a row-link field shows as `INS-0003 · 3 · <row title>` to a
reader who may read the record (the row's title only if they see the table too), and reads
as the row itself inside expressions (`finding.severity`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from engine import permissions
from engine.actor import Actor
from engine.catalog import Catalog
from engine.definitions.model import Field, Module
from engine.definitions.row_links import row_key, row_link, row_title
from engine.errors import Problem, ValidationFailed
from engine.records.model import Record

Located = tuple[int, Problem]
Pair = tuple[str, Any]  # (record id, row key)


def row_fields(module: Module) -> Iterator[tuple[Field, str, str]]:
    """Each row-link field of `module` with its link field and table."""
    for field in module.stored_fields:
        via = row_link(field)
        if via is not None:
            yield field, via.link, via.table


def _target(catalog: Catalog, module: Module, link: str) -> Module | None:
    field = module.field(link)
    return catalog.modules.get(field.ref or "") if field is not None else None


def _pairs(field: Field, link: str, batch: Sequence[Mapping[str, Any]]) -> list[Pair | None]:
    return [
        (v[link], v[field.name]) if v.get(link) and v.get(field.name) is not None else None
        for v in batch
    ]


def _rows(
    session: Session,
    catalog: Catalog,
    target: Module,
    table_name: str,
    pairs: set[Pair],
    reader: Actor | None = None,
) -> dict[Pair, dict[str, Any]]:
    """The rows named by `pairs` with their record's number (`$number`), one statement;
    `reader`: only rows of records the reader may read."""
    table_field = target.field(table_name)
    key = row_key(table_field) if table_field is not None else None
    if not pairs or table_field is None or key is None:
        return {}
    rows = catalog.tables[target.id].children[table_name]
    main = catalog.tables[target.id].main
    wanted = or_(*(and_(rows.c.parent_id == r, rows.c[key] == k) for r, k in pairs))
    statement = select(rows, main.c.number).join(main, main.c.id == rows.c.parent_id)
    statement = statement.where(wanted)
    if reader is not None:
        if not permissions.may_read_module(reader, target):
            return {}
        statement = statement.where(permissions.row_predicate(reader, target, main, "read"))
    found: dict[Pair, dict[str, Any]] = {}
    for row in session.execute(statement).mappings():
        values = {c.name: row[c.name] for c in table_field.children if c.stored}
        found[(row["parent_id"], row[key])] = {**values, "$number": row["number"]}
    return found


def linked_rows(
    session: Session,
    catalog: Catalog,
    module: Module,
    field: Field,
    batch: Sequence[Mapping[str, Any]],
) -> list[dict[str, Any] | None]:
    """For each record of `batch`, the row its row-link `field` names (or None)."""
    via = row_link(field)
    target = _target(catalog, module, via.link) if via is not None else None
    if via is None or target is None:
        return [None for _ in batch]
    pairs = _pairs(field, via.link, batch)
    found = _rows(session, catalog, target, via.table, {p for p in pairs if p is not None})
    return [found.get(p) if p is not None else None for p in pairs]


def row_problems(
    session: Session,
    catalog: Catalog,
    module: Module,
    actor: Actor,
    batch: Sequence[Mapping[str, Any]],
    before: Sequence[Mapping[str, Any]],
    ids: Sequence[str | None] | None = None,
) -> list[Located]:
    """Keys of this record's rows, the rows it points at, and rows others point at (`ids`:
    the records' ids, for an update)."""
    problems = _key_problems(module, batch)
    problems += _pointer_problems(session, catalog, module, actor, batch, before)
    if ids is not None:
        problems += _named_row_problems(session, catalog, module, batch, before, ids)
    return problems


def _key_problems(module: Module, batch: Sequence[Mapping[str, Any]]) -> list[Located]:
    problems: list[Located] = []
    for table in module.table_fields:
        key = row_key(table)
        if key is None:
            continue
        for index, values in enumerate(batch):
            seen: set[Any] = set()
            for at, row in enumerate(values.get(table.name) or ()):
                value, path = row.get(key), f"/{table.name}/{at}/{key}"
                if value is None or value == "":
                    problems.append((index, Problem(path, "required", {"field": key})))
                elif value in seen:
                    params = {"value": value, "table": table.name, "key": key}
                    problems.append((index, Problem(path, "row_key_twice", params)))
                seen.add(value)
    return problems


def _pointer_problems(
    session: Session,
    catalog: Catalog,
    module: Module,
    actor: Actor,
    batch: Sequence[Mapping[str, Any]],
    before: Sequence[Mapping[str, Any]],
) -> list[Located]:
    problems: list[Located] = []
    for field, link, table in row_fields(module):
        target = _target(catalog, module, link)
        if target is None:
            continue
        pairs = _pairs(field, link, batch)
        olds = _pairs(field, link, before)
        checked = {p for p, old in zip(pairs, olds, strict=True) if p is not None and p != old}
        found = _rows(session, catalog, target, table, checked, actor)
        numbers = _numbers(session, catalog, target, {r for r, _ in checked}, actor)
        for index, values in enumerate(batch):
            pair = pairs[index]
            if values.get(field.name) is not None and not values.get(link):
                params = {"field": field.name, "table": table, "link": link}
                problems.append((index, Problem(f"/{field.name}", "row_needs_record", params)))
            elif pair in checked and pair not in found and pair[0] in numbers:
                params = {"record": numbers[pair[0]], "value": pair[1], "table": table}
                problems.append((index, Problem(f"/{field.name}", "no_linked_row", params)))
    return problems


def _numbers(
    session: Session, catalog: Catalog, target: Module, ids: set[str], reader: Actor
) -> dict[str, str]:
    """Numbers of the records among `ids` the reader may read (the others the link refuses)."""
    if not ids or not permissions.may_read_module(reader, target):
        return {}
    main = catalog.tables[target.id].main
    readable = permissions.row_predicate(reader, target, main, "read")
    statement = select(main.c.id, main.c.number).where(main.c.id.in_(ids), readable)
    return {row.id: row.number or row.id for row in session.execute(statement)}


def _pointing(catalog: Catalog, module: Module, table: str) -> Iterator[tuple[Module, Field, str]]:
    """Each (module, row-link field, its link) that points at rows of `module`'s `table`."""
    for other in catalog.modules.values():
        for field, link, named in row_fields(other):
            target = _target(catalog, other, link)
            if named == table and target is not None and target.id == module.id:
                yield other, field, link


def _named_row_problems(
    session: Session,
    catalog: Catalog,
    module: Module,
    batch: Sequence[Mapping[str, Any]],
    before: Sequence[Mapping[str, Any]],
    ids: Sequence[str | None],
) -> list[Located]:
    """A keyed row that loses its key while a record points at it (an update)."""
    problems: list[Located] = []
    for table in module.table_fields:
        key = row_key(table)
        if key is None:
            continue
        for index, (values, old, record_id) in enumerate(zip(batch, before, ids, strict=True)):
            kept = {r.get(key) for r in values.get(table.name) or ()}
            lost = {r.get(key) for r in old.get(table.name) or ()} - kept - {None}
            if not lost or not record_id:
                continue
            names = naming_records(session, catalog, module, table.name, record_id, lost)
            if names:
                params = {"keys": _listed(lost), "table": table.name, "records": _listed(names)}
                problems.append((index, Problem(f"/{table.name}", "row_still_named", params)))
    return problems


def naming_records(
    session: Session, catalog: Catalog, module: Module, table: str, record_id: str, keys: set[Any]
) -> list[str]:
    """Numbers of the records that point at rows `keys` of `table` of one record."""
    names: list[str] = []
    for other, field, link in _pointing(catalog, module, table):
        main = catalog.tables[other.id].main
        statement = select(main.c.number, main.c.id).where(
            main.c[link] == record_id, main.c[field.name].in_(keys)
        )
        names += [
            row.number or row.id for row in session.execute(statement.order_by(main.c.number))
        ]
    return names


def named_rows_refusal(
    session: Session, catalog: Catalog, module: Module, record: Record
) -> list[Problem]:
    """Deleting a record whose keyed rows other records point at: refused, naming them."""
    problems = []
    for table in module.table_fields:
        key = row_key(table)
        keys = {r.get(key) for r in record.data.get(table.name) or ()} - {None} if key else set()
        names = (
            naming_records(session, catalog, module, table.name, record.id, keys) if keys else []
        )
        if names:
            params = {"keys": _listed(keys), "table": table.name, "records": _listed(names)}
            problems.append(Problem(f"/{table.name}", "row_still_named", params))
    return problems


def _listed(values: Any) -> str:
    return ", ".join(sorted(str(v) for v in values))


def add_row_titles(
    session: Session, catalog: Catalog, module: Module, reader: Actor, records: Sequence[Record]
) -> None:
    """`INS-0003 · 3 · <title>` in `titles` for each row-link field the reader may read."""
    for field, link, table in row_fields(module):
        target = _target(catalog, module, link)
        table_field = target.field(table) if target is not None else None
        if target is None or table_field is None:
            continue
        pairs = _pairs(field, link, [r.data for r in records])
        found = _rows(session, catalog, target, table, {p for p in pairs if p}, reader)
        title = row_title(table_field)
        shows_rows = table in permissions.visible_fields(reader, target)
        for record, pair in zip(records, pairs, strict=True):
            row = found.get(pair) if pair is not None else None
            if row is None or pair is None:
                continue
            parts = [row["$number"], str(pair[1])]
            if shows_rows and title and row.get(title) not in (None, ""):
                parts.append(str(row[title]))
            record.titles[field.name] = " · ".join(str(p) for p in parts)


def fetched(
    session: Session, catalog: Catalog, module: Module, record: Record, may: Any, action: str
) -> Record:
    """A record fetched by the service for `action`: with its row titles; a delete of a
    record whose rows others point at is refused, naming them."""
    if action == "delete" and (problems := named_rows_refusal(session, catalog, module, record)):
        raise ValidationFailed(problems)
    add_row_titles(session, catalog, module, may.actor, [record])
    return record


def row_choices(
    session: Session, catalog: Catalog, module: Module, field: Field, record_id: Any, reader: Actor
) -> list[tuple[str, str]]:
    """The rows a row-link field may name once its record is chosen: (key, `key · title`),
    in the rows' order; none when the reader may not read that record or its table."""
    via = row_link(field)
    target = _target(catalog, module, via.link) if via is not None and record_id else None
    table = target.field(via.table) if target is not None and via is not None else None
    key = row_key(table) if table is not None else None
    if target is None or table is None or key is None:
        return []
    if table.name not in permissions.visible_fields(reader, target):
        return []
    if not permissions.may_read_module(reader, target):
        return []
    rows = catalog.tables[target.id].children[table.name]
    main = catalog.tables[target.id].main
    statement = select(rows).join(main, main.c.id == rows.c.parent_id)
    statement = statement.where(
        rows.c.parent_id == str(record_id), permissions.row_predicate(reader, target, main, "read")
    )
    title = row_title(table)
    choices = []
    for row in session.execute(statement.order_by(rows.c.idx)).mappings():
        shown = [str(row[key])] + ([str(row[title])] if title and row[title] else [])
        choices.append((str(row[key]), " · ".join(shown)))
    return choices
