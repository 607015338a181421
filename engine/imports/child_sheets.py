"""Child rows on a sheet of their own (XLSX), joined to the main sheet's records as they come.

A sheet named like a child table (its id, or its title in either language) holds that
table's rows, joined to the main sheet's records by the group column, present in both sheets
under the same header or field name. The child sheets are read first into an index from the
join value to its rows (memory grows with the child sheets only); each record of the main
sheet takes its rows from it as it is gathered, so the main sheet streams. The rows left in
the index when the main sheet ends belong to no record: each is a problem at its sheet and
row, and comes back in the rejected-rows file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from engine.abilities import abilities
from engine.actor import Actor
from engine.catalog import Catalog
from engine.definitions.model import Module
from engine.errors import Problem
from engine.imports.children import _append
from engine.imports.mapping import (
    NUMBER,
    NUMBER_NAMES,
    _titles,
    column_refusal,
    normal,
    sheet_override,
)
from engine.imports.problems import RowProblem
from engine.imports.result import ImportResult
from engine.imports.rows import Row, convert_rows
from engine.imports.sources import Limits, sheet_names, stream_table
from engine.imports.values import cell_text

# one child row, kept small: its row number, cells, child data and problems
Line = tuple[int, list[Any], list[Any], list[RowProblem]]


def _sheet_table(module: Module, title: str) -> str | None:
    """The child table a sheet of this title holds, if any."""
    for t in module.table_fields:
        if normal(title) in {normal(n) for n in (t.name, *_titles(t.title))}:
            return t.name
    return None


def _child_columns(
    module: Module, table_name: str, headers: list[str], join: tuple[str, str]
) -> dict[str, str]:
    """Header → target of a child sheet: the table's columns, and the join column; a computed
    column (a line's amount) is recognised and left out, as on the main sheet."""
    field = module.field(table_name)
    assert field is not None
    names: dict[str, str] = {}
    for column in field.children:
        if column.computed:
            continue
        target = f"{table_name}.{column.name}"
        for name in (target, column.name, *_titles(column.title)):
            names.setdefault(normal(name), target)
    join_header, join_target = join
    joins = {normal(join_header), normal(join_target)}
    if join_target == NUMBER:
        joins |= {normal(n) for n in NUMBER_NAMES}
    elif (parent := module.field(join_target)) is not None:
        joins |= {normal(n) for n in _titles(parent.title)}
    found: dict[str, str] = {}
    for header in headers:
        if normal(header) in joins:
            found[header] = join_target
        elif normal(header) in names:
            found[header] = names[normal(header)]
    return found


def _overridden(
    module: Module,
    table_name: str,
    found: dict[str, str],
    chosen: Mapping[str, str],
    join_target: str,
    actor: Actor,
) -> tuple[dict[str, str], list[tuple[str, Problem]]]:
    """The sheet's columns with the caller's choices applied: "" leaves a column out, a
    target must be one of the table's columns or the join; refusals by header."""
    columns = dict(found)
    refused: list[tuple[str, Problem]] = []
    may = abilities(actor, module)
    for header, target in chosen.items():
        if not target:
            columns.pop(header, None)
        elif target == join_target:
            columns[header] = target
        elif not target.startswith(f"{table_name}."):
            refused.append(
                (header, Problem("", "import_unknown_field", {"name": header, "field": target}))
            )
        elif (problem := column_refusal(header, target, module, may)) is not None:
            refused.append((header, problem))
        else:
            columns[header] = target
    return columns, refused


class _Sheet:
    """One child sheet read whole into join value → its lines, in the sheet's order."""

    def __init__(self, title: str, name: str, headers: list[str], header: str):
        self.title, self.name, self.headers, self.header = title, name, headers, header
        self.lines: dict[str, list[Line]] = {}


class ChildSheets:
    """The workbook's child sheets: `attach` gives a record its rows, `finish` reports the
    rows no record took."""

    def __init__(
        self,
        session: Session,
        catalog: Catalog,
        module: Module,
        path: Any,
        main: str | None,
        join: tuple[str, str] | None,
        actor: Actor,
        limits: Limits,
        result: ImportResult,
        mapping: Mapping[str, str] | None = None,
    ):
        self.join, self.result, self.mapping = join, result, mapping
        self.sheets: list[_Sheet] = []
        for title in sheet_names(path):
            name = _sheet_table(module, title)
            if title == main or name is None:
                continue
            self._read(session, catalog, module, path, title, name, actor, limits)

    def _read(
        self,
        session: Session,
        catalog: Catalog,
        module: Module,
        path: Any,
        title: str,
        name: str,
        actor: Actor,
        limits: Limits,
    ) -> None:
        if self.join is None:
            problem = Problem("", "import_child_sheet_unjoined", {"value": title})
            self.result.note([RowProblem(None, None, problem, title)])
            return
        join_header, join_target = self.join
        table, rows = stream_table(path, sheet=title, limits=limits)
        found = _child_columns(module, name, table.headers, self.join)
        chosen = {
            h: t for h, t in sheet_override(self.mapping, title).items() if h in table.headers
        }
        columns, refused = _overridden(module, name, found, chosen, join_target, actor)
        self.result.note(RowProblem(None, h, p, title) for h, p in refused)
        self.result.child_sheets[title] = columns
        self.result.child_headers[title] = [h for h in table.headers if h]
        header = next((h for h, t in columns.items() if t == join_target), None)
        if header is None:
            for _ in rows:  # its formulas are still problems of the file
                pass
            self.result.note(RowProblem(p.row, p.column, p.problem, title) for p in table.problems)
            params = {"value": title, "name": join_header}
            problem = Problem("", "import_child_sheet_no_key", params)
            self.result.note([RowProblem(None, None, problem, title)])
            return
        sheet = _Sheet(title, name, table.headers, header)
        for line in convert_rows(session, catalog, module, table.headers, rows, columns, actor):
            value = cell_text(line.data.get(join_target))
            problems = [RowProblem(p.row, p.column, p.problem, title) for p in line.problems]
            kept = (line.number, line.cells, line.data.get(name, []), problems)
            sheet.lines.setdefault(value, []).append(kept)
        self.result.note(RowProblem(p.row, p.column, p.problem, title) for p in table.problems)
        self.sheets.append(sheet)

    def attach(self, record: Row) -> None:
        """The record's rows of every child sheet added to it."""
        if self.join is None:
            return
        value = cell_text(record.data.get(self.join[1]))
        for sheet in self.sheets:
            for number, cells, children, problems in sheet.lines.pop(value, []) if value else []:
                record.problems += problems
                _append(record, sheet.name, children, sheet.title, number)
                kept = record.sheet_lines.setdefault(sheet.title, (sheet.headers, []))
                kept[1].append((number, cells))

    def finish(self) -> None:
        """The rows no record took: a problem each, and a line of the rejected-rows file."""
        join_header = self.join[0] if self.join is not None else ""
        for sheet in self.sheets:
            for value, lines in sheet.lines.items():
                for number, cells, _, _ in lines:
                    params = {"value": value, "sheet": sheet.title, "name": join_header}
                    problem = Problem("", "import_orphan_child_row", params)
                    found = RowProblem(number, sheet.header, problem, sheet.title)
                    self.result.note([found])
                    orphan = Row(number, [], problems=[found])
                    orphan.sheet_lines[sheet.title] = (sheet.headers, [(number, cells)])
                    self.result.orphans.append(orphan)
            sheet.lines.clear()
