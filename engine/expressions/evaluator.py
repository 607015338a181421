"""Evaluating an expression tree against a mapping of values.

One small function per node type, chosen through a table. The tree is at most 40 levels deep,
so the recursion is bounded; every value read from the environment is normalized first, and
every operation goes through `values`, so a failure is always an `ExpressionError` carrying
the position of the node that failed.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Mapping
from typing import Any

from engine.errors import ExpressionError
from engine.expressions.dates import arithmetic
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
    compare,
    contains,
    describe,
    negate,
    normalize,
    positive,
    truthy,
)


class _Run:
    """What one evaluation needs: the values and a clock read at most once."""

    def __init__(self, env: Mapping[str, Any], now: dt.datetime | None):
        self.env = env
        self._now = now

    def clock(self) -> dt.datetime:
        if self._now is None:
            self._now = dt.datetime.now(dt.UTC)
        elif self._now.tzinfo is None:
            self._now = self._now.replace(tzinfo=dt.UTC)
        return self._now


def evaluate_tree(tree: Node, env: Mapping[str, Any], now: dt.datetime | None = None) -> Any:
    """The value of `tree` for `env`; raises ExpressionError on any failure."""
    if not isinstance(env, Mapping):
        raise ExpressionError(code="expr_values_not_mapping", position=0, type=type(env).__name__)
    run = _Run(env, now)
    try:
        with decimal.localcontext(DECIMAL_CONTEXT):
            return _eval(tree, run)
    except RecursionError:
        raise ExpressionError(code="expr_values_too_deep", position=tree.start) from None
    except (ArithmeticError, ValueError) as exc:  # last line of defence; helpers say more
        raise ExpressionError(
            code="expr_cannot_compute", position=tree.start, error=str(exc)
        ) from None


def _eval(node: Node, run: _Run) -> Any:
    try:
        return _EVALUATORS[type(node)](node, run)
    except ExpressionError as exc:
        if exc.position is None:
            raise exc.at(node.start) from None
        raise


def _literal(node: Literal, run: _Run) -> Any:
    return node.value


def _name(node: Name, run: _Run) -> Any:
    head = node.path[0]
    if head not in run.env:
        raise ExpressionError(code="expr_unknown_name", position=node.start, name=head)
    value = normalize(run.env[head])
    for index, key in enumerate(node.path[1:], start=1):
        value = _field(value, key, ".".join(node.path[:index]))
    return value


def _field(value: Any, key: str, where: str) -> Any:
    """`value.key`: a record's field, a list of rows' fields, or null from null."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        return normalize(value.get(key))
    if isinstance(value, list):
        column = []
        for row in value:
            if row is not None and not isinstance(row, Mapping):
                raise ExpressionError(
                    code="expr_not_rows", where=where, value=describe(row), key=key
                )
            column.append(None if row is None else normalize(row.get(key)))
        return column
    raise ExpressionError(code="expr_no_field", where=where, value=describe(value), key=key)


def _unary(node: Unary, run: _Run) -> Any:
    value = _eval(node.operand, run)
    if node.op == "not":
        return not truthy(value)
    return negate(value) if node.op == "-" else positive(value)


def _binary(node: Binary, run: _Run) -> Any:
    return arithmetic(node.op, _eval(node.left, run), _eval(node.right, run))


def _compare(node: Compare, run: _Run) -> Any:
    left = _eval(node.operands[0], run)
    for op, right_node in zip(node.ops, node.operands[1:], strict=True):
        right = _eval(right_node, run)
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


def _logic(node: Logic, run: _Run) -> Any:
    if node.op == "and":
        return all(truthy(_eval(value, run)) for value in node.values)
    return any(truthy(_eval(value, run)) for value in node.values)


def _choose(node: Choose, run: _Run) -> Any:
    return _eval(node.body if truthy(_eval(node.test, run)) else node.orelse, run)


def _list(node: ListOf, run: _Run) -> Any:
    return [_eval(item, run) for item in node.items]


def _call(node: Call, run: _Run) -> Any:
    args = [_eval(arg, run) for arg in node.args]
    return FUNCTIONS[node.name].apply(args, run.clock)


_EVALUATORS: dict[type[Node], Callable[[Any, _Run], Any]] = {
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
