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

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any
from typing import cast as cast_to

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    FromClause,
    Numeric,
    Table,
    and_,
    cast,
    func,
    inspect,
    literal_column,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.visitors import ExternallyTraversible, replacement_traverse

from engine.catalog import Catalog, load_catalog
from engine.definitions.model import SYSTEM_COLUMNS, Field, Module
from engine.errors import ExpressionError
from engine.expressions.sql import Resolve
from engine.sqltypes import ExactDecimal

PREFIX = "fw_rollup_"
MAX_NAME = 60


def _resolver(table: FromClause, module: Module, parent: Table | None) -> Resolve:
    """Names of the summed module (stored fields, rollups, `$state`...) and `parent.<field>`."""

    def resolve(path: tuple[str, ...]) -> ColumnElement[Any]:
        if len(path) == 2 and path[0] == "parent" and parent is not None:
            name = SYSTEM_COLUMNS.get(path[1], path[1])
            if name in parent.c:
                return parent.c[name]
        if len(path) != 1:
            raise ExpressionError(code="expr_not_in_database", name=".".join(path))
        name = path[0]
        column = SYSTEM_COLUMNS.get(name, name)
        field = module.field(name)
        kept = field is not None and (field.stored or field.rollup is not None)
        if (name.startswith("$") or kept) and column in table.c:
            return table.c[column]
        raise ExpressionError(code="expr_not_stored", name=name, module=module.id)

    return resolve


def _scale(type_: Any) -> int:
    return type_.scale if isinstance(type_, ExactDecimal) else 0


def rollup_value(
    catalog: Catalog, module: Module, main: Table, field: Field, dialect: str
) -> ColumnElement[Any]:
    """The rollup of each row of `main`, computed afresh: a correlated aggregate subquery,
    in the representation of the field's own column (SQLite keeps decimals as scaled
    integers, so a sum at the summed field's scale is rescaled to the rollup's)."""
    rollup = field.rollup
    assert rollup is not None
    source = catalog.module(rollup.module)
    source_table = catalog.tables[source.id].main.alias(f"r_{field.name}")
    resolve = _resolver(source_table, source, main)
    value = rollup.value.to_sql(resolve, aggregate=True)
    conditions = [source_table.c[rollup.link] == main.c.id]
    if rollup.where is not None:
        conditions.append(rollup.where.to_sql(resolve))
    target = main.c[field.name].type
    raw: ColumnElement[Any] = type_coerce(value, Numeric())
    if dialect == "sqlite":
        shift = _scale(target) - _scale(value.type)
        if "avg" in rollup.value.functions or shift < 0:
            raw = cast(func.round(raw * (10.0**shift)), BigInteger)
        elif shift > 0:
            raw = raw * 10**shift
    subquery = select(raw).where(and_(*conditions)).scalar_subquery()
    if rollup.value.functions & {"sum", "count"}:
        return func.coalesce(subquery, 0)
    return subquery


def ordered_rollups(catalog: Catalog) -> list[tuple[Module, Field]]:
    """Every rollup of the catalog, each after the rollups it reads (rollups of rollups)."""
    pending = [(m, f) for m in catalog.modules.values() for f in m.rollup_fields]
    done: set[tuple[str, str]] = set()
    ordered: list[tuple[Module, Field]] = []
    while pending:
        ready = [(m, f) for m, f in pending if not (_reads(m, f, catalog) - done)]
        ready = ready or pending[:1]  # a cycle (refused at import): keep going anyway
        for item in ready:
            pending.remove(item)
            ordered.append(item)
            done.add((item[0].id, item[1].name))
    return ordered


def _reads(module: Module, field: Field, catalog: Catalog) -> set[tuple[str, str]]:
    """The rollups (module, field) that a rollup reads in the module it sums."""
    rollup = field.rollup
    assert rollup is not None
    source = catalog.modules.get(rollup.module)
    if source is None:
        return set()
    names = {ref[0] for ref in _expressions(field) if len(ref) == 1}
    return {(source.id, n) for n in names if (f := source.field(n)) and f.rollup is not None}


def _expressions(field: Field) -> set[tuple[str, ...]]:
    rollup = field.rollup
    assert rollup is not None
    refs = set(rollup.value.references)
    if rollup.where is not None:
        refs |= rollup.where.references
    return refs


def _source_columns(field: Field, source_table: Table) -> list[str]:
    """The summed table's columns the rollup reads: its link first, then the others."""
    rollup = field.rollup
    assert rollup is not None
    names = [rollup.link]
    for ref in sorted(_expressions(field)):
        column = SYSTEM_COLUMNS.get(ref[0], ref[0])
        if len(ref) == 1 and column in source_table.c and column not in names:
            names.append(column)
    return names


def _parent_columns(field: Field, main: Table) -> list[str]:
    """The parent's own columns a `where` reads through `parent.<field>`."""
    names = {SYSTEM_COLUMNS.get(r[1], r[1]) for r in _expressions(field) if r[0] == "parent"}
    return sorted(n for n in names if n in main.c)


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


# --- triggers -------------------------------------------------------------------------------


def _name(*parts: str) -> str:
    name = PREFIX + "_".join(parts)
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_NAME - 9]}_{digest}"


