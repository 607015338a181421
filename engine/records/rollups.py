"""Stored rollups: a column per rollup field, kept current by the database in the same transaction.

Each rollup field has a column in its module's table (engine/storage.py). Triggers on the
summed module's table recompute it for the parents a write touched — the parent a row links
to before and after the write — with one aggregate UPDATE per rollup, inside the writing
statement's transaction, whoever writes: a form, the API, a batch, a transition, an
upgrade's state fix or plain SQL. A trigger fires only when a column the rollup reads
changed (its link, its `where`, its value). A `where` naming the parent (`date >=
parent.week_start`) also recomputes when that parent field changes. A rollup over a rollup
is an UPDATE of the middle table, whose own triggers carry the change on (task → project →
portfolio), so values settle in dependency order; cycles are refused at import.

`rebuild_rollups` recomputes every value from scratch (`formwork records rebuild-rollups`);
an import rebuilds the rollups its pack declares or feeds, and recreates all triggers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import Column, inspect, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from engine.catalog import Catalog, load_catalog
from engine.definitions.model import Field, Module
from engine.records.rollup_keys import batch_parents
from engine.records.rollup_triggers import drop_triggers, install_triggers, pause
from engine.records.rollup_values import ordered_rollups, rollup_value

__all__ = ["batch", "drop_triggers", "rebuild_rollups", "refresh_after_import"]


def rebuild_rollups(session: Session, module_ids: Iterable[str] | None = None) -> int:
    """Recompute the stored rollups of `module_ids` (else all) from scratch, in dependency
    order, with the triggers created afresh first; the triggers carry each change on to
    the rollups that read it. Returns how many rollup columns were recomputed."""
    catalog = load_catalog(session)
    wanted = {catalog.module(m).id for m in module_ids} if module_ids is not None else None
    connection = session.connection()
    drop_triggers(connection)
    install_triggers(connection, catalog)
    dialect = connection.dialect.name
    count = 0
    for module, field in ordered_rollups(catalog):
        if wanted is not None and module.id not in wanted:
            continue
        main = catalog.tables[module.id].main
        value = rollup_value(catalog, module, main, field, dialect)
        session.execute(update(main).values({field.name: value}))
        count += 1
    return count


def fed_by(catalog: Catalog, module_ids: Iterable[str]) -> set[str]:
    """The modules whose rollups read any of `module_ids`, and those modules themselves."""
    ids = set(module_ids)
    for module, field in ordered_rollups(catalog):
        assert field.rollup is not None
        if field.rollup.module in ids:
            ids.add(module.id)
    return ids


@contextmanager
def batch(
    session: Session,
    catalog: Catalog,
    module: Module,
    ids: Sequence[str],
    changing: bool = False,
) -> Iterator[None]:
    """Rows of `module` inserted (or, `changing`, updated) as one batch: the triggers stand
    aside while they are written, then each parent the batch touched is recomputed once —
    one UPDATE per rollup, not one per row (whose own triggers carry it on to rollups of
    rollups). Changed rows touch the parents they matched before as well as after."""
    feeds = [(m, f) for m, f in ordered_rollups(catalog) if _sums(f, module)]
    if len(ids) < 2 or not (feeds or module.rollup_fields):
        yield
        return
    before = _matched_now(session, catalog, feeds, ids) if changing else {}
    pause(session, True)
    try:
        yield
    except BaseException:
        with suppress(SQLAlchemyError):  # a failed transaction resets it when rolled back
            pause(session, False)
        raise
    pause(session, False)
    dialect = session.get_bind().dialect.name
    for parent, field in feeds:
        assert field.rollup is not None
        main = catalog.tables[parent.id].main
        touched = batch_parents(catalog, field.rollup, main, ids)  # once per parent
        if earlier := before.get((parent.id, field.name)):
            touched = or_(touched, main.c.id.in_(earlier))
        value = rollup_value(catalog, parent, main, field, dialect)
        session.execute(update(main).where(touched).values({field.name: value}))
    main = catalog.tables[module.id].main
    for field in module.rollup_fields:  # the new records' own rollups
        value = rollup_value(catalog, module, main, field, dialect)
        session.execute(update(main).where(main.c.id.in_(ids)).values({field.name: value}))


def _matched_now(
    session: Session, catalog: Catalog, feeds: list[tuple[Module, Field]], ids: Sequence[str]
) -> dict[tuple[str, str], list[str]]:
    """For each rollup fed by the rows `ids`, the parents they match before a change."""
    found: dict[tuple[str, str], list[str]] = {}
    for parent, field in feeds:
        assert field.rollup is not None
        main = catalog.tables[parent.id].main
        where = batch_parents(catalog, field.rollup, main, ids)
        found[(parent.id, field.name)] = list(session.scalars(select(main.c.id).where(where)))
    return found


def held_for_changes(session: Session, module_id: str, ids: Sequence[str]) -> Any:
    """Records of `module_id` changed one by one as a batch (the API's batch): their
    rollups settle once at the end (`batch`); checks inside read figures from before."""
    catalog = load_catalog(session)
    return batch(session, catalog, catalog.module(module_id), ids, changing=True)


def _sums(field: Field, module: Module) -> bool:
    return field.rollup is not None and field.rollup.module == module.id


def store_existing_rollups(connection: Connection) -> int:
    """For a database whose packs were installed before rollups were stored (migration
    0009): add each missing rollup column and the indexes that name one, create the
    triggers and fill the columns. Returns how many columns were added."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    session = Session(bind=connection)
    catalog = load_catalog(session)
    inspector = inspect(connection)
    ops = Operations(MigrationContext.configure(connection=connection))
    added = 0
    for module in catalog.modules.values():
        main = catalog.tables[module.id].main
        present = {c["name"] for c in inspector.get_columns(main.name)}
        missing = [f.name for f in module.rollup_fields if f.name not in present]
        for name in missing:
            ops.add_column(main.name, Column(name, main.c[name].type, nullable=True))
            added += 1
        indexes = {ix["name"] for ix in inspector.get_indexes(main.name)}
        for index in main.indexes:
            names = [c.name for c in index.columns]
            if index.name not in indexes and set(names) & set(missing):
                ops.create_index(index.name, main.name, names, unique=index.unique)
    if catalog.modules:
        rebuild_rollups(session)
    return added


def refresh_after_import(session: Session, module_ids: Iterable[str]) -> None:
    """After a pack's tables changed: the triggers of the whole catalog again, and the
    rollups the pack's modules declare or feed recomputed (a new column is filled)."""
    rebuild_rollups(session, fed_by(load_catalog(session), module_ids))
