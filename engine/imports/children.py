"""Records with several child rows: sheet rows gathered into records, and a sheet of child rows.

Same sheet: a record's child rows sit on consecutive sheet rows, the parent columns repeated
on each or left blank after the first. Rows are gathered by the group column — the `key`
field's column when a key is given, else the record-number column when the file has one —
so rows holding the same group value are one record wherever they sit among the 500 records
around them (the records are written as they are gathered); a row whose group
cell is blank and whose parent columns are all blank continues the record above. Without a
group column only that last rule applies, so repeated parent columns need a key or a number
column. A parent value that differs between the rows of one record is a problem naming both
rows. Files that map no child column keep one record per row (a repeated key is a problem).

Second sheet (XLSX): engine/imports/child_sheets.py. Each child row keeps the (sheet, row)
it came from, so the engine's problems of `/items/1/hours` are placed where it was typed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from engine.definitions.model import Module
from engine.errors import Problem
from engine.imports.mapping import NUMBER
from engine.imports.problems import RowProblem
from engine.imports.rows import Row
from engine.imports.sources import Table
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


WINDOW = 500  # records held open, so that rows of one record sitting apart are still gathered


def gather_rows(
    module: Module,
    table: Table,
    columns: Mapping[str, str],
    rows: Iterable[Row],
    group: str | None,
) -> Iterator[Row]:
    """The sheet's rows gathered into records as they come (see the module's docstring).

    Up to WINDOW records are held open, so a record's rows are gathered wherever they sit
    among the WINDOW records around them; a row whose group value names a record already
    handed on (written) is a problem (`import_key_twice`), never a second record.
    """
    tables = {t.name for t in module.table_fields}
    if not any(t.partition(".")[0] in tables for t in columns.values()):
        yield from rows
        return
    parents = [h for h, t in columns.items() if "." not in t]
    held: deque[Row] = deque()
    by_group: dict[str, Row] = {}
    gone: dict[str, int] = {}  # group value → first row of its record, handed on
    current: Row | None = None
    for line in rows:
        value = _value(line, table, group)
        target = by_group.get(value) if value else None
        if target is None and not value and current is not None and _blank(line, table, parents):
            target = current
        if target is None:
            if value in gone:
                line.problems.append(_twice(value, gone[value], line.number))
            _start(module, line)
            held.append(line)
            target = line
            if value:
                by_group[value] = line
        else:
            _merge(module, table, columns, target, line)
        current = target
        while len(held) > WINDOW and held[0] is not current:
            record = held.popleft()
            if (first := _value(record, table, group)) and by_group.get(first) is record:
                del by_group[first]
                gone.setdefault(first, record.number)
            yield record
    yield from held


def _twice(value: str, first: int, row: int) -> RowProblem:
    problem = Problem("", "import_key_twice", {"value": value, "values": [first, row]})
    return RowProblem(row, None, problem)


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
