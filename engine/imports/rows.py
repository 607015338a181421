"""Each row of the sheet as the record data a person would have typed, or its problems.

Links and users are resolved per column first (a statement per 500 distinct values), then
every cell is converted by its column's reader, built once per column from its field's kind
(engine/imports/values.py), so a row costs a call per cell and no look-up of its field. A child table's mapped columns
make one child row per sheet row; engine/imports/children.py gathers the rows of a record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.catalog import Catalog
from engine.definitions.model import Module
from engine.errors import Problem
from engine.imports.lookups import Found, find_links, find_users
from engine.imports.mapping import NUMBER, target_field
from engine.imports.problems import RowProblem
from engine.imports.sources import Table
from engine.imports.values import SEPARATORS, CellRefused, cell_text, converter


@dataclass
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


def _lookups(
    session: Session,
    catalog: Catalog,
    module: Module,
    table: Table,
    columns: Mapping[str, str],
    actor: Actor,
) -> dict[str, Found]:
    """Header → what each distinct text of a link or user column resolves to."""
    index = {h: i for i, h in enumerate(table.headers)}
    found: dict[str, Found] = {}
    for header, target in columns.items():
        resolved = target_field(module, target) if target != NUMBER else None
        if resolved is None:
            continue
        leaf = resolved[1] or resolved[0]
        kind = leaf.kind_type
        if not (kind.links or kind.names_user):
            continue
        texts: set[str] = set()
        for _, cells in table.rows:
            text = cell_text(cells[index[header]]) if index[header] < len(cells) else ""
            texts.update(_parts(text) if kind.many else [text])
        if kind.links:
            found[header] = find_links(session, catalog, leaf, texts, actor)
        else:
            found[header] = find_users(session, texts)
    return found


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
    found = _lookups(session, catalog, module, table, columns, actor)
    index = {h: i for i, h in enumerate(table.headers)}
    readers = [
        (index[header], header, *_reader(module, target, found.get(header)))
        for header, target in columns.items()
    ]
    rows = []
    for number, cells in table.rows:
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
        rows.append(row)
    return rows
