"""Records with several child rows: sheet rows gathered into records, and a sheet of child rows.

Same sheet: a record's child rows sit on consecutive sheet rows, the parent columns repeated
on each or left blank after the first. Rows are gathered by the group column — the `key`
field's column when a key is given, else the record-number column when the file has one —
so rows holding the same group value are one record wherever they are; a row whose group
cell is blank and whose parent columns are all blank continues the record above. Without a
group column only that last rule applies, so repeated parent columns need a key or a number
column. A parent value that differs between the rows of one record is a problem naming both
rows. Files that map no child column keep one record per row (a repeated key is a problem).

Second sheet (XLSX): a sheet named like a child table (its id, or its title in either
language) holds that table's rows, joined to the main sheet's records by the group column,
present in both sheets under the same header or field name. A child row whose join value
matches no record is a problem at its sheet and row. Each child row keeps the (sheet, row)
it came from, so the engine's problems of `/items/1/hours` are placed where it was typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.catalog import Catalog
from engine.definitions.model import Module
from engine.errors import Problem
from engine.imports.mapping import NUMBER, NUMBER_NAMES, _titles, normal
from engine.imports.problems import RowProblem
from engine.imports.rows import Row, build_rows
from engine.imports.sources import Limits, Table, read_table, sheet_names
from engine.imports.values import cell_text


def group_header(columns: Mapping[str, str], key: str | None, number: str | None) -> str | None:
    """The column whose value says which record a row belongs to, if any."""
    wanted = key if key is not None else NUMBER
    found = next((h for h, t in columns.items() if t == wanted), None)
    return found or (number if key is None else None)


def _value(row: Row, table: Table, header: str | None) -> str:
    if header is None:
        return ""
    index = table.headers.index(header)
    return cell_text(row.cells[index]) if index < len(row.cells) else ""


def _blank(row: Row, table: Table, parents: list[str]) -> bool:
    return all(_value(row, table, h) == "" for h in parents)


def gather_rows(
    module: Module, table: Table, columns: Mapping[str, str], rows: list[Row], group: str | None
) -> list[Row]:
    """The sheet's rows gathered into records (see the module's docstring)."""
    tables = {t.name for t in module.table_fields}
    if not any(t.partition(".")[0] in tables for t in columns.values()):
        return rows
    parents = [h for h, t in columns.items() if "." not in t]
    records: list[Row] = []
    by_group: dict[str, Row] = {}
    current: Row | None = None
    for line in rows:
        value = _value(line, table, group)
        target = by_group.get(value) if value else None
        if target is None and not value and current is not None and _blank(line, table, parents):
            target = current
        if target is None:
            _start(module, line)
            records.append(line)
            target = line
            if value:
                by_group[value] = line
        else:
            _merge(module, table, columns, target, line)
        current = target
    return records


def _start(module: Module, row: Row) -> None:
    for t in module.table_fields:
        children = [c for c in row.data.get(t.name, []) if c]
        if t.name in row.data:
            row.data[t.name] = children
            row.sources[t.name] = [(None, row.number)] * len(children)


def _merge(
    module: Module, table: Table, columns: Mapping[str, str], record: Row, line: Row
) -> None:
    """Add the line's child rows to the record; its parent values must agree with it."""
    for header, target in columns.items():
        if "." in target or target not in line.data or line.data[target] is None:
            continue
        mine = record.data.get(target)
        if mine is None:
            record.data[target] = line.data[target]
        elif mine != line.data[target]:
            record.problems.append(_differs(table, header, record, line))
    record.lines.append((line.number, line.cells))
    record.problems += line.problems
    for t in module.table_fields:
        _append(record, t.name, line.data.get(t.name, []), None, line.number)


def _differs(table: Table, header: str, record: Row, line: Row) -> RowProblem:
    """The problem of a parent cell that disagrees with the record's earlier rows, naming the
    row whose value it contradicts and both cells as typed."""
    index = table.headers.index(header)
    earlier = [(record.number, record.cells), *record.lines]
    typed = (e for e in earlier if index < len(e[1]) and cell_text(e[1][index]))
    first, cells = next(typed, earlier[0])
    params = {
        "name": header,
        "value": _value(line, table, header),
        "other": cell_text(cells[index]),
        "values": [first, line.number],
    }
    return RowProblem(line.number, header, Problem("", "import_parent_differs", params))


def _append(record: Row, name: str, children: list[Any], sheet: str | None, number: int) -> None:
    children = [c for c in children if c]
    if children:
        record.data.setdefault(name, []).extend(children)
        record.sources.setdefault(name, []).extend([(sheet, number)] * len(children))


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


def attach_sheets(
    session: Session,
    catalog: Catalog,
    module: Module,
    path: Any,
    main: Table,
    records: list[Row],
    join: tuple[str, str] | None,
    actor: Actor,
    limits: Limits,
) -> tuple[dict[str, dict[str, str]], list[RowProblem]]:
    """Child rows of the workbook's other sheets added to their records; returns each child
    sheet's column map, and the problems of rows that belong to no record."""
    mappings: dict[str, dict[str, str]] = {}
    problems: list[RowProblem] = []
    for title in sheet_names(path):
        name = _sheet_table(module, title)
        if title == main.sheet or name is None:
            continue
        sheet = read_table(path, sheet=title, limits=limits)
        if join is None:
            problem = Problem("", "import_child_sheet_unjoined", {"value": title})
            problems.append(RowProblem(None, None, problem, title))
            continue
        columns = _child_columns(module, name, sheet.headers, join)
        mappings[title] = columns
        problems += [RowProblem(p.row, p.column, p.problem, title) for p in sheet.problems]
        problems += _join(session, catalog, module, sheet, columns, records, join, actor, name)
    return mappings, problems


def _join(
    session: Session,
    catalog: Catalog,
    module: Module,
    sheet: Table,
    columns: dict[str, str],
    records: list[Row],
    join: tuple[str, str],
    actor: Actor,
    name: str,
) -> list[RowProblem]:
    join_header, join_target = join
    header = next((h for h, t in columns.items() if t == join_target), None)
    if header is None:
        problem = Problem(
            "", "import_child_sheet_no_key", {"value": sheet.sheet, "name": join_header}
        )
        return [RowProblem(None, None, problem, sheet.sheet)]
    owners = {cell_text(r.data.get(join_target)): r for r in records}
    orphans: list[RowProblem] = []
    for line in build_rows(session, catalog, module, sheet, columns, actor):
        value = cell_text(line.data.get(join_target))
        record = owners.get(value) if value else None
        if record is None:
            params = {"value": value, "sheet": sheet.sheet, "name": join_header}
            problem = Problem("", "import_orphan_child_row", params)
            orphans.append(RowProblem(line.number, header, problem, sheet.sheet))
            continue
        record.problems += [
            RowProblem(p.row, p.column, p.problem, sheet.sheet) for p in line.problems
        ]
        _append(record, name, line.data.get(name, []), sheet.sheet, line.number)
        kept = record.sheet_lines.setdefault(sheet.sheet or name, (sheet.headers, []))
        kept[1].append((line.number, line.cells))
    return orphans
