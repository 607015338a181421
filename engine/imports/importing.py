"""Preview and apply an import: every row through the engine's one create and update path.

`preview` does all the work of `apply_import` inside a savepoint and rolls it back, so what
it shows — the rows as they would be stored, every problem by row and column, how many
records would be created, updated or left unchanged — is exactly what applying would do:
formulas, rules, scopes, uniqueness and numbering run as for a typed record. Mode "all"
writes nothing when any row has a problem; mode "valid" writes the good rows in batches and
returns the rejected ones with their reasons. With a `key` field, a row whose key matches an
existing record updates only the mapped fields of it, so importing a file twice changes
nothing the second time. A record may span several sheet rows, or take its child rows from
a sheet of their own (engine/imports/children.py); an update replaces the record's child
rows by the imported ones.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from engine.abilities import abilities
from engine.actor import Actor
from engine.catalog import Catalog, ModuleRef, load_catalog
from engine.definitions.model import Module
from engine.errors import PermissionDenied, Problem
from engine.imports.child_sheets import ChildSheets
from engine.imports.children import gather_rows, group_header
from engine.imports.mapping import NUMBER, map_columns
from engine.imports.problems import RowProblem
from engine.imports.result import ImportResult
from engine.imports.rows import Row, convert_rows
from engine.imports.sources import DEFAULT_LIMITS, Limits, Table, stream_table
from engine.imports.writing import Hooks, write_rows
from engine.records.bulk_reads import get_records

SAMPLE = 20  # rows of the preview
MODES = ("all", "valid")


def preview(
    session: Session,
    module: ModuleRef,
    file: Path | str,
    actor: Actor,
    mapping: dict[str, str] | None = None,
    key: str | None = None,
    **options: Any,
) -> ImportResult:
    """What `apply_import` would do, with nothing written (a savepoint rolled back)."""
    with session.begin_nested() as savepoint:
        result = apply_import(session, module, file, actor, mapping, key, **options)
        result.written = False
        savepoint.rollback()
    return result


def apply_import(
    session: Session,
    module_id: ModuleRef,
    file: Path | str,
    actor: Actor,
    mapping: dict[str, str] | None = None,
    key: str | None = None,
    *,
    mode: str = "all",
    encoding: str | None = None,
    sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    hooks: Hooks | None = None,
) -> ImportResult:
    """Import the rows of `file` into the module; see the module's docstring for the modes.

    `hooks` follow the writing batch by batch (engine/imports/writing.py): a cancel raises
    `ImportCancelled`; in mode "valid" with a `commit` hook each written batch is committed,
    so the work is not wrapped in one savepoint.
    """
    catalog = load_catalog(session)
    module = catalog.module(module_id)
    may = abilities(actor, module)
    may.require_read()
    if not may.import_:
        raise PermissionDenied(code="import_not_allowed", module=module.id)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    table, lines = stream_table(file, encoding=encoding, sheet=sheet, limits=limits)
    columns = map_columns(module, table.headers, may, mapping)
    number = next((h for h, t in columns.columns.items() if t == NUMBER), None)
    if key != NUMBER:  # the engine numbers records: a number column only finds them
        columns.unmapped += [h for h, t in columns.columns.items() if t == NUMBER]
        columns.columns = {h: t for h, t in columns.columns.items() if t != NUMBER}
    result = ImportResult(
        module.id, table.encoding, table.sheet, table.headers, columns.columns, columns.unmapped
    )
    result.note(columns.problems)
    if key is not None and key not in columns.columns.values():
        unmapped = Problem("", "import_key_unmapped", {"field": key})
        result.note([RowProblem(None, None, unmapped)])
    if result.problem_count:  # a column refused: no row can be read right
        for _ in lines:  # the file's own problems (formulas) are still found
            pass
        result.note(table.problems)
        return result
    read = {**columns.columns, **({number: NUMBER} if number else {})}
    source = (table, lines)
    rows = _records(
        session, catalog, module, source, read, key, actor, file, limits, result, mapping
    )
    ids = _write(session, module, rows, actor, key, mode, hooks, result, table.estimate)
    if ids is None:  # mode "all" found problems: nothing stays
        return result
    result.written = True
    found = get_records(session, module.id, ids[:SAMPLE], actor)  # a few statements for all
    result.sample = [found[i] for i in ids[:SAMPLE] if i in found]
    return result


def _write(
    session: Session,
    module: Module,
    rows: Iterator[Row],
    actor: Actor,
    key: str | None,
    mode: str,
    hooks: Hooks | None,
    result: ImportResult,
    estimate: int,
) -> list[str] | None:
    """The records written (the first ids), or None when mode "all" rolled them back."""
    write = functools.partial(
        write_rows, session, module, rows, actor, key, result, hooks, estimate=estimate
    )
    if mode == "valid" and hooks is not None and hooks.commit is not None:
        ids = write(keep=SAMPLE)
        result.problems.sort(key=_place)
        return ids
    with session.begin_nested() as savepoint:
        ids = write(keep=SAMPLE)
        result.problems.sort(key=_place)
        if mode == "all" and result.problem_count:
            savepoint.rollback()
            result.created = result.updated = result.unchanged = 0
            return None
    return ids


def _place(problem: RowProblem) -> tuple[str, int, str]:
    return (problem.sheet or "", problem.row or 0, problem.column or "")


def _records(
    session: Session,
    catalog: Catalog,
    module: Module,
    source: tuple[Table, Iterator[tuple[int, list[Any]]]],
    read: dict[str, str],
    key: str | None,
    actor: Actor,
    file: Path | str,
    limits: Limits,
    result: ImportResult,
    mapping: dict[str, str] | None = None,
) -> Iterator[Row]:
    """The file's records as they are read: rows converted, gathered, and joined to their
    sheets of child rows; the rows no record took are reported once the main sheet ends."""
    table, lines = source
    number = next((h for h, t in read.items() if t == NUMBER), None)
    group = group_header(result.mapping, key, number)
    sheets = None
    if table.sheet is not None:
        join = (group, read[group]) if group else None
        sheets = ChildSheets(
            session, catalog, module, file, table.sheet, join, actor, limits, result, mapping
        )
    rows = _with_problems(
        table, convert_rows(session, catalog, module, table.headers, lines, read, actor)
    )
    for record in gather_rows(module, table, read, rows, group):
        if sheets is not None:
            sheets.attach(record)
        if key != NUMBER:  # the number only gathered rows: the engine numbers new records
            record.data.pop(NUMBER, None)
        yield record
    if sheets is not None:
        sheets.finish()


def _with_problems(table: Table, rows: Iterator[Row]) -> Iterator[Row]:
    """Each row with the file's problems at it (formulas, merged cells), which the table
    gathers as its rows are read."""
    seen = 0
    waiting: dict[int | None, list[RowProblem]] = {}
    for row in rows:
        for problem in table.problems[seen:]:
            waiting.setdefault(problem.row, []).append(problem)
        seen = len(table.problems)
        row.problems += waiting.pop(row.number, [])
        yield row
