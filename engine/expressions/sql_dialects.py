"""SQL constructs the expression translator needs, compiled per dialect.

SQLite and PostgreSQL spell dates, exact division and remainders differently; each
construct here compiles to the right text for each, so `sql.py` only builds trees.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    Numeric,
    String,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator, TypeEngine

from engine import numbers
from engine.errors import ExpressionError

Resolve = Callable[[tuple[str, ...]], ColumnElement[Any]]


class SqlNumber(TypeDecorator[Decimal]):
    """A computed number: NUMERIC on PostgreSQL, REAL on SQLite; always Decimal in Python."""

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Float())
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is not None and dialect.name == "sqlite":
            return float(value)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        """The Decimal read, refused beyond the language's range (SQLite's REAL gives `inf`)."""
        if value is None:
            return None
        try:
            return numbers.checked(value if isinstance(value, Decimal) else Decimal(repr(value)))
        except numbers.NumberRefused:
            raise ExpressionError(code="expr_computed_out_of_range") from None

    def coerce_compared_value(self, op: Any, value: Any) -> TypeEngine[Any]:
        return self


# --- constructs compiled per dialect -------------------------------------------------------


class YearOf(FunctionElement[int]):
    """The year of a date or datetime, as an integer."""

    type = Integer()
    name = "year_of"
    inherit_cache = True


class MonthOf(FunctionElement[str]):
    """The calendar month of a date or datetime, as text 'YYYY-MM'."""

    type = String()
    name = "month_of"
    inherit_cache = True


class DaysBetween(FunctionElement[int]):
    """Whole days from the first date to the second."""

    type = Integer()
    name = "days_from_to"
    inherit_cache = True


class DecimalDivide(FunctionElement[Decimal]):
    """a / b as decimals (SQLite: as reals), never integer division."""

    type = SqlNumber()
    name = "decimal_divide"
    inherit_cache = True


class Remainder(FunctionElement[Decimal]):
    """a % b with the sign of a, for decimals too (SQLite's % truncates to integers)."""

    type = SqlNumber()
    name = "remainder"
    inherit_cache = True


class Unscaled(FunctionElement[Decimal]):
    """A decimal column as a plain number: (x / 10^scale) on SQLite, x elsewhere."""

    type = SqlNumber()
    name = "unscaled"
    inherit_cache = True


def _args(element: FunctionElement[Any], compiler: Any, **kw: Any) -> list[str]:
    return [compiler.process(arg, **kw) for arg in element.clauses]


@compiles(YearOf)
def _year_default(element: YearOf, compiler: Any, **kw: Any) -> str:
    (value,) = _args(element, compiler, **kw)
    return f"CAST(EXTRACT(YEAR FROM {value}) AS INTEGER)"


@compiles(YearOf, "sqlite")
def _year_sqlite(element: YearOf, compiler: Any, **kw: Any) -> str:
    (value,) = _args(element, compiler, **kw)
    return f"CAST(strftime('%Y', {value}) AS INTEGER)"


@compiles(MonthOf)
def _month_default(element: MonthOf, compiler: Any, **kw: Any) -> str:
    (value,) = _args(element, compiler, **kw)
    return f"to_char({value}, 'YYYY-MM')"


@compiles(MonthOf, "sqlite")
def _month_sqlite(element: MonthOf, compiler: Any, **kw: Any) -> str:
    (value,) = _args(element, compiler, **kw)
    return f"strftime('%Y-%m', {value})"


@compiles(DaysBetween)
def _days_default(element: DaysBetween, compiler: Any, **kw: Any) -> str:
    start, end = _args(element, compiler, **kw)
    return f"(CAST({end} AS DATE) - CAST({start} AS DATE))"


@compiles(DaysBetween, "sqlite")
def _days_sqlite(element: DaysBetween, compiler: Any, **kw: Any) -> str:
    start, end = _args(element, compiler, **kw)
    return f"CAST(julianday(date({end})) - julianday(date({start})) AS INTEGER)"


@compiles(DecimalDivide)
def _divide_default(element: DecimalDivide, compiler: Any, **kw: Any) -> str:
    left, right = _args(element, compiler, **kw)
    return f"(CAST({left} AS NUMERIC) / NULLIF({right}, 0))"


@compiles(DecimalDivide, "sqlite")
def _divide_sqlite(element: DecimalDivide, compiler: Any, **kw: Any) -> str:
    left, right = _args(element, compiler, **kw)
    return f"(CAST({left} AS REAL) / NULLIF({right}, 0))"


@compiles(Remainder)
def _remainder_default(element: Remainder, compiler: Any, **kw: Any) -> str:
    left, right = _args(element, compiler, **kw)
    return f"MOD({left}, NULLIF({right}, 0))"


@compiles(Remainder, "sqlite")
def _remainder_sqlite(element: Remainder, compiler: Any, **kw: Any) -> str:
    left, right = _args(element, compiler, **kw)
    return f"({left} - ({right}) * CAST(CAST({left} AS REAL) / NULLIF({right}, 0) AS INTEGER))"


@compiles(Unscaled)
def _unscaled_default(element: Unscaled, compiler: Any, **kw: Any) -> str:
    value, _factor = _args(element, compiler, **kw)
    return value


@compiles(Unscaled, "sqlite")
def _unscaled_sqlite(element: Unscaled, compiler: Any, **kw: Any) -> str:
    value, factor = _args(element, compiler, **kw)
    return f"(CAST({value} AS REAL) / {factor})"
