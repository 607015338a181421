"""The value model of the language: what a value may be and how values meet.

Values are null (`None`), booleans, numbers (`int` or exact `Decimal`, never float), texts,
dates, aware UTC datetimes, lists and mappings (a linked record or a child row). Everything
read from an environment passes through `normalize`, so the rest of the evaluator only ever
meets these kinds. Equality, ordering, truthiness, arithmetic and the text form of a value are
defined here once, so functions and operators agree with each other.

Helpers raise `ExpressionError` without a position; the evaluator adds the position of the
node being evaluated.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from engine.errors import ExpressionError
from engine.expressions.limits import (
    DECIMAL_CONTEXT,
    MAX_DIGITS,
    MAX_EXPONENT,
    MAX_INTEGER,
    MAX_TEXT_CHARS,
)

Number = int | Decimal

_ISO_MAX_CHARS = 64


def is_number(value: Any) -> bool:
    """True for int and Decimal, never for booleans."""
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def kind_of(value: Any) -> str:
    """The language's name for the kind of a normalized value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dt.datetime):
        return "datetime"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, list):
        return "list"
    if isinstance(value, Mapping):
        return "record"
    return type(value).__name__


def describe(value: Any) -> str:
    """A short phrase naming a value for messages: `number 5`, `text 'abc'`, `null`."""
    kind = kind_of(value)
    if kind in ("null", "list", "record"):
        return {"null": "null", "list": "a list", "record": "a record"}[kind]
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "text":
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"text {shown!r}"
    if kind == "number":
        return f"number {number_text(value)}"
    if kind in ("date", "datetime"):
        return f"{kind} {value.isoformat()}"
    return kind


def normalize(value: Any) -> Any:
    """Check a value read from outside and bring it into the language's value model."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        if -MAX_INTEGER <= value <= MAX_INTEGER:
            return value
        raise ExpressionError(code="expr_number_too_large", limit=MAX_DIGITS)
    if isinstance(value, Decimal):
        return _checked_decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ExpressionError(code="expr_not_finite")
        return _checked_decimal(Decimal(repr(value)))
    if isinstance(value, dt.datetime):
        return to_utc(value)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, list | tuple):
        return [normalize(item) for item in value]
    if isinstance(value, Mapping):
        return value
    raise ExpressionError(code="expr_unsupported_value", type=type(value).__name__)


def _checked_decimal(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ExpressionError(code="expr_not_finite")
    if value and abs(value.adjusted()) > MAX_EXPONENT:
        raise ExpressionError(code="expr_out_of_range")
    return value


def to_utc(value: dt.datetime) -> dt.datetime:
    """An aware UTC datetime (a naive one is taken to be UTC already)."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ExpressionError(code="expr_datetime_out_of_range", value=value.isoformat()) from None


def parse_iso(text: str) -> dt.date | dt.datetime:
    """A date (`YYYY-MM-DD`) or a datetime (ISO 8601) from text."""
    if len(text) <= _ISO_MAX_CHARS:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
        try:
            return to_utc(dt.datetime.fromisoformat(text))
        except ValueError:
            pass
    raise ExpressionError(code="expr_not_a_date", value=describe(text))


