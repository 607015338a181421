"""`a + b` and `a - b` of exact decimals kept exact in SQL, on both backends alike.

A decimal column is NUMERIC on PostgreSQL and a scaled integer on SQLite
(engine/sqltypes.ExactDecimal). General arithmetic turns the scaled integers into plain
numbers, which SQLite computes as REAL: a report's `sum(current_value - paid)` then read
back as 74920000.0 on SQLite and 74920000.00 on PostgreSQL. Adding or subtracting decimals
(and whole numbers) needs no such detour: the scaled integers aligned to the larger scale
add exactly, and the result is a decimal of that scale on both backends.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Integer, literal_column, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from engine.sqltypes import ExactDecimal


class ExactSum(FunctionElement[Any]):
    """(left, right, left's factor, right's factor, operator) of an exact `±`."""

    name = "exact_sum"
    inherit_cache = True


def _parts(element: ExactSum, compiler: Any, **kw: Any) -> list[str]:
    return [compiler.process(arg, **kw) for arg in element.clauses]


@compiles(ExactSum)
def _exact_default(element: ExactSum, compiler: Any, **kw: Any) -> str:
    left, right, _left_factor, _right_factor, op = _parts(element, compiler, **kw)
    return f"({left} {op} {right})"


@compiles(ExactSum, "sqlite")
def _exact_sqlite(element: ExactSum, compiler: Any, **kw: Any) -> str:
    left, right, left_factor, right_factor, op = _parts(element, compiler, **kw)
    return f"({left} * {left_factor} {op} {right} * {right_factor})"


def _scale(value: Any) -> int | None:
    """A column's decimal places if it is exact (a decimal or a whole number), else None."""
    if not isinstance(value, ColumnElement):
        return None
    if isinstance(value.type, ExactDecimal):
        return value.type.scale
    if isinstance(value.type, Integer):
        return 0
    return None


def exact_sum(op: str, left: Any, right: Any) -> ColumnElement[Any] | None:
    """`left op right` as an exact decimal when both are exact and one is a decimal."""
    if op not in ("+", "-"):
        return None
    left_scale, right_scale = _scale(left), _scale(right)
    if left_scale is None or right_scale is None:
        return None
    if not any(isinstance(v.type, ExactDecimal) for v in (left, right)):
        return None  # whole numbers keep their own arithmetic
    scale = max(left_scale, right_scale)
    factors: list[ColumnElement[Any]] = [
        literal_column(str(10 ** (scale - s))) for s in (left_scale, right_scale)
    ]
    summed = ExactSum(left, right, *factors, literal_column(op))
    return type_coerce(summed, ExactDecimal(scale))
