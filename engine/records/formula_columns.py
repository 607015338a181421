"""Formulas over rollups computed by the database, as if they were stored columns.

`paid_pct = paid / contract_value * 100` reads the stored rollup `paid`; it is computed when
read (engine/records/reading.py), and the database computes the same value in SQL from the
row's columns wherever it filters, sorts, totals or groups (the import checks which formulas
it can: engine/definitions/check_formula_columns.py). The value is brought to the field's
own column form — its scale, rounded half away from zero as the kinds round, and on SQLite
the scaled integer a decimal column holds — so a filter value, a sum and a sort treat it
exactly like a stored decimal. A rollup withheld from the reader is NULL in it, so is the
formula.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, literal_column, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from engine.definitions.model import SYSTEM_COLUMNS, Field, Module
from engine.errors import ExpressionError
from engine.expressions.sql import Resolve
from engine.sqltypes import ExactDecimal
from engine.storage import column_for


def computed_in_sql(field: Field | None) -> bool:
    """A formula computed when read that does not read the clock (the import refused any
    other such formula where the database would compute it)."""
    return (
        field is not None
        and field.on_read
        and field.formula is not None
        and not field.formula.uses_clock
    )


class ToColumn(FunctionElement[Any]):
    """A computed number in a column's form: (value, shift to the column's scale, scale,
    whole)."""

    name = "to_column"
    inherit_cache = True


def _parts(element: ToColumn, compiler: Any, **kw: Any) -> list[str]:
    return [compiler.process(arg, **kw) for arg in element.clauses]


@compiles(ToColumn)
def _to_column_default(element: ToColumn, compiler: Any, **kw: Any) -> str:
    value, _shift, scale, whole = _parts(element, compiler, **kw)
    rounded = f"ROUND(CAST({value} AS NUMERIC), {scale})"
    return f"CAST({rounded} AS BIGINT)" if whole == "1" else rounded


@compiles(ToColumn, "sqlite")
def _to_column_sqlite(element: ToColumn, compiler: Any, **kw: Any) -> str:
    value, shift, _scale, _whole = _parts(element, compiler, **kw)
    return f"CAST(ROUND(({value}) * {shift}) AS INTEGER)"


def formula_column(field: Field, resolve: Resolve) -> ColumnElement[Any]:
    """The formula's value for each row, in the form of the column it would have."""
    assert field.formula is not None
    value = field.formula.to_sql(resolve)
    target = column_for(field).type
    if field.kind_type.summable:
        scale = field.scale or 0
        given = value.type.scale if isinstance(value.type, ExactDecimal) else 0
        shift: ColumnElement[Any] = literal_column(repr(10.0 ** (scale - given)))
        whole: ColumnElement[Any] = literal_column("1" if field.scale is None else "0")
        value = ToColumn(value, shift, literal_column(str(scale)), whole)
    return type_coerce(value, target)


def plain_resolver(table: Any, module: Module) -> Resolve:
    """Names of a row as stored (rollups as they are: the caller applies the trust rule,
    see `rollups_read`), formulas the database computes expanded in place."""

    def resolve(path: tuple[str, ...]) -> ColumnElement[Any]:
        name = path[0]
        field = module.field(name)
        if len(path) == 1 and computed_in_sql(field):
            assert field is not None
            return formula_column(field, resolve)
        column = SYSTEM_COLUMNS.get(name, name)
        if len(path) == 1 and column in table.c:
            return table.c[column]
        raise ExpressionError(code="expr_not_stored", name=".".join(path), module=module.id)

    return resolve


def rollups_read(module: Module, name: str) -> list[str]:
    """The rollups of its own record a field is (a rollup) or reads (a formula the database
    computes, through the formulas it reads): the figures a reader must be allowed."""
    found: list[str] = []
    pending = [name]
    while pending:
        field = module.field(pending.pop())
        if field is None or field.name in found:
            continue
        if field.rollup is not None:
            found.append(field.name)
        elif computed_in_sql(field):
            assert field.formula is not None
            pending += [ref[0] for ref in field.formula.references if len(ref) == 1]
    return found
