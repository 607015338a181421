"""Writing the converted rows: new records through `create_records`, matched ones through
`update_record` at their version — the same calls the form and the API make.

The engine's problems come back by item index and JSON Pointer; here they are placed at the
sheet's row and the column that filled the field.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.abilities import abilities
from engine.actor import Actor
from engine.catalog import load_catalog
from engine.definitions.model import Module
from engine.errors import BatchFailed, FormworkError, Problem
from engine.imports.lookups import CHUNK
from engine.imports.mapping import NUMBER
from engine.imports.problems import RowProblem
from engine.imports.result import ImportResult
from engine.imports.rows import Row
from engine.records import update_record
from engine.records.service import create_records

BATCH = 500


@dataclass(frozen=True)
class Hooks:
    """How a caller follows a long import (engine/imports/jobs.py) and may stop it.

    `progress(done, total)` after each batch, counted in records; `cancelled()` is asked
    between batches; `commit(result, done)`, in mode "valid" only, makes each written batch
    durable (and may record the progress in the same transaction).
    """

    progress: Callable[[int, int], None] | None = None
    cancelled: Callable[[], bool] | None = None
    commit: Callable[[ImportResult, int], None] | None = None


class ImportCancelled(FormworkError):
    """Cancelled between two batches: mode "valid" keeps the committed ones, `done` says how
    many records were handled; mode "all" is rolled back by the caller."""

    code = "import_cancelled"

    def __init__(self, result: ImportResult, done: int, total: int):
        self.result, self.done, self.total = result, done, total
        super().__init__(f"the import was cancelled after {done} records")


class _Steps:
    """The batches' bookkeeping: records handled so far, reported and checked for a cancel."""

    def __init__(self, hooks: Hooks, total: int, result: ImportResult):
        self.hooks, self.total, self.result, self.done = hooks, total, result, 0

    def step(self, count: int, written: bool) -> None:
        self.done += count
        if written and self.hooks.commit is not None:
            self.hooks.commit(self.result, self.done)
        if self.hooks.progress is not None:
            self.hooks.progress(self.done, self.total)
        if self.hooks.cancelled is not None and self.done < self.total and self.hooks.cancelled():
            raise ImportCancelled(self.result, self.done, self.total)


def _column(mapping: dict[str, str], path: str) -> str | None:
    """The header of the column that filled the field at `path` (`/hours`, `/items/0/rate`)."""
    parts = path.strip("/").split("/")
    targets = [parts[0], f"{parts[0]}.{parts[2]}" if len(parts) > 2 else parts[0]]
    by_target = {t: h for h, t in mapping.items()}
    return next((by_target[t] for t in reversed(targets) if t in by_target), None)


def _source(row: Row, path: str) -> tuple[str | None, int]:
    """The (sheet, row) that gave the child row at `path`, else the record's first row."""
    parts = path.strip("/").split("/")
    sources = row.sources.get(parts[0], [])
    if len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(sources):
        return sources[int(parts[1])]
    return None, row.number


def _fail(result: ImportResult, row: Row, problems: Sequence[Problem]) -> None:
    for problem in problems:
        sheet, number = _source(row, problem.path)
        mapping = result.child_sheets.get(sheet, {}) if sheet else result.mapping
        column = _column(mapping, problem.path)
        row.problems.append(RowProblem(number, column, problem, sheet))


def _tidy(module: Module, row: Row) -> None:
    """A child table whose columns were all blank on this row gets no row; the imported rows
    name every optional column, so a blank one matches what the record stores (None)."""
    for table in module.table_fields:
        if row.data.get(table.name) == [{}]:
            del row.data[table.name]
        optional = [c.name for c in table.children if not (c.required or c.computed)]
        for child in row.data.get(table.name) or []:
            for name in optional:
                child.setdefault(name, None)


def _matches(
    session: Session, module: Module, rows: list[Row], key: str, actor: Actor
) -> dict[str, list[tuple[str, int, str]]]:
    """Key text → the (id, version, number) of each readable record holding it."""
    catalog = load_catalog(session)
    main = catalog.tables[module.id].main
    column = main.c["number" if key == NUMBER else key]
    keys = sorted({r.key for r in rows if r.key is not None}, key=str)
    found: dict[str, list[tuple[str, int, str]]] = {}
    if not keys:
        return found
    scope = abilities(actor, module).scope(main)
    for start in range(0, len(keys), CHUNK):
        statement = select(main.c.id, main.c.version, main.c.number, column.label("key"))
        statement = statement.where(column.in_(keys[start : start + CHUNK]), scope)
        for record in session.execute(statement).mappings():
            found.setdefault(str(record["key"]), []).append(
                (record["id"], record["version"], record["number"])
            )
    return found


