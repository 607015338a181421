"""The function registry: every function an expression may call, one entry each.

A `Function` names its arity and whether it aggregates or reads the clock; its `apply` gets
the already evaluated arguments and a clock. The parser checks names and arities against this
registry, the evaluator calls `apply`, and the SQL translator and the type checker keep their
own tables keyed by the same names. Adding a function is adding one entry here (and, where it
can run in the database, one in `sql.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any

from engine.errors import ExpressionError
from engine.expressions import dates
from engine.expressions.limits import DECIMAL_CONTEXT, MAX_ROUND_PLACES, MAX_TEXT_CHARS
from engine.expressions.values import (
    calculate,
    compare,
    describe,
    is_number,
    normalize,
    number_result,
    text_of,
    to_day,
    to_moment,
)

Clock = Callable[[], dt.datetime]
Apply = Callable[[Sequence[Any], Clock], Any]


@dataclass(frozen=True)
class Function:
    """One function of the language."""

    name: str
    min_args: int
    max_args: int | None
    apply: Apply
    summary: str
    aggregate: bool = False
    uses_clock: bool = False

    def arity_text(self) -> str:
        """`1`, `1 or 2`, `at least 1` — for messages."""
        if self.max_args is None:
            return f"at least {self.min_args}"
        if self.max_args == self.min_args:
            return str(self.min_args)
        if self.max_args == self.min_args + 1:
            return f"{self.min_args} or {self.max_args}"
        return f"{self.min_args} to {self.max_args}"


def _items(name: str, args: Sequence[Any]) -> list[Any]:
    """The non-null values an aggregate runs over: one list, or the arguments themselves."""
    if len(args) == 1:
        (only,) = args
        values = only if isinstance(only, list) else [only]
    else:
        values = list(args)
    return [v for v in (normalize(v) for v in values) if v is not None]


def _numbers(name: str, args: Sequence[Any]) -> list[Any]:
    values = _items(name, args)
    for value in values:
        if not is_number(value):
            raise ExpressionError(
                code="expr_function_needs_numbers", name=name, value=describe(value)
            )
    return values


def _total(values: list[Any]) -> Any:
    total = Decimal(0)
    for value in values:
        total = calculate(DECIMAL_CONTEXT.add, total, Decimal(value))
    return number_result(total, all(isinstance(v, int) for v in values))


def _sum(args: Sequence[Any], clock: Clock) -> Any:
    return _total(_numbers("sum", args))


def _avg(args: Sequence[Any], clock: Clock) -> Any:
    values = _numbers("avg", args)
    if not values:
        return None
    return calculate(DECIMAL_CONTEXT.divide, Decimal(_total(values)), Decimal(len(values)))


def _count(args: Sequence[Any], clock: Clock) -> Any:
    if not args:
        raise ExpressionError(code="expr_count_without_argument")
    return len(_items("count", args))


def _extreme(name: str, op: str) -> Apply:
    def pick(args: Sequence[Any], clock: Clock) -> Any:
        values = _items(name, args)
        if not values:
            return None
        best = values[0]
        for value in values[1:]:
            if isinstance(value, bool | list | Mapping):
                raise ExpressionError(code="expr_cannot_order", name=name, value=describe(value))
            if compare(op, value, best):
                best = value
        if isinstance(best, bool | list | Mapping):
            raise ExpressionError(code="expr_cannot_order", name=name, value=describe(best))
        return best

    return pick


def _round(args: Sequence[Any], clock: Clock) -> Any:
    value = args[0]
    places = args[1] if len(args) > 1 else 0
    if value is None:
        return None
    if not is_number(value):
        raise ExpressionError(
            code="expr_function_needs_number", name="round", value=describe(value)
        )
    if not is_number(places) or places != int(places):
        raise ExpressionError(code="expr_round_places", value=describe(places))
    places = int(places)
    if abs(places) > MAX_ROUND_PLACES:
        raise ExpressionError(code="expr_round_too_many_places", limit=MAX_ROUND_PLACES)
    quantum = Decimal(1).scaleb(-places)
    context = DECIMAL_CONTEXT.copy()
    context.rounding = ROUND_HALF_UP
    result = calculate(context.quantize, Decimal(value), quantum)
    return number_result(result, True) if places <= 0 else result


def _abs(args: Sequence[Any], clock: Clock) -> Any:
    (value,) = args
    if value is None:
        return None
    if not is_number(value):
        raise ExpressionError(code="expr_function_needs_number", name="abs", value=describe(value))
    return value.copy_abs() if isinstance(value, Decimal) else abs(value)


def _len(args: Sequence[Any], clock: Clock) -> Any:
    (value,) = args
    if value is None:
        return None
    if isinstance(value, str | list):
        return len(value)
    raise ExpressionError(code="expr_len_argument", value=describe(value))


def _distinct(args: Sequence[Any], clock: Clock) -> Any:
    """A list's values without repeats or nulls, in order: `len(distinct(lines.card))` is
    the number of different cards an issue's lines name."""
    (value,) = args
    if value is None:
        return None
    if not isinstance(value, list):
        value = [value]
    kept: list[Any] = []
    for item in value:
        if item is not None and item not in kept:
            kept.append(item)
    return kept


