"""Date arithmetic and the date and rounding functions in SQL, as dates.py computes them.

`date ± n`, `date - date`, `add_days`, `add_months`, `week`, `floor` and `ceil` compile to
SQLite's date functions and PostgreSQL's date operators so that both give what Python gives:
months clamp to the month's end (SQLite's own '+1 month' would overflow into the next
month), weeks are ISO weeks, and datetimes move in UTC keeping their time of day. A database
cannot raise a per-row error, so a shift that leaves the years 1 to 9999 gives NULL where
Python refuses it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import Date, DateTime, Integer, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from engine.errors import ExpressionError
from engine.expressions.dates import MAX_DAYS, MAX_MONTHS
from engine.expressions.sql_dialects import DaysBetween
from engine.expressions.sql_values import Sql, _bind, _is_num, _kind, _Lit, _plain, _require_number
from engine.expressions.values import parse_iso

_LAST_DAY = MAX_DAYS - 1  # days from 0001-01-01 to 9999-12-31
_MONTH_SPAN = (12, 9999 * 12 + 11)  # year * 12 + month - 1 of January 1 and December 9999


class _Shift(FunctionElement[Any]):
    """A date (or a datetime, `Moment…`) moved by a whole number of days or months."""

    type = Date()
    inherit_cache = True


class ShiftDays(_Shift):
    name = "shift_days"
    inherit_cache = True


class ShiftMonths(_Shift):
    name = "shift_months"
    inherit_cache = True


class MomentShiftDays(_Shift):
    name = "moment_shift_days"
    inherit_cache = True


class MomentShiftMonths(_Shift):
    name = "moment_shift_months"
    inherit_cache = True


class WeekOf(FunctionElement[int]):
    """The ISO week number of a date or datetime."""

    type = Integer()
    name = "week_of"
    inherit_cache = True


class Floor(FunctionElement[int]):
    type = Integer()
    name = "floor_of"
    inherit_cache = True


class Ceil(FunctionElement[int]):
    type = Integer()
    name = "ceil_of"
    inherit_cache = True


def _args(element: FunctionElement[Any], compiler: Any, **kw: Any) -> list[str]:
    return [compiler.process(arg, **kw) for arg in element.clauses]


def _sqlite_within(result: str, value: str, amount: str) -> str:
    """`result` (a 'YYYY-MM-DD' text) with the time of day of `value`, NULL out of range
    (and for a NULL amount, which printf would read as 0)."""
    return (
        f"(CASE WHEN {amount} IS NOT NULL AND {result} BETWEEN '0001-01-01' AND '9999-12-31' "
        f"THEN {result} || substr({value}, 11) END)"
    )


@compiles(_Shift, "sqlite")
def _shift_sqlite(element: _Shift, compiler: Any, **kw: Any) -> str:
    value, amount = _args(element, compiler, **kw)
    if isinstance(element, ShiftDays | MomentShiftDays):
        moved = f"date({value}, printf('%+d days', {amount}))"
    else:
        first = f"date({value}, 'start of month', printf('%+d months', {amount})"
        day = f"printf('+%d days', CAST(strftime('%d', {value}) AS INTEGER) - 1)"
        moved = f"min({first}, {day}), {first}, '+1 month', '-1 day'))"
    return _sqlite_within(moved, value, amount)


def _pg_day(value: str, moment: bool) -> str:
    return f"CAST(({value} AT TIME ZONE 'UTC') AS DATE)" if moment else value


@compiles(_Shift)
def _shift_default(element: _Shift, compiler: Any, **kw: Any) -> str:
    value, amount = _args(element, compiler, **kw)
    moment = isinstance(element, MomentShiftDays | MomentShiftMonths)
    day = _pg_day(value, moment)
    if isinstance(element, ShiftDays | MomentShiftDays):
        limit, unit = MAX_DAYS, "days"
        inside = f"({day} - DATE '0001-01-01') + {amount} BETWEEN 0 AND {_LAST_DAY}"
    else:
        limit, unit = MAX_MONTHS, "months"
        index = f"(EXTRACT(YEAR FROM {day}) * 12 + EXTRACT(MONTH FROM {day}) - 1 + {amount})"
        inside = f"{index} BETWEEN {_MONTH_SPAN[0]} AND {_MONTH_SPAN[1]}"
    step = f"make_interval({unit} => CAST({amount} AS INTEGER))"
    if moment:
        moved = f"((({value} AT TIME ZONE 'UTC') + {step}) AT TIME ZONE 'UTC')"
    else:
        moved = f"CAST({value} + {step} AS DATE)"
    return (
        f"(CASE WHEN {amount} NOT BETWEEN -{limit} AND {limit} THEN NULL "
        f"WHEN {inside} THEN {moved} END)"
    )


@compiles(WeekOf)
def _week_default(element: WeekOf, compiler: Any, **kw: Any) -> str:
    (value,) = _args(element, compiler, **kw)
    return f"CAST(EXTRACT(WEEK FROM {value}) AS INTEGER)"


@compiles(WeekOf, "sqlite")
def _week_sqlite(element: WeekOf, compiler: Any, **kw: Any) -> str:
    (value,) = _args(element, compiler, **kw)  # the week's Thursday decides its year
    return f"((CAST(strftime('%j', date({value}, '-3 days', 'weekday 4')) AS INTEGER) - 1) / 7 + 1)"


@compiles(Floor)
def _floor_default(element: Floor, compiler: Any, **kw: Any) -> str:
    (value,) = _args(element, compiler, **kw)
    return f"FLOOR({value})"


@compiles(Ceil)
def _ceil_default(element: Ceil, compiler: Any, **kw: Any) -> str:
    (value,) = _args(element, compiler, **kw)
    return f"CEIL({value})"


@compiles(Floor, "sqlite")
def _floor_sqlite(element: Floor, compiler: Any, **kw: Any) -> str:
    (value,) = _args(element, compiler, **kw)  # CAST truncates toward zero
    whole = f"CAST({value} AS INTEGER)"
    return f"(CASE WHEN {value} >= 0 OR {value} = {whole} THEN {whole} ELSE {whole} - 1 END)"


@compiles(Ceil, "sqlite")
def _ceil_sqlite(element: Ceil, compiler: Any, **kw: Any) -> str:
    (value,) = _args(element, compiler, **kw)
    whole = f"CAST({value} AS INTEGER)"
    return f"(CASE WHEN {value} <= 0 OR {value} = {whole} THEN {whole} ELSE {whole} + 1 END)"


# --- translation ---------------------------------------------------------------------------


def _moment(value: Sql) -> tuple[ColumnElement[Any], str]:
    """A date argument bound for SQL, and its kind (an ISO text literal is parsed)."""
    if isinstance(value, _Lit) and isinstance(value.value, str):
        parsed = parse_iso(value.value)
        value = _Lit(parsed)
    kind = _kind(value)
    if isinstance(value, _Lit) and isinstance(value.value, dt.date):
        kind = "datetime" if isinstance(value.value, dt.datetime) else "date"
    if kind not in ("date", "datetime", "text", "unknown"):
        raise ExpressionError(code="expr_expected_date", value=f"a {kind}")
    return _bind(value), kind


def _amount(value: Sql, sign: int = 1) -> ColumnElement[Any]:
    """A shift amount: an integer column, or a whole number written out."""
    if isinstance(value, _Lit):
        if not (_is_num(value.value) and value.value == int(value.value)):
            raise ExpressionError(code="expr_sql_whole_shift")
        return _bind(_Lit(sign * int(value.value)))
    if _kind(value) not in ("integer", "unknown"):
        raise ExpressionError(code="expr_sql_whole_shift")
    return value if sign == 1 else -value


def _shift(days: bool, value: Sql, amount: ColumnElement[Any]) -> ColumnElement[Any]:
    moment, kind = _moment(value)
    if kind == "datetime":
        shifted = (MomentShiftDays if days else MomentShiftMonths)(moment, amount)
        return type_coerce(shifted, DateTime(timezone=True))
    return (ShiftDays if days else ShiftMonths)(moment, amount)


def date_arithmetic(op: str, left: Sql, right: Sql) -> ColumnElement[Any] | None:
    """`date ± n` and `date - date` in SQL; None when neither side is a date."""
    kinds = (_kind(left), _kind(right))
    if op not in ("+", "-") or not {"date", "datetime"} & set(kinds):
        return None
    if op == "+" and kinds[1] in ("date", "datetime"):
        left, right, kinds = right, left, (kinds[1], kinds[0])
    if kinds[0] in ("date", "datetime") and kinds[1] in ("date", "datetime"):
        if op == "-":
            return DaysBetween(_bind(right), _bind(left))
        return None
    if kinds[0] not in ("date", "datetime"):
        return None
    return _shift(True, left, _amount(right, -1 if op == "-" else 1))


def _rounded(kind: type[Floor] | type[Ceil]) -> Callable[[list[Sql]], ColumnElement[Any]]:
    def translate(args: list[Sql]) -> ColumnElement[Any]:
        (value,) = args
        _require_number(kind.name.split("_")[0], value)
        if _kind(value) == "integer":
            return _bind(value)
        return kind(_bind(_plain(value)))

    return translate


DATE_CALLS: dict[str, Callable[[list[Sql]], ColumnElement[Any]]] = {
    "add_days": lambda args: _shift(True, args[0], _amount(args[1])),
    "add_months": lambda args: _shift(False, args[0], _amount(args[1])),
    "week": lambda args: WeekOf(_moment(args[0])[0]),
    "floor": _rounded(Floor),
    "ceil": _rounded(Ceil),
}
