"""The bounds that keep every expression cheap to parse and to evaluate.

An expression comes from an imported pack, which is untrusted input. These limits are what
make "evaluation is bounded in time and size" true: a source is short, its tree is small and
shallow, texts it builds stay small, and numbers live in a local decimal context whose
precision and exponent are bounded, so no operation can run away with time or memory.
"""

from __future__ import annotations

import decimal

from engine import numbers

MAX_SOURCE_CHARS = 4_000
MAX_NODES = 500
MAX_DEPTH = 40
MAX_TEXT_CHARS = 10_000

#: Significant digits of every number an expression computes or reads.
MAX_DIGITS = 34
#: Largest decimal exponent (adjusted) a number may have: the bound of every number read
#: from outside (engine/numbers.py), within a float's range so SQLite's REAL can hold it.
MAX_EXPONENT = numbers.MAX_EXPONENT
#: The largest integer that fits the precision: anything larger is refused, never rounded.
MAX_INTEGER = 10**MAX_DIGITS - 1
#: Digits `round(x, n)` may keep or drop.
MAX_ROUND_PLACES = MAX_DIGITS

DECIMAL_CONTEXT = decimal.Context(
    prec=MAX_DIGITS,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=MAX_EXPONENT,
    Emin=-MAX_EXPONENT,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