def to_day(value: Any) -> dt.date:
    """The calendar day of a date, a datetime or an ISO text."""
    if isinstance(value, str):
        value = parse_iso(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise ExpressionError(code="expr_expected_date", value=describe(value))


def to_moment(value: Any) -> dt.date | dt.datetime:
    """A date or datetime as it is, or parsed from ISO text."""
    if isinstance(value, str):
        return parse_iso(value)
    if isinstance(value, dt.date):
        return value
    raise ExpressionError(code="expr_expected_date", value=describe(value))


def truthy(value: Any) -> bool:
    """Truthiness: null, false, 0, '' and [] are false; everything else is true."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if is_number(value):
        return value != 0
    if isinstance(value, str | list):
        return len(value) > 0
    return True


def _date_pair(a: Any, b: Any) -> tuple[Any, Any] | None:
    """Two values as comparable dates/datetimes, or None when they are not date-like."""
    a_date = isinstance(a, dt.date)
    b_date = isinstance(b, dt.date)
    if not (a_date or b_date):
        return None
    if a_date and isinstance(b, str):
        b = parse_iso(b)
    elif b_date and isinstance(a, str):
        a = parse_iso(a)
    elif not (a_date and b_date):
        return None
    a_time = isinstance(a, dt.datetime)
    b_time = isinstance(b, dt.datetime)
    if a_time and not b_time:
        b = dt.datetime.combine(b, dt.time(), tzinfo=dt.UTC)
    elif b_time and not a_time:
        a = dt.datetime.combine(a, dt.time(), tzinfo=dt.UTC)
    return a, b


def equal(a: Any, b: Any) -> bool:
    """`==`: null equals only null, booleans only booleans, numbers compare exactly."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if is_number(a) or is_number(b):
        return is_number(a) and is_number(b) and a == b
    if isinstance(a, Mapping) or isinstance(b, Mapping):
        raise ExpressionError(code="expr_record_compared")
    if isinstance(a, list) or isinstance(b, list):
        return (
            isinstance(a, list)
            and isinstance(b, list)
            and len(a) == len(b)
            and all(equal(x, y) for x, y in zip(a, b, strict=True))
        )
    try:
        pair = _date_pair(a, b)
    except ExpressionError:
        return False
    if pair is not None:
        return pair[0] == pair[1]
    return isinstance(a, str) and isinstance(b, str) and a == b


_ORDER = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def compare(op: str, a: Any, b: Any) -> bool:
    """A comparison operator; ordering with null is false, across kinds an error."""
    if op == "==":
        return equal(a, b)
    if op == "!=":
        return not equal(a, b)
    if a is None or b is None:
        return False
    if (is_number(a) and is_number(b)) or (isinstance(a, str) and isinstance(b, str)):
        return _ORDER[op](a, b)
    pair = _date_pair(a, b) if not (isinstance(a, bool) or isinstance(b, bool)) else None
    if pair is None:
        raise ExpressionError(code="expr_cannot_compare", left=describe(a), right=describe(b))
    return _ORDER[op](*pair)


def contains(container: Any, item: Any) -> bool:
    """`item in container` for a list (by `==`) or a text (substring)."""
    if container is None:
        return False
    if isinstance(container, list):
        return any(equal(item, element) for element in container)
    if isinstance(container, str):
        if item is None:
            return False
        if isinstance(item, str):
            return item in container
        raise ExpressionError(code="expr_search_in_text", value=describe(item))
    raise ExpressionError(code="expr_in_needs_list", value=describe(container))


def number_text(value: Number) -> str:
    """A number written plainly (`12.50`, `1000`), in exponent form only when huge or tiny."""
    if isinstance(value, int):
        return str(value)
    if -2 * MAX_DIGITS <= value.adjusted() <= 2 * MAX_DIGITS:
        return format(value, "f")
    return str(value)


def text_of(value: Any) -> str:
    """The text form of a value inside `concat`: null is ''."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return number_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise ExpressionError(code="expr_not_textual", value=describe(value))


def checked_text(value: str) -> str:
    """A text the expression built, refused when longer than the limit."""
    if len(value) > MAX_TEXT_CHARS:
        raise ExpressionError(code="expr_text_too_long", limit=MAX_TEXT_CHARS)
    return value


def number_result(value: Decimal, as_integer: bool) -> Number:
    """An int when integers went in and a whole number within range came out."""
    if as_integer and value == value.to_integral_value() and abs(value) <= MAX_INTEGER:
        return int(value)
    return value


_ARITHMETIC = {
    "+": DECIMAL_CONTEXT.add,
    "-": DECIMAL_CONTEXT.subtract,
    "*": DECIMAL_CONTEXT.multiply,
    "/": DECIMAL_CONTEXT.divide,
    "%": DECIMAL_CONTEXT.remainder,
}
_VERBS = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide", "%": "take the remainder of"}


def arithmetic(op: str, a: Any, b: Any) -> Any:
    """`+ - * / %`: null in gives null out, `+` also joins two texts."""
    if a is None or b is None:
        return None
    if op == "+" and isinstance(a, str) and isinstance(b, str):
        return checked_text(a + b)
    if not (is_number(a) and is_number(b)):
        needs = "two numbers or two texts" if op == "+" else "two numbers"
        raise ExpressionError(
            code="expr_arithmetic_kinds",
            verb=_VERBS[op],
            left=describe(a),
            right=describe(b),
            op=op,
            needs=needs,
        )
    if op in ("/", "%") and b == 0:
        raise ExpressionError(code="expr_division_by_zero")
    result = calculate(_ARITHMETIC[op], Decimal(a), Decimal(b))
    return number_result(result, op != "/" and isinstance(a, int) and isinstance(b, int))


def calculate(operation: Any, *operands: Decimal) -> Decimal:
    """Run one decimal operation in the bounded context, turning its signals into errors."""
    try:
        return operation(*operands)
    except decimal.DivisionByZero:
        raise ExpressionError(code="expr_division_by_zero") from None
    except decimal.Overflow:
        raise ExpressionError(code="expr_out_of_range") from None
    except decimal.InvalidOperation:
        raise ExpressionError(code="expr_result_too_long", limit=MAX_DIGITS) from None


def negate(value: Any) -> Any:
    """Unary minus."""
    if value is None:
        return None
    if not is_number(value):
        raise ExpressionError(code="expr_cannot_negate", value=describe(value))
    return value.copy_negate() if isinstance(value, Decimal) else -value


def positive(value: Any) -> Any:
    """Unary plus: checks the value is a number."""
    if value is None or is_number(value):
        return value
    raise ExpressionError(code="expr_needs_number", op="+", value=describe(value))
