"""Translating an expression tree into a SQLAlchemy column expression.

Filters, list totals, rollups, row scopes and reports run in the database, on SQLite and on
PostgreSQL alike; this module turns the same trees the evaluator runs into SQL that gives the
same answers. The caller's `resolve(path)` maps each name to a column expression (and raises
ExpressionError for names it cannot map, such as child-table paths); everything else is here.

How the evaluator's rules are kept in SQL:

- Literals become bound parameters. Compared with a column they take the column's type, so a
  date text is bound as a date and a decimal as the column stores it (scaled on SQLite).
- `== null` / `!= null` are `IS NULL` / `IS NOT NULL`; `!=` is `IS DISTINCT FROM` and `==`
  between two columns `IS NOT DISTINCT FROM`, since null equals only null. `not` and `not in`
  treat an unknown (NULL) condition as false first, as the evaluator does.
- Operands of `and`, `or`, `not` and `if` are tested for truthiness (0, '' and null false).
- `/` always divides as decimals (never SQL's integer division) and division by zero gives
  NULL: a database cannot raise a per-row error. `%` keeps the sign of the dividend.
- Decimal columns stored scaled on SQLite (`ExactDecimal`) stay as they are where that is
  exact and indexable — compared with a literal, summed, min/max, selected — and are turned
  into plain numbers inside arithmetic and functions. Number results come back as Decimal.
- `year`, `month` and `days_between` are small constructs compiled per dialect.
- With `aggregate=True` (report measures, rollup values) `sum min max avg count` become SQL
  aggregates, `sum` of no rows is 0, and a bare name outside an aggregate is refused.

Lists other than a written-out `in [...]`, `today()`, `now()`, `len` of a list and several-value
`min`/`max` have no SQL form and raise ExpressionError.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    Numeric,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    not_,
    null,
    or_,
    true,
    type_coerce,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator, TypeEngine

from engine.errors import ExpressionError
from engine.expressions.evaluator import evaluate_tree
from engine.expressions.nodes import (
    Binary,
    Call,
    Choose,
    Compare,
    ListOf,
    Literal,
    Logic,
    Name,
    Node,
    Unary,
)
from engine.expressions.values import compare, contains, describe, parse_iso, text_of, truthy
from engine.sqltypes import ExactDecimal

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
        if value is None or isinstance(value, Decimal):
            return value
        if isinstance(value, float):
            return Decimal(repr(value))
        return Decimal(value)

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


# --- translation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Lit:
    """A literal not yet bound: it takes its type from what it meets."""

    value: Any


Sql = ColumnElement[Any] | _Lit


def translate(tree: Node, resolve: Resolve, *, aggregate: bool = False) -> ColumnElement[Any]:
    """The SQL form of `tree`; raises ExpressionError for what SQL cannot express."""
    return _bind(_Translator(resolve, aggregate).sql(tree))


class _Translator:
    def __init__(self, resolve: Resolve, aggregate: bool):
        self._resolve = resolve
        self._aggregate = aggregate
        self._inside_aggregate = False
        self._table: dict[type[Node], Callable[[Any], Sql]] = {
            Literal: self._literal,
            Name: self._name,
            Unary: self._unary,
            Binary: self._binary,
            Compare: self._compare,
            Logic: self._logic,
            Choose: self._choose,
            ListOf: self._list,
            Call: self._call,
        }

    def sql(self, node: Node) -> Sql:
        try:
            return self._table[type(node)](node)
        except ExpressionError as exc:
            if exc.position is None:
                raise ExpressionError(exc.message, node.start) from None
            raise

    def _literal(self, node: Literal) -> Sql:
        return _Lit(node.value)

    def _name(self, node: Name) -> Sql:
        if self._aggregate and not self._inside_aggregate:
            shown = ".".join(node.path)
            raise ExpressionError(
                f"'{shown}' must be inside an aggregate such as sum({shown}) or max({shown})"
            )
        return self._resolve(node.path)

    def _unary(self, node: Unary) -> Sql:
        operand = self.sql(node.operand)
        if isinstance(operand, _Lit):
            return _Lit(_fold(node, operand.value))
        if node.op == "not":
            return not_(func.coalesce(_truth(operand), false()))
        _require_number(node.op, operand)
        return -_plain(operand) if node.op == "-" else operand

    def _binary(self, node: Binary) -> Sql:
        left, right = self.sql(node.left), self.sql(node.right)
        if isinstance(left, _Lit) and isinstance(right, _Lit):
            return _Lit(_fold(node, left.value, right.value))
        if _is_null(left) or _is_null(right):
            return null()
        if node.op == "+" and "text" in (_kind(left), _kind(right)):
            if not {_kind(left), _kind(right)} <= {"text", "unknown"}:
                raise ExpressionError("'+' needs two numbers or two texts")
            return _bind(left, String()).concat(_bind(right, String()))
        _require_number(node.op, left)
        _require_number(node.op, right)
        a, b = _bind(_plain(left)), _bind(_plain(right))
        if node.op == "/":
            return DecimalDivide(a, b)
        if node.op == "%":
            return Remainder(a, b)
        result = {"+": a + b, "-": a - b, "*": a * b}[node.op]
        if _kind(a) == "integer" and _kind(b) == "integer":
            return type_coerce(result, Integer())
        return type_coerce(result, SqlNumber())

    def _compare(self, node: Compare) -> Sql:
        operands = [self.sql(operand) for operand in node.operands]
        parts: list[Sql] = []
        for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
            parts.append(self._compare_pair(node, op, left, right))
        known = [part.value for part in parts if isinstance(part, _Lit)]
        if len(known) == len(parts):
            return _Lit(all(truthy(value) for value in known))
        return and_(*(_bind(part) for part in parts)) if len(parts) > 1 else parts[0]

    def _compare_pair(self, node: Compare, op: str, left: Sql, right: Sql) -> Sql:
        if op in ("in", "not in"):
            return self._membership(op, left, right)
        if isinstance(left, _Lit) and isinstance(right, _Lit):
            return _Lit(compare(op, left.value, right.value))
        if isinstance(left, _Lit):
            left, right = right, left
            op = _MIRROR[op]
        assert isinstance(left, ColumnElement)
        if isinstance(right, _Lit) and right.value is None:
            if op == "==":
                return left.is_(None)
            if op == "!=":
                return left.is_not(None)
            return false()
        pair = _comparable(left, right)
        if pair is None:
            if op in ("==", "!="):
                return _Lit(op == "!=")
            shown = right.value if isinstance(right, _Lit) else right
            raise ExpressionError(f"cannot compare a {_kind(left)} with {_shown(shown)}")
        left, right = pair
        if op == "==":
            if isinstance(right, _Lit):
                return left == right.value
            return left.is_not_distinct_from(right)
        if op == "!=":
            return left.is_distinct_from(_value(right))
        return _OPERATORS[op](left, _value(right))

    def _membership(self, op: str, left: Sql, right: Sql) -> Sql:
        if isinstance(right, BindParameter) and isinstance(right.value, list | tuple):
            right = _Lit(list(right.value))
        if not (isinstance(right, _Lit) and isinstance(right.value, list)):
            raise ExpressionError("in SQL, 'in' needs a list written out, like ['a', 'b']")
        if isinstance(left, _Lit):
            found = contains(right.value, left.value)
            return _Lit(found if op == "in" else not found)
        probe: ColumnElement[Any] = left
        values: list[Any] = []
        for value in right.value:
            pair = None if value is None else _comparable(left, _Lit(value))
            if pair is not None:  # values of another kind can never be equal: left out
                if pair[0] is not left:
                    probe = pair[0]
                values.append(_value(pair[1]))
        condition: ColumnElement[Any] = probe.in_(values) if values else false()
        if None in right.value:
            condition = or_(left.is_(None), condition)
        if op == "not in":
            return not_(func.coalesce(condition, false()))
        return condition

    def _logic(self, node: Logic) -> Sql:
        values = [self.sql(value) for value in node.values]
        known = [value.value for value in values if isinstance(value, _Lit)]
        if len(known) == len(values):
            test = all if node.op == "and" else any
            return _Lit(test(truthy(value) for value in known))
        conditions = [_truth(value) for value in values]
        return and_(*conditions) if node.op == "and" else or_(*conditions)

    def _choose(self, node: Choose) -> Sql:
        test = self.sql(node.test)
        if isinstance(test, _Lit):
            return self.sql(node.body if truthy(test.value) else node.orelse)
        body, orelse = _unify([self.sql(node.body), self.sql(node.orelse)])
        return case((_truth(test), body), else_=orelse)

    def _list(self, node: ListOf) -> Sql:
        values = [self.sql(item) for item in node.items]
        known = [value.value for value in values if isinstance(value, _Lit)]
        if len(known) != len(values):
            raise ExpressionError("in SQL, a list may hold only written-out values")
        return _Lit(known)

    def _call(self, node: Call) -> Sql:
        translate_call = _CALLS.get(node.name)
        if translate_call is None:
            raise ExpressionError(f"{node.name}() cannot be computed in SQL")
        if node.name in _AGGREGATE_CALLS:
            if not self._aggregate:
                raise ExpressionError(
                    f"{node.name}() over rows is available in report measures and rollups only"
                )
            if self._inside_aggregate:
                raise ExpressionError(f"{node.name}() cannot be inside another aggregate")
            self._inside_aggregate = True
            try:
                args = [self.sql(arg) for arg in node.args]
            finally:
                self._inside_aggregate = False
        else:
            args = [self.sql(arg) for arg in node.args]
        known = [arg.value for arg in args if isinstance(arg, _Lit)]
        if len(known) == len(args) and node.name not in _AGGREGATE_CALLS:
            return _Lit(_fold(node, *known))
        return translate_call(args)


_MIRROR = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _fold(node: Node, *values: Any) -> Any:
    """Compute a part made of literals only, with the evaluator's own rules."""
    literal_node = _with_literals(node, values)
    return evaluate_tree(literal_node, {})


