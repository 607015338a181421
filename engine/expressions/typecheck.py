"""Type clashes that can be known before an expression ever runs.

A pack is checked at import time: a formula that subtracts a text, compares a number with
'abc' or takes `year()` of a number would fail on every record, so the importer reports it
then. `check_types` walks the tree with the field types the caller knows (`type_of(path)`:
"number", "integer", "text", "boolean", "date", "datetime", "list", "object", "any" or None)
and reports only certain clashes; a name of unknown type is trusted, and unknown names are
the definitions checker's business, not this module's.

Kinds follow the evaluator: integers and numbers mix, dates and datetimes compare, a text
literal in ISO form is a date when it meets one, and null meets anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from engine.errors import ExpressionError
from engine.expressions.expression import Expression
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
    children,
)
from engine.expressions.values import describe, parse_iso

TypeOf = Callable[[tuple[str, ...]], str | None]

_NUMERIC = frozenset({"number", "integer"})
_DATES = frozenset({"date", "datetime"})
_ARTICLES = {"integer": "an integer", "object": "an object"}
_KNOWN = frozenset({"number", "integer", "text", "boolean", "date", "datetime", "list", "object"})


@dataclass(frozen=True)
class _Type:
    """What is known of a value before it exists: its kind (None: unknown) and, for a list,
    the kind of its elements."""

    kind: str | None
    element: str | None = None


_UNKNOWN = _Type(None)


def check_types(expr: Expression, type_of: TypeOf) -> list[str]:
    """Messages for the type clashes of `expr` that are certain, in source order."""
    checker = _Checker(expr.source, type_of)
    checker.infer(expr.tree)
    return list(dict.fromkeys(checker.problems))


def infer_type(expr: Expression, type_of: TypeOf) -> str | None:
    """The kind of value `expr` gives ("number", "text", ...), or None when it is not known."""
    return _Checker(expr.source, type_of).infer(expr.tree).kind


def _a(kind: str) -> str:
    return _ARTICLES.get(kind, f"a {kind}")


def _plural(kind: str) -> str:
    return f"{kind}s"


class _Checker:
    def __init__(self, source: str, type_of: TypeOf):
        self.source = source
        self._type_of = type_of
        self.problems: list[str] = []
        self._table: dict[type[Node], Callable[[Any], _Type]] = {
            Literal: self._literal,
            Name: self._name,
            Unary: self._unary,
            Binary: self._binary,
            Compare: self._compare,
            Logic: lambda node: self._all(node, _Type("boolean")),
            Choose: self._choose,
            ListOf: self._list,
            Call: self._call,
        }

    def infer(self, node: Node) -> _Type:
        return self._table[type(node)](node)

    def _all(self, node: Node, result: _Type) -> _Type:
        for child in children(node):
            self.infer(child)
        return result

    # --- describing nodes in messages ------------------------------------------------------

    def _subject(self, node: Node, kind: str) -> str:
        if isinstance(node, Name):
            return f"'{'.'.join(node.path)}' is {_a(kind)}"
        return f"'{self.source[node.start : node.end]}' gives {_a(kind)}"

    def _object(self, node: Node, kind: str) -> str:
        if isinstance(node, Literal):
            return describe(node.value)
        if isinstance(node, Name):
            return f"'{'.'.join(node.path)}' ({kind})"
        return f"'{self.source[node.start : node.end]}' ({kind})"

    def _clash(self, subject: Node, kind: str, message: str) -> None:
        if isinstance(subject, Literal):
            self.problems.append(f"{describe(subject.value)}: {message}")
        else:
            self.problems.append(f"{self._subject(subject, kind)}; {message}")

    # --- nodes -----------------------------------------------------------------------------

    def _literal(self, node: Literal) -> _Type:
        value = node.value
        if value is None:
            return _Type("null")
        if isinstance(value, bool):
            return _Type("boolean")
        if isinstance(value, int):
            return _Type("integer")
        if isinstance(value, str):
            return _Type("text")
        return _Type("number")

    def _name(self, node: Name) -> _Type:
        path = node.path
        for size in range(1, len(path)):
            prefix = self._lookup(path[:size])
            if prefix == "list":
                element = self._lookup(path)
                return _Type("list", element if element != "list" else None)
        return _Type(self._lookup(path))

    def _lookup(self, path: tuple[str, ...]) -> str | None:
        try:
            kind = self._type_of(path)
        except (KeyError, LookupError, ExpressionError):
            return None
        return kind if kind in _KNOWN else None

    def _unary(self, node: Unary) -> _Type:
        operand = self.infer(node.operand)
        if node.op == "not":
            return _Type("boolean")
        if operand.kind is not None and operand.kind not in _NUMERIC | {"null"}:
            self._clash(node.operand, operand.kind, f"'{node.op}' needs a number")
            return _UNKNOWN
        return operand

    def _binary(self, node: Binary) -> _Type:
        left, right = self.infer(node.left), self.infer(node.right)
        kinds = {left.kind, right.kind} - {"null"}
        if None in kinds:
            return _Type("text") if node.op == "+" and "text" in kinds else _UNKNOWN
        if node.op == "+" and kinds == {"text"}:
            return _Type("text")
        if kinds <= _NUMERIC:
            if node.op == "/" or "number" in kinds:
                return _Type("number")
            return _Type("integer")
        if node.op == "+" and "text" in kinds:
            text_side, other = (node.left, right) if left.kind == "text" else (node.right, left)
            other_node = node.right if text_side is node.left else node.left
            assert other.kind is not None
            self._clash(
                other_node, other.kind, f"cannot add it to {self._object(text_side, 'text')}"
            )
            return _UNKNOWN
        for side, kind in ((node.left, left.kind), (node.right, right.kind)):
            if kind not in _NUMERIC | {"null"}:
                assert kind is not None
                hint = " (use days_between(a, b) for days)" if kind in _DATES else ""
                needs = "two numbers or two texts" if node.op == "+" else "numbers"
                self._clash(side, kind, f"'{node.op}' needs {needs}{hint}")
                break
        return _UNKNOWN

    def _compare(self, node: Compare) -> _Type:
        types = [self.infer(operand) for operand in node.operands]
        for index, op in enumerate(node.ops):
            left, right = node.operands[index], node.operands[index + 1]
            if op in ("in", "not in"):
                self._membership(left, types[index], right, types[index + 1])
            else:
                self._comparison(op, left, types[index], right, types[index + 1])
        return _Type("boolean")

    def _comparison(self, op: str, left: Node, lt: _Type, right: Node, rt: _Type) -> None:
        if not self._comparable(left, lt.kind, right, rt.kind):
            subject, subject_kind, other, other_kind = left, lt.kind, right, rt.kind
            if isinstance(left, Literal) and not isinstance(right, Literal):
                subject, subject_kind, other, other_kind = right, rt.kind, left, lt.kind
            assert subject_kind is not None and other_kind is not None
            self._clash(
                subject,
                subject_kind,
                f"cannot compare it with {self._object(other, other_kind)}",
            )
            return
        if op not in ("==", "!="):
            for side, kind in ((left, lt.kind), (right, rt.kind)):
                if kind in ("boolean", "list", "object"):
                    self._clash(side, kind, f"'{op}' cannot order {_plural(kind)}")
                    return

    def _comparable(self, left: Node, a: str | None, right: Node, b: str | None) -> bool:
        if a is None or b is None or "null" in (a, b):
            return True
        if a == b or {a, b} <= _NUMERIC or {a, b} <= _DATES:
            return True
        if {a, b} & _DATES and "text" in (a, b):
            text_node = left if a == "text" else right
            return not isinstance(text_node, Literal) or _is_iso(text_node.value)
        return False

    def _membership(self, left: Node, lt: _Type, right: Node, rt: _Type) -> None:
        if rt.kind is None or rt.kind == "null":
            return
        if rt.kind == "text":
            if lt.kind not in (None, "null", "text"):
                self._clash(left, lt.kind, f"cannot be looked for in {self._object(right, 'text')}")
            return
        if rt.kind != "list":
            self._clash(right, rt.kind, "'in' needs a list or a text on its right")
            return
        if isinstance(right, ListOf):
            for item in right.items:
                if not self._comparable(left, lt.kind, item, self.infer(item).kind):
                    assert lt.kind is not None
                    self._clash(
                        left,
                        lt.kind,
                        f"cannot compare it with {self._object(item, self.infer(item).kind or '')}",
                    )
                    return
        elif not self._comparable(left, lt.kind, right, rt.element):
            assert lt.kind is not None and rt.element is not None
            self._clash(
                left,
                lt.kind,
                f"cannot be found in {self._object(right, 'list of ' + rt.element)}",
            )

    def _choose(self, node: Choose) -> _Type:
        self.infer(node.test)
        return _unite([self.infer(node.body), self.infer(node.orelse)])

    def _list(self, node: ListOf) -> _Type:
        items = [self.infer(item) for item in node.items]
        return _Type("list", _unite(items).kind if items else None)

    def _call(self, node: Call) -> _Type:
        args = [self.infer(arg) for arg in node.args]
        return _CALLS[node.name](self, node, args)

    # --- function rules --------------------------------------------------------------------

    def require(
        self, node: Call, index: int, arg: _Type, allowed: frozenset[str], wanted: str
    ) -> bool:
        """Report when argument `index` is certainly not of an allowed kind."""
        kind = arg.kind
        if kind is None or kind == "null" or kind in allowed:
            return True
        arg_node = node.args[index]
        iso_text = not isinstance(arg_node, Literal) or _is_iso(arg_node.value)
        if kind == "text" and allowed & _DATES and iso_text:
            return True
        self._clash(arg_node, kind, f"{node.name}() needs {wanted}")
        return False


def _is_iso(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parse_iso(value)
    except ExpressionError:
        return False
    return True


def _is_number(value: object) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _unite(types: list[_Type]) -> _Type:
    kinds = {t.kind for t in types} - {"null"}
    if not kinds:
        return _Type("null")
    if len(kinds) == 1:
        (kind,) = kinds
        elements = {t.element for t in types if t.kind == kind}
        return _Type(kind, elements.pop() if len(elements) == 1 else None)
    if kinds <= _NUMERIC:
        return _Type("number")
    return _UNKNOWN


def _elements(args: list[_Type]) -> list[_Type]:
    """What an aggregate runs over: the elements of one list, or the values themselves."""
    if len(args) == 1 and args[0].kind == "list":
        return [_Type(args[0].element)]
    return args


def _aggregate_numbers(checker: _Checker, node: Call, args: list[_Type]) -> list[_Type]:
    values = _elements(args)
    for index, value in enumerate(values):
        if value.kind is not None and value.kind not in _NUMERIC | {"null"}:
            position = 0 if len(args) == 1 else index
            if args[position].kind == "list":
                shown = checker.source[node.args[0].start : node.args[0].end]
                checker.problems.append(
                    f"'{shown}' holds {_plural(value.kind)}; {node.name}() needs numbers"
                )
            else:
                checker.require(node, position, value, _NUMERIC, "a number")
    return values


def _sum(checker: _Checker, node: Call, args: list[_Type]) -> _Type:
    values = _aggregate_numbers(checker, node, args)
    known = {v.kind for v in values}
    return _Type("integer") if known == {"integer"} else _Type("number")


def _avg(checker: _Checker, node: Call, args: list[_Type]) -> _Type:
    _aggregate_numbers(checker, node, args)
    return _Type("number")


def _extreme(checker: _Checker, node: Call, args: list[_Type]) -> _Type:
    return _unite(_elements(args))


def _count(checker: _Checker, node: Call, args: list[_Type]) -> _Type:
    return _Type("integer")


def _round(checker: _Checker, node: Call, args: list[_Type]) -> _Type:
    checker.require(node, 0, args[0], _NUMERIC, "a number")
    if len(args) > 1:
        checker.require(node, 1, args[1], _NUMERIC, "a whole number of places")
    places = node.args[1] if len(node.args) > 1 else None
    whole = isinstance(places, Literal) and _is_number(places.value) and places.value <= 0
    if places is None or whole:
        return _Type("integer")
    return _Type("number")


def _abs(checker: _Checker, node: Call, args: list[_Type]) -> _Type:
    return args[0] if checker.require(node, 0, args[0], _NUMERIC, "a number") else _UNKNOWN


def _len(checker: _Checker, node: Call, args: list[_Type]) -> _Type:
    checker.require(node, 0, args[0], frozenset({"text", "list"}), "a text or a list")
    return _Type("integer")


def _coalesce(checker: _Checker, node: Call, args: list[_Type]) -> _Type:
    return _unite(args)


def _concat(checker: _Checker, node: Call, args: list[_Type]) -> _Type:
    scalar = frozenset({"number", "integer", "text", "boolean", "date", "datetime"})
    for index, arg in enumerate(args):
        checker.require(node, index, arg, scalar, "plain values, not lists or records")
    return _Type("text")


def _dated(result: str) -> Callable[[_Checker, Call, list[_Type]], _Type]:
    def check(checker: _Checker, node: Call, args: list[_Type]) -> _Type:
        for index, arg in enumerate(args):
            checker.require(node, index, arg, _DATES, "a date")
        return _Type(result)

    return check


_CALLS: dict[str, Callable[[_Checker, Call, list[_Type]], _Type]] = {
    "sum": _sum,
    "avg": _avg,
    "min": _extreme,
    "max": _extreme,
    "count": _count,
    "round": _round,
    "abs": _abs,
    "len": _len,
    "coalesce": _coalesce,
    "concat": _concat,
    "today": lambda checker, node, args: _Type("date"),
    "now": lambda checker, node, args: _Type("datetime"),
    "days_between": _dated("integer"),
    "year": _dated("integer"),
    "month": _dated("text"),
}
