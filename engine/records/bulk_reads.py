"""Many records by id in a few statements: what a bulk write answers with.

`engine.records.get_record` reads one record (its row with rollups and every link's title,
its child rows, its row-link titles, masked for the reader). A batch of 1,000 written
records read that way costs thousands of statements, and read as list pages it costs
several per 200 and names only the list's link titles. `get_records` reads them exactly as
`get_record` reads each — the same SELECT, the same child rows, titles and masking — but
for up to `CHUNK` ids a statement. `get_stamps` reads only what identifies a written record
(number and version), for answers that carry nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.abilities import abilities
from engine.actor import Actor
from engine.catalog import load_catalog
from engine.records.model import Record
from engine.records.reading import children_of, mask, record_select, row_to_record
from engine.records.row_links import add_row_titles

CHUNK = 1000  # ids a statement: well inside SQLite's and PostgreSQL's parameter limits


def _chunks(ids: Sequence[str]) -> list[Sequence[str]]:
    return [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]


def get_records(
    session: Session, module_id: str, ids: Sequence[str], actor: Actor
) -> dict[str, Record]:
    """The records of `ids` the actor may read, by id, each as `get_record` would give it.

    An id the actor may not read (or that does not exist) is simply absent.
    """
    catalog = load_catalog(session)
    module = catalog.module(module_id)
    may = abilities(actor, module)
    may.require_read()
    main = catalog.tables[module.id].main
    links = [f.name for f in module.stored_fields if f.kind_type.links]
    statement = record_select(catalog, module, reader=actor, titles=links)
    rows = [
        row
        for chunk in _chunks(ids)
        for row in session.execute(
            statement.where(main.c.id.in_(chunk), may.scope(main))
        ).mappings()
    ]
    found = [row["id"] for row in rows]
    children = children_of(session, catalog, module, found)
    records = [row_to_record(module, row, children[row["id"]]) for row in rows]
    add_row_titles(session, catalog, module, actor, records)
    return {record.id: mask(record, may.visible) for record in records}


def get_stamps(
    session: Session, module_id: str, ids: Sequence[str], actor: Actor
) -> dict[str, tuple[str | None, int]]:
    """Number and version of each record of `ids` the actor may read, by id."""
    catalog = load_catalog(session)
    module = catalog.module(module_id)
    may = abilities(actor, module)
    may.require_read()
    main = catalog.tables[module.id].main
    stamps: dict[str, tuple[str | None, int]] = {}
    for chunk in _chunks(ids):
        statement = select(main.c.id, main.c.number, main.c.version).where(
            main.c.id.in_(chunk), may.scope(main)
        )
        stamps.update((row.id, (row.number, row.version)) for row in session.execute(statement))
    return stamps
