"""The safe expression language of formulas, rollups, conditions, guards and reports.

    from engine.expressions import parse
    expr = parse("hours * rate")          # cached; ExpressionError(code=, position=) if bad
    expr.references                       # frozenset({("hours",), ("rate",)})
    expr.evaluate({"hours": 8, "rate": Decimal("42.50")})   # Decimal('340.00')
    expr.to_sql(resolve)                   # a SQLAlchemy column expression
    check_types(expr, type_of)             # ["'hours' is a number; cannot compare ..."]
    type_clashes(expr, type_of)            # the same, each with its reason and parts as params
    infer_type(expr, type_of)              # "number" (or None when not known)
    truthy(value)                          # the language's truthiness, for conditions

Syntax is a small part of Python's expression syntax, parsed by Python's `ast` under an
allowlist (see `parser`). Positions in errors are 0-based character offsets into the source.

Evaluation semantics
--------------------
- `env` is a plain mapping. A name looks up `env[name]`, `$state` looks up `env["$state"]`;
  an unknown name is an error. `a.b`: a mapping gives `a[b]` (a missing key is null), a list
  of mappings (a child table) gives the list of each row's `b`, null gives null; anything else
  is an error. `user.id` and `user.roles` work the same way (`env["user"]` is a mapping).
- Values: null, booleans, numbers (int or Decimal — floats read from `env` are converted
  through their shortest text, never used as floats), texts, dates, datetimes (naive ones are
  taken as UTC; all are handled as aware UTC), lists and mappings.
- null: arithmetic with null gives null; `< <= > >=` with null are false; `==`/`!=` compare
  normally (null equals only null); `and`/`or`/`not` use truthiness (null, false, 0, '' and
  [] are false) and return booleans; `coalesce` gives the first value that is not null.
- `==` never equates different kinds (true is not 1, '5' is not 5), except that a text in ISO
  form compares with a date or datetime as that date; ordering different kinds (text with a
  number) is an error. A date meets a datetime as midnight UTC of that day.
- Numbers: int and Decimal mix freely in a local decimal context of 34 significant digits and
  a bounded exponent; `+ - * %` of two ints give an int, `/` a Decimal. Division (or `%`) by
  zero is an error; `%` keeps the sign of the dividend, as SQL does. `round(x, n=0)` rounds
  halves away from zero (n may be negative) and gives an int when n <= 0.
- `+` of two texts joins them; `concat(...)` joins the text forms of its values (null is '',
  numbers as written, dates in ISO form). A text the expression builds may have at most
  10,000 characters.
- `in` / `not in`: membership in a list (by `==`) or a substring of a text.
- Aggregates `sum min max count avg` take one list (`sum(items.amount)`) or several values;
  they skip nulls. `sum` of nothing is 0, `avg`/`min`/`max` of nothing are null, `count`
  counts the values that are not null. `count()` with no argument counts rows and exists only
  in SQL (reports and rollups). `len` is the length of a text or a list.
- Dates: `today()` is the date and `now()` the aware UTC time of the evaluation's clock
  (`evaluate(env, now=...)`; default: the current UTC time, so pass the firm's local time to
  get its local day). `days_between(a, b)` is the whole number of days from a to b,
  `year(d)` a number and `month(d)` the text 'YYYY-MM'. Date arguments may be ISO texts.
  `date ± n` moves a date (or datetime) by whole days and `a - b` of two dates is whole days;
  `add_days`, `add_months` (clamped to the month's end), `week` (ISO) and the exact `floor`
  and `ceil` follow the same rules (`dates`, and `sql_dates` in SQL).
- Any failure is an `ExpressionError` with the position of the failing part; evaluation never
  raises anything else.

SQL translation (`Expression.to_sql`) and the type check (`check_types`) follow the same
rules where SQL can express them; see `sql` and `typecheck`.
"""

from __future__ import annotations

from engine.expressions.expression import Expression, parse
from engine.expressions.functions import AGGREGATES, FUNCTIONS, Function
from engine.expressions.source import SYSTEM_NAMES
from engine.expressions.typecheck import check_types, infer_type, type_clashes
from engine.expressions.values import truthy

__all__ = [
    "AGGREGATES",
    "FUNCTIONS",
    "SYSTEM_NAMES",
    "Expression",
    "Function",
    "check_types",
    "infer_type",
    "parse",
    "truthy",
    "type_clashes",
]
