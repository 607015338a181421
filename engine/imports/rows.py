"""Each row of the sheet as the record data a person would have typed, or its problems.

Links and users are resolved per column first (a statement per 500 distinct values), then
every cell is converted by its column's reader, built once per column from its field's kind
(engine/imports/values.py), so a row costs a call per cell and no look-up of its field. A child table's mapped columns
make one child row per sheet row; engine/imports/children.py gathers the rows of a record.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.catalog import Catalog
from engine.definitions.model import Field, Module
from engine.errors import Problem
from engine.imports.lookups import Found, find_links, find_users
from engine.imports.mapping import NUMBER, target_field
from engine.imports.problems import RowProblem
from engine.imports.sources import Table
from engine.imports.values import SEPARATORS, CellRefused, cell_text, converter


@dataclass(slots=True)  # one a record: 100k of them stay small
class Row:
    """One record of the sheet: its first row's number and cells, the data for the engine,
    its key and problems; `lines` are its further rows of the same sheet, `sources` the
    (sheet, row) each child row came from, per child table, and `sheet_lines` its rows of
    other sheets (sheet → that sheet's headers and the rows), for the rejected-rows file."""

    number: int
    cells: list[Any]
    data: dict[str, Any] = field(default_factory=dict)
    key: Any = None
    problems: list[RowProblem] = field(default_factory=list)
    lines: list[tuple[int, list[Any]]] = field(default_factory=list)
    sources: dict[str, list[tuple[str | None, int]]] = field(default_factory=dict)
    sheet_lines: dict[str, tuple[list[str], list[tuple[int, list[Any]]]]] = field(
        default_factory=dict
    )


BATCH = 500  # rows converted together: their links and users looked up in one statement each


def _lookup_columns(module: Module, columns: Mapping[str, str]) -> dict[str, Field]:
    """Header → the field of each link or user column."""
    found = {}
    for header, target in columns.items():
        resolved = target_field(module, target) if target != NUMBER else None
        leaf = (resolved[1] or resolved[0]) if resolved is not None else None
        if leaf is not None and (leaf.kind_type.links or leaf.kind_type.names_user):
            found[header] = leaf
    return found


def _lookups(
    session: Session,
    catalog: Catalog,
    index: Mapping[str, int],
    rows: list[tuple[int, list[Any]]],
    fields: Mapping[str, Field],
    found: dict[str, Found],
    actor: Actor,
) -> None:
    """Add to `found` (header → text → value or problem) what each text of a link or user
    column of `rows` not looked up yet resolves to: a statement per column at most."""
    for header, leaf in fields.items():
        kind, at, known = leaf.kind_type, index[header], found[header]
        texts: set[str] = set()
        for _, cells in rows:
            text = cell_text(cells[at]) if at < len(cells) else ""
            texts.update(_parts(text) if kind.many else [text])
        texts.difference_update(known)
        if not texts:
            continue
        if kind.links:
            known.update(find_links(session, catalog, leaf, texts, actor))
        else:
            known.update(find_users(session, texts))


def _parts(text: str) -> list[str]:
    return [p.strip() for p in SEPARATORS.split(text) if p.strip()]


def _resolved(found: Found, text: str, many: bool) -> Any:
    values = []
    for part in _parts(text) if many else [text]:
        answer = found.get(part)
        if isinstance(answer, Problem):
            raise CellRefused(answer.code, **answer.params)
        values.append(answer)
    return values if many else values[0]


Read = Callable[[Any], Any]  # a cell → the field's value (CellRefused when it cannot be)


def _reader(module: Module, target: str, found: Found | None) -> tuple[str, str | None, Read]:
    """The field and child column a target fills, and its cell reader, built once a column."""
    if target == NUMBER:
        return NUMBER, None, lambda raw: cell_text(raw) or None
    resolved = target_field(module, target)
    assert resolved is not None  # the mapping kept only targets that are fields
    parent, column = resolved
    leaf = column or parent
    name = column.name if column is not None else None
    if found is None:
        return parent.name, name, converter(leaf)
    many = leaf.kind_type.many
    return (
        parent.name,
        name,
        lambda raw: _resolved(found, text, many) if (text := cell_text(raw)) else None,
    )


def build_rows(
    session: Session,
    catalog: Catalog,
    module: Module,
    table: Table,
    columns: Mapping[str, str],
    actor: Actor,
) -> list[Row]:
    """Every non-blank row of the table converted through the column map."""
    rows = convert_rows(session, catalog, module, table.headers, table.rows, columns, actor)
    return list(rows)


def convert_rows(
    session: Session,
    catalog: Catalog,
    module: Module,
    headers: list[str],
    rows: Iterable[tuple[int, list[Any]]],
    columns: Mapping[str, str],
    actor: Actor,
) -> Iterator[Row]:
    """The rows converted through the column map as they are asked for, BATCH at a time (a
    stream from `stream_table` is read no further ahead than that)."""
    index = {h: i for i, h in enumerate(headers)}
    fields = _lookup_columns(module, columns)
    found: dict[str, Found] = {header: {} for header in fields}
    readers = [
        (index[header], header, *_reader(module, target, found.get(header)))
        for header, target in columns.items()
    ]
    stream = iter(rows)
    while batch := list(itertools.islice(stream, BATCH)):
        _lookups(session, catalog, index, batch, fields, found, actor)
        for number, cells in batch:
            yield _converted(number, cells, readers)


def _converted(number: int, cells: list[Any], readers: list[Any]) -> Row:
    row = Row(number, cells)
    data = row.data
    width = len(cells)
    for position, header, name, column, read in readers:
        try:
            value = read(cells[position] if position < width else None)
        except CellRefused as refused:
            problem = Problem("", refused.code, refused.params)
            row.problems.append(RowProblem(number, header, problem))
            continue
        if column is not None:
            children = data.setdefault(name, [{}])
            if value is not None:
                children[0][column] = value
        elif name == NUMBER:
            data.setdefault(NUMBER, value)
        else:
            data[name] = value
    return row
