"""Each module's own typed tables, built from its compiled definition, and the DDL of upgrades.

`m_<module>` holds one row per record (system columns + one column per stored scalar
field and one per rollup, kept current by engine/records/rollups.py); each child table
field gets `m_<module>__<field>`. Indexes follow the module's list
filters, sorts, totals, links and the rollups other modules declare over it, so counts and
totals can be answered from a covering index.

Upgrades compare the tables of the old and the new definition and apply the difference with
Alembic's operations on the import's own connection, inside its transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)
from sqlalchemy.engine import Connection

from engine.definitions.model import Field, Module, Report

ID_LENGTH = 32
MAX_INDEX_NAME = 60


def _index_name(table: str, columns: Sequence[str], unique: bool = False) -> str:
    name = f"{'ux' if unique else 'ix'}_{table}__{'_'.join(columns)}"
    if len(name) <= MAX_INDEX_NAME:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_INDEX_NAME - 9]}_{digest}"


def column_for(field: Field) -> Column[Any]:
    return Column(field.name, field.kind_type.sql_type(field), nullable=True)


def _system_columns() -> list[Column[Any]]:
    return [
        Column("id", String(ID_LENGTH), primary_key=True),
        Column("number", String(64), nullable=True),
        Column("state", String(64), nullable=True),
        Column("state_since", DateTime(timezone=True), nullable=True),
        Column("owner", String(64), nullable=True),
        Column("version", Integer, nullable=False, default=1),
        Column("module_version", String(64), nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    ]


@dataclass(frozen=True)
class IndexSpec:
    table: str
    columns: tuple[str, ...]
    unique: bool = False

    @property
    def name(self) -> str:
        return _index_name(self.table, self.columns, self.unique)


def _column_name(name: str) -> str:
    return name[1:] if name.startswith("$") else name


def _list_indexes(module: Module, stored: set[str], totals: tuple[str, ...]) -> list[IndexSpec]:
    """Indexes for the list: each filter with the totals, equality filters with the sort."""
    table = module.table_name
    specs: list[IndexSpec] = []
    first_sort = module.ui.list.sort[0].lstrip("-+") if module.ui.list.sort else "$created_at"
    sort_column = _column_name(first_sort)
    for name in module.ui.list.filters:
        column = _column_name(name)
        if column in stored:
            specs.append(IndexSpec(table, (column, *(t for t in totals if t != column))))
            field = module.field(name)
            equality = name == "$state" or (field is not None and field.kind_type.equality_index)
            if equality and sort_column in stored and sort_column != column:
                specs.append(IndexSpec(table, (column, sort_column, "id")))
    for key in module.ui.list.sort:
        column = _column_name(key.lstrip("-+"))
        if column in stored:
            specs.append(IndexSpec(table, (column, "id")))
    return specs


def _rollup_indexes(module: Module, modules: Iterable[Module], stored: set[str]) -> list[IndexSpec]:
    """For each rollup another module declares over this one: link, conditions, values."""
    specs: list[IndexSpec] = []
    for other in modules:
        for f in other.rollup_fields:
            rollup = f.rollup
            if rollup is None or rollup.module != module.id or rollup.table is not None:
                continue  # child rows are summed by parent id (engine/records/rollup_rows.py)
            where_columns = tuple(
                _column_name(ref[0])
                for ref in sorted(rollup.where.references if rollup.where else ())
                if len(ref) == 1 and _column_name(ref[0]) in stored
            )
            value_columns = tuple(
                ref[0]
                for ref in sorted(rollup.value.references)
                if len(ref) == 1 and ref[0] in stored
            )
            specs.append(
                IndexSpec(
                    module.table_name,
                    (*(name for name, _ in rollup.keys), *where_columns, *value_columns),
                )
            )
    return specs


def _report_indexes(module: Module, reports: Iterable[Report], stored: set[str]) -> list[IndexSpec]:
    """For each report over this module: its condition and group columns, then its measures."""
    specs: list[IndexSpec] = []
    for report in reports:
        if report.module != module.id:
            continue
        groups = _plain_columns(report.group_by, stored)
        measures = _plain_columns(tuple(report.measures.values()), stored)
        if report.where is not None:
            groups = _plain_columns((report.where,), stored) + groups
        if groups:
            specs.append(IndexSpec(module.table_name, (*groups, *measures)))
    return specs


def _without_covered(specs: list[IndexSpec]) -> list[IndexSpec]:
    """Each index once, leaving out one whose columns lead a longer index (unique ones stay)."""
    unique: dict[str, IndexSpec] = {}
    for spec in specs:
        columns = tuple(dict.fromkeys(spec.columns))
        spec = IndexSpec(spec.table, columns, spec.unique)
        covered = any(
            other.columns[: len(columns)] == columns and other.unique == spec.unique
            for other in specs
            if len(other.columns) > len(columns)
        )
        if not covered or spec.unique:
            unique.setdefault(spec.name, spec)
    return list(unique.values())


def index_specs(
    module: Module, modules: Iterable[Module] = (), reports: Iterable[Report] = ()
) -> list[IndexSpec]:
    """The indexes of a module's main table, derived from how it is listed, linked and reported.

    - each list filter leads a covering index with the list totals (count and sums read the
      index alone); an equality filter (choice, link, user, state) also leads an index with
      the default sort, so a filtered, sorted page walks the index in order;
    - each sort key, each link, the rollups other modules declare over this one, and each
      report (its group columns, then its measure columns) get an index of their own.
    - each unique field and unique combination gets a UNIQUE index (empty values never collide).
    """
    table = module.table_name
    stored = {f.name for f in (*module.stored_fields, *module.rollup_fields)} | {
        "number",
        "state",
        "owner",
        "created_at",
        "updated_at",
    }
    totals = tuple(t for t in module.ui.list.totals if t in stored)
    specs: list[IndexSpec] = [
        IndexSpec(table, ("number",), unique=True),
        IndexSpec(table, ("owner",)),
        IndexSpec(table, ("created_at", "id")),
    ]
    if module.workflow:
        specs.append(IndexSpec(table, ("state", *totals)))
    specs += _list_indexes(module, stored, totals)
    specs += [IndexSpec(table, (f.name,)) for f in module.stored_fields if f.kind_type.links]
    specs += _rollup_indexes(module, modules, stored)
    specs += _report_indexes(module, reports, stored)
    # unique fields and combinations: the database itself refuses a second record with them
    specs += [IndexSpec(table, names, unique=True) for names in module.unique]
    return _without_covered(specs)


def _plain_columns(expressions: Iterable[Any], stored: set[str]) -> tuple[str, ...]:
    """The stored columns expressions read, in order of first use (for a covering index)."""
    columns: list[str] = []
    for expression in expressions:
        for ref in sorted(expression.references):
            column = _column_name(ref[0])
            if len(ref) == 1 and column in stored and column not in columns:
                columns.append(column)
    return tuple(columns)


@dataclass
class ModuleTables:
    main: Table
    children: dict[str, Table] = field(default_factory=dict)

    def all(self) -> list[Table]:
        return [self.main, *self.children.values()]


def build_tables(
    module: Module,
    metadata: MetaData,
    modules: Iterable[Module] = (),
    reports: Iterable[Report] = (),
) -> ModuleTables:
    """SQLAlchemy tables (with indexes) for a module, registered in `metadata`."""
    columns = [*_system_columns(), *(column_for(f) for f in module.stored_fields)]
    columns += [column_for(f) for f in module.rollup_fields]  # kept by engine/records/rollups
    main = Table(module.table_name, metadata, *columns)
    for spec in index_specs(module, modules, reports):
        Index(spec.name, *(main.c[c] for c in spec.columns), unique=spec.unique)
    tables = ModuleTables(main)
    for f in module.table_fields:
        name = module.child_table_name(f.name)
        child = Table(
            name,
            metadata,
            Column(
                "parent_id",
                String(ID_LENGTH),
                ForeignKey(f"{module.table_name}.id", ondelete="CASCADE"),
                primary_key=True,
            ),
            Column("idx", Integer, primary_key=True, autoincrement=False),
            *(column_for(c) for c in f.children if c.stored),
        )
        for c in f.children:  # rows found by the record they point at (related, rollups)
            if c.stored and c.kind_type.links:
                Index(_index_name(name, (c.name,)), child.c[c.name])
        tables.children[f.name] = child
    return tables


# --- upgrades -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DdlStep:
    """One change of the database schema, described for the dry run and applied for real."""

    action: str  # create/drop table, add/drop/alter column, create/drop index
    table: str
    column: str | None = None
    detail: str = ""
    payload: Any = None

    def describe(self) -> str:
        target = f"{self.table}.{self.column}" if self.column else self.table
        return f"{self.action.replace('_', ' ')} {target}{' ' + self.detail if self.detail else ''}"


def _type_key(column: Column[Any]) -> str:
    type_ = column.type
    scale = getattr(type_, "scale", None)
    return f"{type(type_).__name__}:{scale}"


# drop before create; children before parents when dropping, parents first when creating
DDL_RANK = {
    "drop_index": 0,
    "drop_table": 1,
    "drop_column": 2,
    "create_table": 3,
    "add_column": 4,
    "alter_column": 5,
    "create_index": 6,
}


def _ddl_order(step: DdlStep) -> tuple[int, int]:
    depth = step.table.count("__")
    return DDL_RANK[step.action], -depth if step.action == "drop_table" else depth


def _column_steps(before: Table, table: Table) -> list[DdlStep]:
    """Columns dropped, added (nullable) or retyped between two versions of one table."""
    name = table.name
    steps = [
        DdlStep("drop_column", name, column.name, payload=column)
        for column in before.columns
        if column.name not in table.c
    ]
    for column in table.columns:
        payload = Column(column.name, column.type, nullable=True)
        if column.name not in before.c:
            steps.append(DdlStep("add_column", name, column.name, payload=payload))
        elif _type_key(column) != _type_key(before.c[column.name]):
            detail = f"({_type_key(before.c[column.name])} → {_type_key(column)})"
            steps.append(DdlStep("alter_column", name, column.name, detail=detail, payload=payload))
    return steps


def _table_steps(before: Table, table: Table) -> list[DdlStep]:
    """Indexes dropped, then column changes, then indexes created, for one kept table."""
    old_indexes = {ix.name: ix for ix in before.indexes}
    new_indexes = {ix.name: ix for ix in table.indexes}
    steps = [
        DdlStep("drop_index", table.name, detail=ix_name or "", payload=ix)
        for ix_name, ix in old_indexes.items()
        if ix_name not in new_indexes
    ]
    steps += _column_steps(before, table)
    steps += [
        DdlStep("create_index", table.name, detail=ix_name or "", payload=ix)
        for ix_name, ix in new_indexes.items()
        if ix_name not in old_indexes
    ]
    return steps


def plan_ddl(old: Iterable[Table], new: Iterable[Table]) -> list[DdlStep]:
    """The steps that turn the `old` tables into the `new` ones (tables, columns, indexes)."""
    old_by_name = {t.name: t for t in old}
    new_by_name = {t.name: t for t in new}
    steps: list[DdlStep] = []
    for name, table in new_by_name.items():
        if name not in old_by_name:
            detail = f"with {len(table.indexes)} indexes" if table.indexes else ""
            steps.append(DdlStep("create_table", name, detail=detail, payload=table))
    for name, table in new_by_name.items():
        if name in old_by_name:
            steps += _table_steps(old_by_name[name], table)
    steps += [DdlStep("drop_table", name) for name in old_by_name if name not in new_by_name]
    return sorted(steps, key=_ddl_order)


def apply_ddl(connection: Connection, steps: Sequence[DdlStep]) -> None:
    """Run the steps with Alembic's operations on the caller's connection and transaction."""
    if not steps:
        return
    ops = Operations(MigrationContext.configure(connection=connection))
    for step in steps:
        if step.action == "create_table":
            table: Table = step.payload
            table.create(connection)
        elif step.action == "drop_table":
            ops.drop_table(step.table)
        elif step.action == "add_column":
            ops.add_column(step.table, step.payload)
        elif step.action == "drop_column":
            assert step.column is not None  # a drop_column step always names its column
            ops.drop_column(step.table, step.column)
        elif step.action == "alter_column":
            # only reached when the column holds no value (checked by the upgrade), so a
            # drop and re-add is exact on both backends and needs no table rebuild
            assert step.column is not None
            ops.drop_column(step.table, step.column)
            ops.add_column(step.table, step.payload)
        elif step.action == "create_index":
            index: Index = step.payload
            ops.create_index(
                index.name, step.table, [c.name for c in index.columns], unique=index.unique
            )
        elif step.action == "drop_index":
            ops.drop_index(step.detail, table_name=step.table)
