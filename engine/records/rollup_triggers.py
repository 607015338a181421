"""Triggers that keep stored rollups current, whoever writes, in the writing transaction.

For each rollup, triggers on the summed table recompute it for the parent a row links to
before and after an insert, update or delete — an update only when a column the rollup
reads changed — and a trigger on the parent's own table computes a new record's value and
follows the fields a `where` names through `parent.`. Their UPDATE of the parent fires the
parent table's triggers in turn: rollups of rollups settle in dependency order. A batch
write holds them (`pause`) and recomputes each touched parent once instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any
from typing import cast as cast_to

from sqlalchemy import ColumnElement, Table, func, literal_column, select, text, update
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.visitors import ExternallyTraversible, replacement_traverse

from engine.catalog import Catalog
from engine.definitions.model import SYSTEM_COLUMNS, Field, Module, Rollup
from engine.errors import ExpressionError
from engine.records.rollup_keys import (
    Side,
    matched_parents,
    owner_gone,
    owner_parents,
    rows_side,
    split_keys,
)
from engine.records.rollup_rows import row_columns
from engine.records.rollup_values import (
    ordered_rollups,
    parent_columns,
    rollup_value,
    source_columns,
)

PREFIX = "fw_rollup_"
MAX_NAME = 60


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


def _update_sql(catalog: Catalog, module: Module, field: Field, dialect: Dialect, ids: Any) -> str:
    """The UPDATE recomputing the rollup of the parents `ids` names: their ids, or (a
    callable) the condition choosing them in the parent's table."""
    main = catalog.tables[module.id].main
    value = rollup_value(catalog, module, main, field, dialect.name)
    chosen = ids(main) if callable(ids) else main.c.id.in_(ids)
    statement = update(main).where(chosen).values({field.name: value})
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
        if element.expanding:  # `x in ['a', 'b']`: the list written out; none is no row
            listed = ", ".join(processor(v) for v in value or ()) or "SELECT NULL WHERE 1 = 0"
            return literal_column(f"({listed})", type_=element.type)
        return literal_column(processor(value), type_=element.type)


def _triggers(catalog: Catalog, dialect: Dialect) -> list[tuple[str, str, str, str, str]]:
    """(name, event, table, condition, body) of every trigger keeping a rollup current."""
    found: list[tuple[str, str, str, str, str]] = []
    for module, field in ordered_rollups(catalog):
        rollup = field.rollup
        assert rollup is not None
        if rollup.table is not None:
            found.extend(_row_triggers(catalog, module, field, dialect))
            continue
        source_table = catalog.tables[rollup.module].main
        main = catalog.tables[module.id].main
        columns = source_columns(field, source_table)
        key = (module.id, field.name)
        new, old = _side(dialect, "NEW"), _side(dialect, "OLD")
        sql = _update_sql(catalog, module, field, dialect, _matched(rollup, [new]))
        found.append((_name(*key, "i"), "INSERT", source_table.name, "", sql))
        sql = _update_sql(catalog, module, field, dialect, _matched(rollup, [old]))
        found.append((_name(*key, "d"), "DELETE", source_table.name, "", sql))
        sql = _update_sql(catalog, module, field, dialect, _matched(rollup, [old, new]))
        event = "UPDATE OF " + ", ".join(dialect.identifier_preparer.quote(c) for c in columns)
        found.append((_name(*key, "u"), event, source_table.name, _changed(dialect, columns), sql))
        own = _update_sql(catalog, module, field, dialect, [_row(dialect, "NEW", "id")])
        found.append((_name(*key, "n"), "INSERT", main.name, "", own))
        named = parent_columns(field, main)
        if named:
            quoted = ", ".join(dialect.identifier_preparer.quote(c) for c in named)
            condition = _changed(dialect, named)
            found.append((_name(*key, "p"), f"UPDATE OF {quoted}", main.name, condition, own))
    return found