def _row(dialect: Dialect, which: str, column: str) -> Any:
    return literal_column(f"{which}.{dialect.identifier_preparer.quote(column)}")


def _changed(dialect: Dialect, columns: Sequence[str]) -> str:
    differs = "IS NOT" if dialect.name == "sqlite" else "IS DISTINCT FROM"
    quote = dialect.identifier_preparer.quote
    return " OR ".join(f"OLD.{quote(c)} {differs} NEW.{quote(c)}" for c in columns)


def _update_sql(
    catalog: Catalog, module: Module, field: Field, dialect: Dialect, ids: Sequence[Any]
) -> str:
    main = catalog.tables[module.id].main
    value = rollup_value(catalog, module, main, field, dialect.name)
    statement = update(main).where(main.c.id.in_(ids)).values({field.name: value})
    inlined: Any = replacement_traverse(cast_any(statement), {}, _Inliner(dialect))
    return str(inlined.compile(dialect=dialect))


def cast_any(statement: Any) -> ExternallyTraversible:
    """The statement as a traversable element (the overloads of `replacement_traverse`)."""
    return cast_to(ExternallyTraversible, statement)


class _Inliner:
    """Writes each bound value into the SQL (a trigger has no parameters); `literal_binds`
    alone misses some (SQLite's `IS NOT`)."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect

    def __call__(self, element: Any, **kw: Any) -> Any:
        if not isinstance(element, BindParameter):
            return None
        processor = element.type.literal_processor(self.dialect)
        value = element.effective_value
        if processor is None:
            raise ExpressionError(code="expr_not_in_database", name=repr(value))
        return literal_column(processor(value), type_=element.type)


def _triggers(catalog: Catalog, dialect: Dialect) -> list[tuple[str, str, str, str, str]]:
    """(name, event, table, condition, body) of every trigger keeping a rollup current."""
    found: list[tuple[str, str, str, str, str]] = []
    for module, field in ordered_rollups(catalog):
        rollup = field.rollup
        assert rollup is not None
        source_table = catalog.tables[rollup.module].main
        main = catalog.tables[module.id].main
        link = rollup.link
        columns = _source_columns(field, source_table)
        key = (module.id, field.name)
        sql = _update_sql(catalog, module, field, dialect, [_row(dialect, "NEW", link)])
        found.append((_name(*key, "i"), "INSERT", source_table.name, "", sql))
        sql = _update_sql(catalog, module, field, dialect, [_row(dialect, "OLD", link)])
        found.append((_name(*key, "d"), "DELETE", source_table.name, "", sql))
        both = [_row(dialect, "OLD", link), _row(dialect, "NEW", link)]
        sql = _update_sql(catalog, module, field, dialect, both)
        event = "UPDATE OF " + ", ".join(dialect.identifier_preparer.quote(c) for c in columns)
        found.append((_name(*key, "u"), event, source_table.name, _changed(dialect, columns), sql))
        own = _update_sql(catalog, module, field, dialect, [_row(dialect, "NEW", "id")])
        found.append((_name(*key, "n"), "INSERT", main.name, "", own))
        parent_columns = _parent_columns(field, main)
        if parent_columns:
            quoted = ", ".join(dialect.identifier_preparer.quote(c) for c in parent_columns)
            condition = _changed(dialect, parent_columns)
            found.append((_name(*key, "p"), f"UPDATE OF {quoted}", main.name, condition, own))
    return found


def drop_triggers(connection: Connection) -> None:
    """Drop every rollup trigger (before tables change; `install_triggers` puts them back)."""
    if connection.dialect.name == "sqlite":
        names = connection.scalars(
            text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE :p"),
            {"p": PREFIX + "%"},
        ).all()
        for name in names:
            connection.execute(text(f'DROP TRIGGER IF EXISTS "{name}"'))
        return
    names = connection.scalars(
        text(
            "SELECT proname FROM pg_proc WHERE proname LIKE :p"
            " AND pronamespace = current_schema()::regnamespace"
        ),
        {"p": PREFIX.replace("_", r"\_") + "%"},
    ).all()
    for name in names:
        connection.execute(text(f'DROP FUNCTION IF EXISTS "{name}"() CASCADE'))


def install_triggers(connection: Connection, catalog: Catalog) -> None:
    """Create the triggers of every rollup in `catalog` (after `drop_triggers`)."""
    dialect = connection.dialect
    for name, event, table, condition, body in _triggers(catalog, dialect):
        when = f" WHEN ({condition})" if condition else ""
        if dialect.name == "sqlite":
            connection.exec_driver_sql(
                f'CREATE TRIGGER "{name}" AFTER {event} ON "{table}" FOR EACH ROW{when}'
                f" BEGIN {body}; END"
            )
            continue
        connection.exec_driver_sql(
            f'CREATE FUNCTION "{name}"() RETURNS trigger LANGUAGE plpgsql AS '
            f"$fw$ BEGIN {body}; RETURN NULL; END $fw$"
        )
        connection.exec_driver_sql(
            f'CREATE TRIGGER "{name}" AFTER {event} ON "{table}" FOR EACH ROW{when}'
            f' EXECUTE FUNCTION "{name}"()'
        )


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