def _place(
    session: Session,
    module: Module,
    rows: list[Row],
    key: str | None,
    actor: Actor,
    seen: dict[str, int],
) -> dict[int, tuple[str, int]]:
    """Row number → the (id, version) it updates; key problems noted on their rows. `seen`
    (key text → its first row) is kept across the batches, so a key is refused the second
    time wherever it sits."""
    if key is None:
        return {}
    for row in rows:
        row.key = row.data.pop(NUMBER, None) if key == NUMBER else row.data.get(key)
        if row.key is None:
            row.problems.append(
                RowProblem(row.number, None, Problem("", "import_key_missing", {"field": key}))
            )
        elif str(row.key) in seen:
            if any(p.code == "import_key_twice" for p in row.problems):
                continue  # the gathering found it already (engine/imports/children.py)
            params = {"value": row.key, "values": [seen[str(row.key)], row.number]}
            row.problems.append(
                RowProblem(row.number, None, Problem("", "import_key_twice", params))
            )
        else:
            seen[str(row.key)] = row.number
    found = _matches(session, module, rows, key, actor)
    placed = {}
    for row in rows:
        hits = found.get(str(row.key), []) if row.key is not None else []
        if len(hits) == 1:
            placed[row.number] = hits[0][:2]
        elif hits:
            params = {"value": row.key, "records": sorted(h[2] for h in hits)}
            row.problems.append(
                RowProblem(row.number, None, Problem("", "import_key_ambiguous", params))
            )
        elif key == NUMBER and row.key is not None:
            params = {"module": module.id, "value": row.key}
            row.problems.append(
                RowProblem(row.number, None, Problem("", "import_unknown_number", params))
            )
    return placed


def _create(
    session: Session, module: Module, rows: list[Row], actor: Actor, steps: _Steps
) -> list[str]:
    """Create the rows' records in batches; a batch is retried without its failed rows, so
    each written batch is whole and every row's problems are found at once."""
    ids: list[str] = []
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        while batch:
            try:
                with session.begin_nested():
                    ids += create_records(session, module.id, [r.data for r in batch], actor)
                steps.result.created += len(batch)
                break
            except BatchFailed as failed:
                if not failed.items:
                    raise  # nothing to set aside: retrying would fail the same way
                for index, problem in failed.items:
                    _fail(steps.result, batch[index], [problem])
                batch = [r for r in batch if not r.problems]
        steps.step(len(rows[start : start + BATCH]), written=True)
    return ids


def _update(
    session: Session,
    module: Module,
    rows: list[tuple[Row, tuple[str, int]]],
    actor: Actor,
    steps: _Steps,
) -> list[str]:
    ids = []
    result = steps.result
    pending = 0  # updates since the last step
    for row, (record_id, version) in rows:
        try:
            with session.begin_nested():
                record = update_record(session, module.id, record_id, version, row.data, actor)
        except FormworkError as refused:
            _fail(result, row, refused.problems)
        else:
            ids.append(record_id)
            if record.version == version:
                result.unchanged += 1
            else:
                result.updated += 1
        pending += 1
        if pending == BATCH:
            steps.step(pending, written=True)
            pending = 0
    if pending:
        steps.step(pending, written=True)
    return ids


def _batches(records: Iterable[Row]) -> Iterator[tuple[list[Row], bool]]:
    """The records BATCH at a time, each batch told whether it is the last."""
    stream = iter(records)
    batch = list(itertools.islice(stream, BATCH))
    while batch:
        following = list(itertools.islice(stream, BATCH))
        yield batch, not following
        batch = following


def write_rows(
    session: Session,
    module: Module,
    records: Iterable[Row],
    actor: Actor,
    key: str | None,
    result: ImportResult,
    hooks: Hooks | None = None,
    *,
    estimate: int = 0,
    keep: int = 20,
) -> list[str]:
    """Write what can be written, BATCH records at a time as they come; every problem is
    noted in `result`, and the rejected records kept in `result.rejected`. Returns the first
    `keep` ids written. `estimate` is the total the progress reports until the last batch
    is read (then the records' true count).

    The good rows are written even when the caller will roll all of it back (mode "all"),
    so that every row's problems are found at once.
    """
    steps = _Steps(hooks or Hooks(), estimate, result)
    seen: dict[str, int] = {}
    ids: list[str] = []
    for batch, last in _batches(records):
        coming = steps.done + len(batch)
        steps.total = coming if last else max(steps.total, coming + 1)
        written = _write_batch(session, module, batch, actor, key, steps, seen)
        ids += written[: max(keep - len(ids), 0)]
    if steps.done == 0:  # an empty file still reports its (empty) progress
        steps.total = 0
        steps.step(0, written=False)
    return ids


def _write_batch(
    session: Session,
    module: Module,
    rows: list[Row],
    actor: Actor,
    key: str | None,
    steps: _Steps,
    seen: dict[str, int],
) -> list[str]:
    """One batch of records written: ids created, then those updated."""
    for row in rows:
        _tidy(module, row)
    placed = _place(session, module, rows, key, actor, seen)
    good = [r for r in rows if not r.problems]
    try:
        steps.step(len(rows) - len(good), written=False)  # refused before writing
        new = [r for r in good if r.number not in placed]
        ids = _create(session, module, new, actor, steps)
        updates = [(r, placed[r.number]) for r in good if r.number in placed]
        ids += _update(session, module, updates, actor, steps)
    finally:
        rejected = [r for r in rows if r.problems]
        steps.result.rejected += rejected
        steps.result.note(p for r in rejected for p in r.problems)
    return ids
