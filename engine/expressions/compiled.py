"""An expression tree compiled once into nested Python closures: the evaluator without the walk.

`evaluator.evaluate_tree` looks up a function for every node of the tree on every
evaluation. A formula of a bulk load runs thousands of times, so `compile_tree` does that
look-up once: each node becomes a closure that calls its children's closures and then the
very same helpers (`values`, `dates`, the function registry) the evaluator calls, in the
same order. Results and errors are the evaluator's: an error raised by a node's own
operation is placed at that node (`ExpressionError.at`), one from below keeps its place,
and `run` guards the whole evaluation exactly as `evaluate_tree` does.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from engine.errors import ExpressionError
from engine.expressions.dates import arithmetic
from engine.expressions.evaluator import _field, _Run
from engine.expressions.functions import FUNCTIONS
from engine.expressions.limits import DECIMAL_CONTEXT
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
from engine.expressions.values import (
    _checked_decimal,
    compare,
    contains,
    negate,
    normalize,
    positive,
    truthy,
)

Code = Callable[[_Run], Any]


def run(code: Code, start: int, env: Mapping[str, Any], now: dt.datetime | None = None) -> Any:
    """The value of compiled `code` (of a tree starting at `start`) for `env`."""
    if not isinstance(env, Mapping):
        raise ExpressionError(code="expr_values_not_mapping", position=0, type=type(env).__name__)
    state = _Run(env, now)
    try:
        with decimal.localcontext(DECIMAL_CONTEXT):
            return code(state)
    except RecursionError:
        raise ExpressionError(code="expr_values_too_deep", position=start) from None
    except (ArithmeticError, ValueError) as exc:  # last line of defence; helpers say more
        raise ExpressionError(code="expr_cannot_compute", position=start, error=str(exc)) from None


def compile_tree(node: Node) -> Code:
    """The closure computing `node` (and its children) for one evaluation."""
    return _COMPILERS[type(node)](node)


def _placed(code: Code, start: int) -> Code:
    """`code` whose own errors, not yet placed, are placed at `start` (as `_eval` does)."""

    def placed(state: _Run) -> Any:
        try:
            return code(state)
        except ExpressionError as exc:
            if exc.position is None:
                raise exc.at(start) from None
            raise

    return placed


def _read(value: Any) -> Any:
    """`normalize`, with the types a record holds settled by one look-up of their exact type
    (each gives what `normalize` gives it); any other type through `normalize` itself."""
    kind = type(value)
    if kind is str or kind is dict or kind is dt.date or value is None or kind is bool:
        return value
    if kind is Decimal:
        return _checked_decimal(value)
    if kind is list:
        return [_read(item) for item in value]
    return normalize(value)


def _column(rows: list[Any], key: str, where: str) -> list[Any]:
    """`_field` of a list of rows (a child table's column), reading each cell with `_read`."""
    column = []
    for row in rows:
        if type(row) is dict:
            column.append(_read(row.get(key)))
        elif row is None:
            column.append(None)
        else:
            return _field(rows, key, where)  # other rows: the evaluator's own words
    return column


def _literal(node: Literal) -> Code:
    value = node.value
    return lambda state: value


def _name(node: Name) -> Code:
    head, start = node.path[0], node.start
    steps = tuple(
        (key, ".".join(node.path[:index])) for index, key in enumerate(node.path[1:], start=1)
    )

    def code(state: _Run) -> Any:
        env = state.env
        if head not in env:
            raise ExpressionError(code="expr_unknown_name", position=start, name=head)
        try:
            value = _read(env[head])
            for key, where in steps:
                value = (
                    _column(value, key, where) if type(value) is list else _field(value, key, where)
                )
        except ExpressionError as exc:
            if exc.position is None:
                raise exc.at(start) from None
            raise
        return value

    return code


def _unary(node: Unary) -> Code:
    operand = compile_tree(node.operand)
    if node.op == "not":
        return lambda state: not truthy(operand(state))
    apply = negate if node.op == "-" else positive
    return _placed(lambda state: apply(operand(state)), node.start)


def _binary(node: Binary) -> Code:
    op, left, right, start = node.op, compile_tree(node.left), compile_tree(node.right), node.start

    def code(state: _Run) -> Any:
        a, b = left(state), right(state)
        try:
            return arithmetic(op, a, b)
        except ExpressionError as exc:
            if exc.position is None:
                raise exc.at(start) from None
            raise

    return code


def _compare(node: Compare) -> Code:
    first = compile_tree(node.operands[0])
    rest = tuple(
        (op, compile_tree(operand)) for op, operand in zip(node.ops, node.operands[1:], strict=True)
    )

    def code(state: _Run) -> Any:
        left = first(state)
        for op, right_code in rest:
            right = right_code(state)
            if op == "in":
                holds = contains(right, left)
            elif op == "not in":
                holds = not contains(right, left)
            else:
                holds = compare(op, left, right)
            if not holds:
                return False
            left = right
        return True

    return _placed(code, node.start)


def _logic(node: Logic) -> Code:
    parts = tuple(compile_tree(value) for value in node.values)
    if node.op == "and":
        return lambda state: all(truthy(part(state)) for part in parts)
    return lambda state: any(truthy(part(state)) for part in parts)


def _choose(node: Choose) -> Code:
    test, body, orelse = compile_tree(node.test), compile_tree(node.body), compile_tree(node.orelse)
    return lambda state: body(state) if truthy(test(state)) else orelse(state)


def _list(node: ListOf) -> Code:
    items = tuple(compile_tree(item) for item in node.items)
    return lambda state: [item(state) for item in items]


def _call(node: Call) -> Code:
    args, start = tuple(compile_tree(arg) for arg in node.args), node.start
    apply = FUNCTIONS[node.name].apply

    def code(state: _Run) -> Any:
        values = [arg(state) for arg in args]
        try:
            return apply(values, state.clock)
        except ExpressionError as exc:
            if exc.position is None:
                raise exc.at(start) from None
            raise

    return code


_COMPILERS: dict[type[Node], Callable[[Any], Code]] = {
    Literal: _literal,
    Name: _name,
    Unary: _unary,
    Binary: _binary,
    Compare: _compare,
    Logic: _logic,
    Choose: _choose,
    ListOf: _list,
    Call: _call,
}
