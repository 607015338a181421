"""Each row of the sheet as the record data a person would have typed, or its problems.

Links and users are resolved per column first (one statement each), then every cell is
converted by its field's kind (engine/imports/values.py). A child table's mapped columns
make one child row per sheet row; engine/imports/children.py gathers the rows of a record.
"""

from __future__ import annotations

from collections.abc import Mapping
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
from engine.imports.values import SEPARATORS, CellRefused, cell_text, convert


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
    rows = []
    for number, cells in table.rows:
        row = Row(number, cells)
        for header, target in columns.items():
            raw = cells[index[header]] if index[header] < len(cells) else None
            try:
                _put(module, row, header, target, raw, found.get(header))
            except CellRefused as refused:
                problem = Problem("", refused.code, refused.params)
                row.problems.append(RowProblem(number, header, problem))
        rows.append(row)
    return rows


def _put(module: Module, row: Row, header: str, target: str, raw: Any, found: Found | None) -> None:
    if target == NUMBER:
        row.data.setdefault(NUMBER, cell_text(raw) or None)
        return
    resolved = target_field(module, target)
    assert resolved is not None  # the mapping kept only targets that are fields
    parent, column = resolved
    leaf = column or parent
    text = cell_text(raw)
    if found is not None:
        value = _resolved(found, text, leaf.kind_type.many) if text else None
    else:
        value = convert(leaf, raw)
    if column is None:
        row.data[parent.name] = value
        return
    children = row.data.setdefault(parent.name, [{}])
    if value is not None:
        children[0][column.name] = value