def _coalesce(args: Sequence[Any], clock: Clock) -> Any:
    return next((value for value in args if value is not None), None)


def _concat(args: Sequence[Any], clock: Clock) -> Any:
    parts: list[str] = []
    size = 0
    for value in args:
        part = text_of(value)
        size += len(part)
        if size > MAX_TEXT_CHARS:
            raise ExpressionError(code="expr_text_too_long", limit=MAX_TEXT_CHARS)
        parts.append(part)
    return "".join(parts)


def _today(args: Sequence[Any], clock: Clock) -> Any:
    return clock().date()


def _now(args: Sequence[Any], clock: Clock) -> Any:
    return clock().astimezone(dt.UTC)


def _days_between(args: Sequence[Any], clock: Clock) -> Any:
    start, end = args
    if start is None or end is None:
        return None
    return (to_day(end) - to_day(start)).days


def _year(args: Sequence[Any], clock: Clock) -> Any:
    (value,) = args
    return None if value is None else to_moment(value).year


def _month(args: Sequence[Any], clock: Clock) -> Any:
    (value,) = args
    if value is None:
        return None
    moment = to_moment(value)
    return f"{moment.year:04d}-{moment.month:02d}"


FUNCTIONS: Mapping[str, Function] = MappingProxyType(
    {
        f.name: f
        for f in (
            Function(
                "sum",
                1,
                None,
                _sum,
                "total of the numbers (null skipped); 0 if none",
                aggregate=True,
            ),
            Function(
                "min", 1, None, _extreme("min", "<"), "smallest value; null if none", aggregate=True
            ),
            Function(
                "max", 1, None, _extreme("max", ">"), "largest value; null if none", aggregate=True
            ),
            Function(
                "count",
                0,
                1,
                _count,
                "how many values are not null (count() = rows)",
                aggregate=True,
            ),
            Function("avg", 1, None, _avg, "average of the numbers; null if none", aggregate=True),
            Function("round", 1, 2, _round, "round(x, places=0), halves away from zero"),
            Function("abs", 1, 1, _abs, "absolute value"),
            Function("len", 1, 1, _len, "length of a text or a list"),
            Function("distinct", 1, 1, _distinct, "the list's values without repeats or nulls"),
            Function("coalesce", 1, None, _coalesce, "the first value that is not null"),
            Function("concat", 1, None, _concat, "the values joined as text (null as '')"),
            Function("today", 0, 0, _today, "today's date", uses_clock=True),
            Function("now", 0, 0, _now, "the current time (UTC)", uses_clock=True),
            Function("days_between", 2, 2, _days_between, "whole days from a to b"),
            Function("year", 1, 1, _year, "the year of a date, as a number"),
            Function("month", 1, 1, _month, "the month of a date, as text 'YYYY-MM'"),
            Function("week", 1, 1, dates.week, "the ISO week number of a date (1 to 53)"),
            Function("add_days", 2, 2, dates.add_days, "the date moved by whole days"),
            Function(
                "add_months",
                2,
                2,
                dates.add_months,
                "the date moved by whole months, the day kept within the month",
            ),
            Function("floor", 1, 1, dates.floor, "the largest whole number not above x"),
            Function("ceil", 1, 1, dates.ceil, "the smallest whole number not below x"),
        )
    }
)

#: The functions that aggregate a list (or, in SQL, a group of rows).
AGGREGATES: frozenset[str] = frozenset(name for name, f in FUNCTIONS.items() if f.aggregate)
