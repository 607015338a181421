"""Values met while translating an expression to SQL: literals not yet bound, and the
helpers that bind, type, compare and unify them (shared by the translator and functions)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, overload

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    Numeric,
    String,
    false,
    func,
    literal,
    literal_column,
    null,
    true,
    type_coerce,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator, TypeEngine

from engine.errors import ExpressionError
from engine.expressions.sql_dialects import (
    SqlNumber,
    Unscaled,
)
from engine.expressions.values import describe, parse_iso, truthy
from engine.sqltypes import ExactDecimal


@dataclass(frozen=True)
class _Lit:
    """A literal not yet bound: it takes its type from what it meets."""

    value: Any


Sql = ColumnElement[Any] | _Lit


def _kind(value: Sql) -> str:
    """The language kind of a translated value, from its SQL type."""
    if isinstance(value, _Lit):
        return _literal_kind(value.value)
    column_type = value.type
    if isinstance(column_type, ExactDecimal):
        return "number"
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(column_type, Boolean):
        return "boolean"
    if isinstance(column_type, Integer):
        return "integer"
    if isinstance(column_type, Numeric | Float):
        return "number"
    if isinstance(column_type, DateTime):
        return "datetime"
    if isinstance(column_type, Date):
        return "date"
    if isinstance(column_type, String):
        return "text"
    if isinstance(column_type, JSON):
        return "list"
    if _is_null(value):
        return "null"
    return "unknown"


def _literal_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, Decimal):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    return "unknown"


def _is_null(value: Sql) -> bool:
    if isinstance(value, _Lit):
        return value.value is None
    return value.__class__.__name__ == "Null"


def _bind(value: Sql, type_: TypeEngine[Any] | None = None) -> ColumnElement[Any]:
    """A SQL element for a translated value; literals become typed bound parameters."""
    if not isinstance(value, _Lit):
        return value
    raw = value.value
    if raw is None:
        return null()
    if isinstance(raw, bool):
        return true() if raw else false()
    if isinstance(raw, list):
        raise ExpressionError(code="expr_sql_list")
    if isinstance(type_, Date | DateTime) and isinstance(raw, str):
        raw = parse_iso(raw)
    if type_ is not None and not isinstance(type_, ExactDecimal | TypeDecorator):
        return literal(raw, type_)
    if isinstance(type_, SqlNumber) and _is_num(raw):
        return literal(raw, SqlNumber())
    if isinstance(raw, int):
        return literal(raw, Integer())
    if isinstance(raw, Decimal):
        return literal(raw, SqlNumber())
    if isinstance(raw, dt.datetime):
        return literal(raw, DateTime(timezone=True))
    if isinstance(raw, dt.date):
        return literal(raw, Date())
    return literal(raw, String())


def _value(value: Sql) -> Any:
    """What goes on the right of an operator: a raw literal (typed by the column) or SQL."""
    return value.value if isinstance(value, _Lit) else value


@overload
def _plain(value: ColumnElement[Any]) -> ColumnElement[Any]: ...
@overload
def _plain(value: Sql) -> Sql: ...
def _plain(value: Sql) -> Sql:
    """A scaled decimal column as a plain number; everything else as it is."""
    if isinstance(value, ColumnElement) and isinstance(value.type, ExactDecimal):
        return Unscaled(value, literal_column(str(10**value.type.scale)))
    return value


def _comparable(left: ColumnElement[Any], right: Sql) -> tuple[ColumnElement[Any], Sql] | None:
    """Left and right made comparable as the evaluator compares them; None if they never are."""
    left_kind = _kind(left)
    if not isinstance(right, _Lit):
        if isinstance(left.type, ExactDecimal) or isinstance(right.type, ExactDecimal):
            return _bind(_plain(left)), _bind(_plain(right))
        return left, right
    raw = right.value
    if left_kind in ("date", "datetime") and isinstance(raw, str | dt.date):
        try:
            moment = parse_iso(raw) if isinstance(raw, str) else raw
        except ExpressionError:
            return None
        if left_kind == "datetime" and not isinstance(moment, dt.datetime):
            moment = dt.datetime.combine(moment, dt.time(), tzinfo=dt.UTC)
        if left_kind == "date" and isinstance(moment, dt.datetime):
            return type_coerce(left, DateTime(timezone=True)), _Lit(moment)
        return left, _Lit(moment)
    expected = {
        "integer": _is_num,
        "number": _is_num,
        "text": lambda v: isinstance(v, str),
        "boolean": lambda v: isinstance(v, bool),
        "date": lambda v: False,
        "datetime": lambda v: False,
    }.get(left_kind)
    if expected is not None and not expected(raw):
        return None
    if isinstance(left.type, ExactDecimal) and isinstance(raw, Decimal):
        exponent = raw.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -left.type.scale:
            return _bind(_plain(left)), right
    elif left_kind == "integer" and isinstance(raw, Decimal):
        return type_coerce(left, SqlNumber()), right
    return left, right


def _shown(value: Any) -> str:
    if isinstance(value, ColumnElement):
        return f"a {_kind(value)}"

    return describe(value)


def _require_number(what: str, value: Sql) -> None:
    kind = _kind(value)
    if kind not in ("integer", "number", "null", "unknown"):
        raise ExpressionError(code="expr_needs_number", op=what, value=f"a {kind}")


def _unify(values: list[Sql]) -> list[ColumnElement[Any]]:
    """Values that end up in one column (if/else, coalesce) bound to one type."""
    kinds = {_kind(value) for value in values} - {"null"}
    if kinds <= {"integer"}:
        return [_bind(value, Integer()) for value in values]
    if kinds <= {"integer", "number"}:
        return [_bind(_plain(value), SqlNumber()) for value in values]
    columns = [value for value in values if not isinstance(value, _Lit)]
    target = columns[0].type if columns else None
    return [_bind(value, target) for value in values]


def _is_num(value: Any) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _truth(value: Sql) -> ColumnElement[Any]:
    """A condition that holds when the evaluator would find `value` true."""
    if isinstance(value, _Lit):
        return true() if truthy(value.value) else false()
    kind = _kind(value)
    if kind == "boolean":
        return value
    if kind in ("integer", "number"):
        return func.coalesce(value, 0) != 0
    if kind == "text":
        return func.coalesce(value, "") != ""
    if kind == "null":
        return false()
    return value.is_not(None)
