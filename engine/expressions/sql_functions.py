"""The language's functions translated to SQL (aggregates, round, abs, len, dates, ...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    Integer,
    Numeric,
    String,
    case,
    cast,
    func,
    literal,
    not_,
    type_coerce,
)
from sqlalchemy.sql.elements import ColumnElement

from engine.errors import ExpressionError
from engine.expressions.sql_dates import DATE_CALLS
from engine.expressions.sql_dialects import (
    DaysBetween,
    MonthOf,
    SqlNumber,
    YearOf,
)
from engine.expressions.sql_values import (
    Sql,
    _bind,
    _is_num,
    _kind,
    _Lit,
    _plain,
    _require_number,
    _unify,
)
from engine.expressions.values import parse_iso, text_of


def _sum(args: list[Sql]) -> ColumnElement[Any]:
    (value,) = _aggregate_args("sum", args)
    _require_number("sum", value)
    total = func.sum(_bind(value))
    return func.coalesce(total, 0, type_=total.type)


def _avg(args: list[Sql]) -> ColumnElement[Any]:
    (value,) = _aggregate_args("avg", args)
    _require_number("avg", value)
    return func.avg(_bind(_plain(value)), type_=SqlNumber())


def _extreme(name: str) -> Callable[[list[Sql]], ColumnElement[Any]]:
    def translate_extreme(args: list[Sql]) -> ColumnElement[Any]:
        (value,) = _aggregate_args(name, args)
        return getattr(func, name)(_bind(value))

    return translate_extreme


def _count(args: list[Sql]) -> ColumnElement[Any]:
    if not args:
        return func.count()
    (value,) = _aggregate_args("count", args)
    return func.count(_bind(value))


def _aggregate_args(name: str, args: list[Sql]) -> list[Sql]:
    if len(args) != 1:
        raise ExpressionError(code="expr_sql_aggregate_arity", name=name, given=len(args))
    if isinstance(args[0], _Lit) and isinstance(args[0].value, list):
        raise ExpressionError(code="expr_sql_aggregate_list", name=name)
    return args


def _round(args: list[Sql]) -> ColumnElement[Any]:
    value, places = args[0], args[1] if len(args) > 1 else _Lit(0)
    if not (isinstance(places, _Lit) and _is_num(places.value) and places.value % 1 == 0):
        raise ExpressionError(code="expr_sql_round_places")
    _require_number("round", value)
    plain = _bind(_plain(value))
    return func.round(cast(plain, Numeric()), int(places.value), type_=SqlNumber())


def _abs(args: list[Sql]) -> ColumnElement[Any]:
    _require_number("abs", args[0])
    plain = _bind(_plain(args[0]))
    return func.abs(plain, type_=plain.type)


def _len(args: list[Sql]) -> ColumnElement[Any]:
    (value,) = args
    if _kind(value) not in ("text", "unknown"):
        raise ExpressionError(code="expr_sql_len_text")
    return func.length(_bind(value, String()), type_=Integer())


def _coalesce(args: list[Sql]) -> ColumnElement[Any]:
    values = _unify(args)
    return func.coalesce(*values, type_=values[0].type)


def _concat(args: list[Sql]) -> ColumnElement[Any]:
    parts = [_as_text(arg) for arg in args]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.concat(part)
    return type_coerce(joined, String())


def _as_text(value: Sql) -> ColumnElement[Any]:
    if isinstance(value, _Lit):
        return literal(text_of(value.value), String())
    kind = _kind(value)
    if kind == "text":
        return func.coalesce(value, "")
    if kind == "boolean":
        return case((value, "true"), (not_(value), "false"), else_="")
    return func.coalesce(cast(_bind(_plain(value)), String()), "")


def _dated(value: Sql) -> ColumnElement[Any]:
    if isinstance(value, _Lit) and isinstance(value.value, str):
        return _bind(_Lit(parse_iso(value.value)))
    if _kind(value) not in ("date", "datetime", "text", "unknown"):
        raise ExpressionError(code="expr_expected_date", value=f"a {_kind(value)}")
    return _bind(value)


def _year(args: list[Sql]) -> ColumnElement[Any]:
    return YearOf(_dated(args[0]))


def _month(args: list[Sql]) -> ColumnElement[Any]:
    return MonthOf(_dated(args[0]))


def _days_between(args: list[Sql]) -> ColumnElement[Any]:
    return DaysBetween(_dated(args[0]), _dated(args[1]))


_CALLS: dict[str, Callable[[list[Sql]], ColumnElement[Any]]] = {
    "sum": _sum,
    "avg": _avg,
    "min": _extreme("min"),
    "max": _extreme("max"),
    "count": _count,
    "round": _round,
    "abs": _abs,
    "len": _len,
    "coalesce": _coalesce,
    "concat": _concat,
    "year": _year,
    "month": _month,
    "days_between": _days_between,
    **DATE_CALLS,
}
