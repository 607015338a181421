"""Bounded numbers: outside text becomes a Decimal or an int with no work that grows with it.

Python reads `1e1000000` as a Decimal at once, but `int()` of it builds a million-digit
integer (about a minute of CPU), comparing it with an int does the same, and a float of it
is `inf`. Every number that comes from outside — JSON bodies, form and query text, filter
values, expression literals — is read here and refused by its length and its exponent
before any such conversion, so one request cannot stall a worker. The bounds are far beyond
any real figure (a float tops out near 1e308; money columns hold 18 digits).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

#: Characters of one number's text (sign, digits, point, exponent).
MAX_NUMBER_CHARS = 100
#: Largest adjusted exponent, either way: |x| < 1e301 and no digit below 1e-300.
MAX_EXPONENT = 300


class NumberRefused(ValueError):
    """A number that is not one, or too long or too large to be read safely.

    `code` is the machine key: `invalid`, `too_long` or `range`.
    """

    def __init__(self, text: str, code: str):
        self.text = text if len(text) <= 40 else text[:37] + "..."
        self.code = code
        reasons = {
            "invalid": f"{self.text!r} is not a number",
            "too_long": f"the number {self.text} is longer than {MAX_NUMBER_CHARS} characters",
            "range": f"the number {self.text} is out of range "
            f"(its exponent must lie between -{MAX_EXPONENT} and {MAX_EXPONENT})",
        }
        super().__init__(reasons[code])


def checked(value: Decimal, text: str | None = None) -> Decimal:
    """`value` itself when it is finite and its exponent within bounds; else NumberRefused."""
    shown = text if text is not None else str(value)
    if not value.is_finite():
        raise NumberRefused(shown, "invalid")
    sign, digits, exponent = value.as_tuple()
    if len(digits) > MAX_NUMBER_CHARS:
        raise NumberRefused(shown, "too_long")
    assert isinstance(exponent, int)  # finite
    if exponent < -MAX_EXPONENT - MAX_NUMBER_CHARS or value.adjusted() > MAX_EXPONENT:
        raise NumberRefused(shown, "range")
    if value and value.adjusted() < -MAX_EXPONENT:
        raise NumberRefused(shown, "range")
    return value


def read_decimal(text: str) -> Decimal:
    """The Decimal written in `text`, refused by length before it is even parsed."""
    if len(text) > MAX_NUMBER_CHARS:
        raise NumberRefused(text, "too_long")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise NumberRefused(text, "invalid") from None
    return checked(value, text)


def read_int(text: str) -> int:
    """The integer written in `text` (JSON integers), refused by length first."""
    if len(text) > MAX_NUMBER_CHARS:
        raise NumberRefused(text, "too_long")
    try:
        return int(text)
    except ValueError:
        raise NumberRefused(text, "invalid") from None


def as_decimal(value: int | float | str | Decimal) -> Decimal:
    """Any number a caller may hand over, as a checked Decimal."""
    if isinstance(value, str):
        return read_decimal(value.strip())
    if isinstance(value, float):
        return read_decimal(repr(value))
    if isinstance(value, int):
        if value.bit_length() > 4 * MAX_NUMBER_CHARS:  # ~120 digits: never decimalised
            raise NumberRefused(f"an integer of {value.bit_length()} bits", "too_long")
        return Decimal(value)
    return checked(value)


def whole(value: int | float | str | Decimal) -> int:
    """The integer `value` holds, refused before `int()` could grow with its exponent.

    Raises NumberRefused for a value that is not a whole number.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = as_decimal(value)
    if number != number.to_integral_value():
        raise NumberRefused(str(value), "invalid")
    return int(number)  # |number| < 1e301 here: a small integer to build
