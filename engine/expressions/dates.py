"""Date arithmetic of the language: `date ± days`, `date - date`, and the date functions.

A date (or datetime) plus or minus a whole number of days is a date (a datetime) of the same
kind; a date minus a date is the whole number of days between their calendar days, the same
number `days_between(b, a)` gives. Months move by calendar month, the day clamped to the end
of a shorter month (Jan 31 + 1 month is Feb 28, or Feb 29 in a leap year). A result outside
the years 1 to 9999 is refused with a coded error, never an overflow. The SQL side
(sql_dates.py) keeps the same rules on SQLite and PostgreSQL.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from engine.errors import ExpressionError
from engine.expressions import values
from engine.expressions.values import describe, is_number, number_result, to_day, to_moment

Clock = Callable[[], dt.datetime]

#: The most days or months any shift may move: beyond it no result is a valid date.
MAX_DAYS = 3_652_059  # 0001-01-01 .. 9999-12-31
MAX_MONTHS = 12 * 9999


def _whole(value: Any, what: str, limit: int) -> int | None:
    """A shift amount as an int: null stays null, a fraction or a text is refused."""
    if value is None:
        return None
    if not is_number(value) or value != int(value):
        raise ExpressionError(code="expr_shift_not_whole", name=what, value=describe(value))
    return int(value) if abs(value) <= limit else limit + 1


def _out_of_range(start: Any) -> ExpressionError:
    return ExpressionError(code="expr_date_out_of_range", value=describe(start))


def shift_days(start: dt.date, days: int) -> dt.date:
    """`start` moved by whole days; a datetime keeps its time of day."""
    try:
        return start + dt.timedelta(days=days)
    except OverflowError:
        raise _out_of_range(start) from None


def shift_months(start: dt.date, months: int) -> dt.date:
    """`start` moved by calendar months, the day clamped to the end of the month reached."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise _out_of_range(start)
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return start.replace(year=year, month=month + 1, day=day)


def arithmetic(op: str, a: Any, b: Any) -> Any:
    """`+ - * / %` as `values.arithmetic`, with dates moved by days and subtracted."""
    if op in ("+", "-") and (isinstance(a, dt.date) or isinstance(b, dt.date)):
        if a is None or b is None:
            return None
        if op == "+" and is_number(a) and isinstance(b, dt.date):
            a, b = b, a
        if isinstance(a, dt.date) and is_number(b):
            days = _whole(b, f"'{op}'", MAX_DAYS)
            assert days is not None
            return shift_days(a, days if op == "+" else -days)
        if op == "-" and isinstance(a, dt.date) and isinstance(b, dt.date):
            return (to_day(a) - to_day(b)).days
    return values.arithmetic(op, a, b)


def add_days(args: Sequence[Any], clock: Clock) -> Any:
    start, amount = args
    days = _whole(amount, "add_days()", MAX_DAYS)
    if start is None or days is None:
        return None
    return shift_days(to_moment(start), days)


def add_months(args: Sequence[Any], clock: Clock) -> Any:
    start, amount = args
    months = _whole(amount, "add_months()", MAX_MONTHS)
    if start is None or months is None:
        return None
    return shift_months(to_moment(start), months)


def week(args: Sequence[Any], clock: Clock) -> Any:
    (value,) = args
    return None if value is None else to_day(value).isocalendar().week


def _rounder(name: str, rounding: str) -> Callable[[Sequence[Any], Clock], Any]:
    def apply(args: Sequence[Any], clock: Clock) -> Any:
        (value,) = args
        if value is None:
            return None
        if not is_number(value):
            raise ExpressionError(
                code="expr_function_needs_number", name=name, value=describe(value)
            )
        whole = Decimal(value).to_integral_value(rounding=rounding)
        return number_result(whole, True)

    return apply


floor = _rounder("floor", ROUND_FLOOR)
ceil = _rounder("ceil", ROUND_CEILING)
