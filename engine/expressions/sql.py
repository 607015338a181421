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
- `year`, `month` and `days_between` are small constructs compiled per dialect; date
  arithmetic (`date ± n`, `date - date`) and the date functions live in `sql_dates`.
- With `aggregate=True` (report measures, rollup values) `sum min max avg count` become SQL
  aggregates, `sum` of no rows is 0, and a bare name outside an aggregate is refused.

Lists other than a written-out `in [...]`, `today()`, `now()`, `len` of a list and several-value
`min`/`max` have no SQL form and raise ExpressionError.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    false,
    func,
    not_,
    null,
    or_,
    type_coerce,
)
from sqlalchemy.sql.elements import BindParameter, ColumnElement, False_, Null, True_

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
from engine.expressions.sql_dates import date_arithmetic
from engine.expressions.sql_dialects import (
    DecimalDivide,
    Remainder,
    SqlNumber,
)
from engine.expressions.sql_exact import exact_sum
from engine.expressions.sql_functions import _CALLS
from engine.expressions.sql_values import (
    Sql,
    _bind,
    _comparable,
    _is_null,
    _kind,
    _Lit,
    _plain,
    _require_number,
    _shown,
    _truth,
    _unify,
    _value,
)
from engine.expressions.values import compare, contains, truthy

Resolve = Callable[[tuple[str, ...]], ColumnElement[Any]]


# --- translation ---------------------------------------------------------------------------


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
                raise exc.at(node.start) from None
            raise

    def _literal(self, node: Literal) -> Sql:
        return _Lit(node.value)

    def _name(self, node: Name) -> Sql:
        if self._aggregate and not self._inside_aggregate:
            shown = ".".join(node.path)
            raise ExpressionError(code="expr_outside_aggregate", name=shown)
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
        dated = date_arithmetic(node.op, left, right)
        if dated is not None:
            return dated
        if node.op == "+" and "text" in (_kind(left), _kind(right)):
            if not {_kind(left), _kind(right)} <= {"text", "unknown"}:
                raise ExpressionError(code="expr_plus_kinds")
            return _bind(left, String()).concat(_bind(right, String()))
        _require_number(node.op, left)
        _require_number(node.op, right)
        exact = exact_sum(node.op, left, right)
        if exact is not None:
            return exact
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
            raise ExpressionError(
                code="expr_cannot_compare", left=f"a {_kind(left)}", right=_shown(shown)
            )
        left, right = pair
        if op == "==":
            if isinstance(right, _Lit):
                return left == right.value
            return left.is_not_distinct_from(right)
        if op == "!=":
            return left.is_distinct_from(_value(right))
        if isinstance(_value(right), bool) or isinstance(right, True_ | False_ | Null):
            # SQL has no order of true and false (`x in []` is the constant false)
            raise ExpressionError(
                code="expr_cannot_order_against",
                left=f"a {_kind(left)}",
                right=_shown(_value(right)),
            )
        return _OPERATORS[op](left, _value(right))

    def _membership(self, op: str, left: Sql, right: Sql) -> Sql:
        if isinstance(right, BindParameter) and isinstance(right.value, list | tuple):
            right = _Lit(list(right.value))
        if not (isinstance(right, _Lit) and isinstance(right.value, list)):
            raise ExpressionError(code="expr_sql_in_list")
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
            raise ExpressionError(code="expr_sql_list_values")
        return _Lit(known)

    def _call(self, node: Call) -> Sql:
        translate_call = _CALLS.get(node.name)
        if translate_call is None:
            raise ExpressionError(code="expr_sql_no_function", name=node.name)
        if node.name in _AGGREGATE_CALLS:
            if not self._aggregate:
                raise ExpressionError(code="expr_aggregate_not_here", name=node.name)
            if self._inside_aggregate:
                raise ExpressionError(code="expr_nested_aggregate", name=node.name)
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


_AGGREGATE_CALLS = frozenset({"sum", "avg", "min", "max", "count"})