def _row_triggers(
    catalog: Catalog, module: Module, field: Field, dialect: Dialect
) -> list[tuple[str, str, str, str, str]]:
    """A rollup over child-table rows: the rows' inserts, deletes and updates move the
    parents they link to; a change of the owning record's columns it reads (`$state`)
    moves the parents its rows link to; a new parent computes its own."""
    rollup = field.rollup
    assert rollup is not None and rollup.table is not None
    rows = catalog.tables[rollup.module].children[rollup.table]
    owner = catalog.tables[rollup.module].main
    main = catalog.tables[module.id].main
    on_rows, on_owner = row_columns(catalog, field)
    quote = dialect.identifier_preparer.quote
    key = (module.id, field.name)
    new, old = (
        _row_side(catalog, rollup, dialect, "NEW"),
        _row_side(catalog, rollup, dialect, "OLD"),
    )
    found = [
        (_name(*key, "i"), "INSERT", rows.name, "", _sql(catalog, module, field, dialect, [new])),
        (_name(*key, "d"), "DELETE", rows.name, "", _sql(catalog, module, field, dialect, [old])),
    ]
    event = "UPDATE OF " + ", ".join(quote(c) for c in on_rows)
    sql = _sql(catalog, module, field, dialect, [old, new])
    found.append((_name(*key, "u"), event, rows.name, _changed(dialect, on_rows), sql))
    if on_owner:
        owner_id, versions = (
            _row(dialect, "NEW", "id"),
            [_side(dialect, "OLD"), _side(dialect, "NEW")],
        )
        sql = _update_sql(
            catalog,
            module,
            field,
            dialect,
            lambda main: owner_parents(catalog, rollup, main, owner_id, versions),
        )
        event = "UPDATE OF " + ", ".join(quote(c) for c in on_owner)
        found.append((_name(*key, "o"), event, owner.name, _changed(dialect, on_owner), sql))
    if rollup.link is None and split_keys(catalog, rollup)[1]:  # rows may go with their owner
        gone = _side(dialect, "OLD")
        sql = _update_sql(
            catalog, module, field, dialect, lambda main: owner_gone(catalog, rollup, main, gone)
        )
        found.append((_name(*key, "x"), "DELETE", owner.name, "", sql))
    own = _update_sql(catalog, module, field, dialect, [_row(dialect, "NEW", "id")])
    found.append((_name(*key, "n"), "INSERT", main.name, "", own))
    named = parent_columns(field, main)
    if named:
        event = "UPDATE OF " + ", ".join(quote(c) for c in named)
        found.append((_name(*key, "p"), event, main.name, _changed(dialect, named), own))
    return found


def _sql(
    catalog: Catalog, module: Module, field: Field, dialect: Dialect, sides: list[Side]
) -> str:
    assert field.rollup is not None
    return _update_sql(catalog, module, field, dialect, _matched(field.rollup, sides))


def _side(dialect: Dialect, which: str) -> Side:
    """A written row's names as `OLD.x` / `NEW.x`."""
    return lambda name: _row(dialect, which, SYSTEM_COLUMNS.get(name, name))


def _row_side(catalog: Catalog, rollup: Rollup, dialect: Dialect, which: str) -> Side:
    """A written child row's names: its columns, and its owning record's fields by id."""
    return rows_side(catalog, rollup, _side(dialect, which), _row(dialect, which, "parent_id"))


def _matched(rollup: Rollup, sides: list[Side]) -> Callable[[Table], ColumnElement[bool]]:
    return lambda main: matched_parents(rollup, main, sides)


PAUSE_TABLE = PREFIX + "pause"  # SQLite: a row here (this transaction's only) holds them
PAUSE_SETTING = "formwork.rollups_paused"  # PostgreSQL: a transaction-local setting


def _not_paused(dialect: Dialect) -> str:
    if dialect.name == "sqlite":
        return f"NOT EXISTS (SELECT 1 FROM {PAUSE_TABLE})"
    return f"current_setting('{PAUSE_SETTING}', true) IS DISTINCT FROM 'on'"


def pause(session: Session, paused: bool) -> None:
    if session.get_bind().dialect.name != "sqlite":
        value = "on" if paused else "off"
        session.execute(select(func.set_config(PAUSE_SETTING, value, True)))
    elif paused:
        session.execute(text(f"INSERT INTO {PAUSE_TABLE} (paused) VALUES (1)"))
    else:
        session.execute(text(f"DELETE FROM {PAUSE_TABLE}"))


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
    if dialect.name == "sqlite":
        connection.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {PAUSE_TABLE} (paused INTEGER)")
    for name, event, table, condition, body in _triggers(catalog, dialect):
        held = _not_paused(dialect)
        when = f" WHEN ({held} AND ({condition}))" if condition else f" WHEN ({held})"
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