def _with_literals(node: Node, values: tuple[Any, ...]) -> Node:
    literals = tuple(Literal(node.start, node.end, value) for value in values)
    match node:
        case Unary():
            return Unary(node.start, node.end, node.op, literals[0])
        case Binary():
            return Binary(node.start, node.end, node.op, literals[0], literals[1])
        case Call():
            return Call(node.start, node.end, node.name, literals)
    raise AssertionError(f"cannot fold {type(node).__name__}")


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
        raise ExpressionError("a list has no SQL form except after 'in'")
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
        raise ExpressionError(f"'{what}' needs a number, got a {kind}")


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


# --- functions -----------------------------------------------------------------------------


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
        raise ExpressionError(f"in SQL, {name}() takes one value, got {len(args)}")
    if isinstance(args[0], _Lit) and isinstance(args[0].value, list):
        raise ExpressionError(f"in SQL, {name}() runs over rows, not over a written-out list")
    return args


def _round(args: list[Sql]) -> ColumnElement[Any]:
    value, places = args[0], args[1] if len(args) > 1 else _Lit(0)
    if not (isinstance(places, _Lit) and _is_num(places.value) and places.value % 1 == 0):
        raise ExpressionError("in SQL, round() needs its places written out, like round(x, 2)")
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
        raise ExpressionError("in SQL, len() works on texts only")
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
        raise ExpressionError(f"expected a date, got a {_kind(value)}")
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
}
_AGGREGATE_CALLS = frozenset({"sum", "avg", "min", "max", "count"})
