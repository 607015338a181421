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
from engine.expressions.typecalls import (
    CALLS,
    DATES,
    NUMERIC,
    UNKNOWN,
    WANTED,
    Clash,
    ValueType,
    is_iso,
    plural,
    unite,
)
from engine.expressions.values import describe

TypeOf = Callable[[tuple[str, ...]], str | None]

_ARTICLES = {"integer": "an integer", "object": "an object"}
_KNOWN = frozenset({"number", "integer", "text", "boolean", "date", "datetime", "list", "object"})


def check_types(expr: Expression, type_of: TypeOf) -> list[str]:
    """Messages for the type clashes of `expr` that are certain, in source order."""
    return [clash.message for clash in type_clashes(expr, type_of)]


def type_clashes(expr: Expression, type_of: TypeOf) -> list[Clash]:
    """The type clashes of `expr` that are certain, each once, in source order."""
    checker = Checker(expr.source, type_of)
    checker.infer(expr.tree)
    return list({clash.message: clash for clash in checker.problems}.values())


def infer_type(expr: Expression, type_of: TypeOf) -> str | None:
    """The kind of value `expr` gives ("number", "text", ...), or None when it is not known."""
    return Checker(expr.source, type_of).infer(expr.tree).kind


def _date_arithmetic(op: str, a: str | None, b: str | None) -> ValueType | None:
    """`date ± number` is that kind of date, `date - date` whole days (dates.py); None when
    the operation is not one of these."""
    if op not in ("+", "-") or not {a, b} & DATES:
        return None
    if "null" in (a, b):
        return ValueType("null")
    if a in DATES and b in NUMERIC:
        return ValueType(a)
    if op == "+" and a in NUMERIC and b in DATES:
        return ValueType(b)
    if op == "-" and a in DATES and b in DATES:
        return ValueType("integer")
    return None


def _a(kind: str) -> str:
    return _ARTICLES.get(kind, f"a {kind}")


class Checker:
    def __init__(self, source: str, type_of: TypeOf):
        self.source = source
        self._type_of = type_of
        self.problems: list[Clash] = []
        self._table: dict[type[Node], Callable[[Any], ValueType]] = {
            Literal: self._literal,
            Name: self._name,
            Unary: self._unary,
            Binary: self._binary,
            Compare: self._compare,
            Logic: lambda node: self._all(node, ValueType("boolean")),
            Choose: self._choose,
            ListOf: self._list,
            Call: self._call,
        }

    def infer(self, node: Node) -> ValueType:
        return self._table[type(node)](node)

    def _all(self, node: Node, result: ValueType) -> ValueType:
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

    def _parts(self, node: Node, kind: str, role: str) -> dict[str, Any]:
        """The params naming `node` as the clash's subject or other side, for translations."""
        shown = self.source[node.start : node.end]
        if isinstance(node, Literal):
            return {f"{role}_literal": shown}
        if isinstance(node, Name):
            return {f"{role}_name": ".".join(node.path), f"{role}_kind": kind}
        return {f"{role}_part": shown, f"{role}_kind": kind}

    def _clash(self, subject: Node, kind: str, message: str, clash: str, **params: Any) -> None:
        if isinstance(subject, Literal):
            message = f"{describe(subject.value)}: {message}"
        else:
            message = f"{self._subject(subject, kind)}; {message}"
        parts = {"clash": clash, **self._parts(subject, kind, "subject"), **params}
        self.problems.append(Clash(message, parts))

    # --- nodes -----------------------------------------------------------------------------

    def _literal(self, node: Literal) -> ValueType:
        value = node.value
        if value is None:
            return ValueType("null")
        if isinstance(value, bool):
            return ValueType("boolean")
        if isinstance(value, int):
            return ValueType("integer")
        if isinstance(value, str):
            return ValueType("text")
        return ValueType("number")

    def _name(self, node: Name) -> ValueType:
        path = node.path
        for size in range(1, len(path)):
            prefix = self._lookup(path[:size])
            if prefix == "list":
                element = self._lookup(path)
                return ValueType("list", element if element != "list" else None)
        return ValueType(self._lookup(path))

    def _lookup(self, path: tuple[str, ...]) -> str | None:
        try:
            kind = self._type_of(path)
        except (KeyError, LookupError, ExpressionError):
            return None
        return kind if kind in _KNOWN else None

    def _unary(self, node: Unary) -> ValueType:
        operand = self.infer(node.operand)
        if node.op == "not":
            return ValueType("boolean")
        if operand.kind is not None and operand.kind not in NUMERIC | {"null"}:
            message = f"'{node.op}' needs a number"
            self._clash(node.operand, operand.kind, message, "needs_number", op=node.op)
            return UNKNOWN
        return operand

    def _binary(self, node: Binary) -> ValueType:
        left, right = self.infer(node.left), self.infer(node.right)
        dated = _date_arithmetic(node.op, left.kind, right.kind)
        if dated is not None:
            return dated
        kinds = {left.kind, right.kind} - {"null"}
        if None in kinds:
            return ValueType("text") if node.op == "+" and "text" in kinds else UNKNOWN
        if node.op == "+" and kinds == {"text"}:
            return ValueType("text")
        if kinds <= NUMERIC:
            if node.op == "/" or "number" in kinds:
                return ValueType("number")
            return ValueType("integer")
        if node.op == "+" and "text" in kinds:
            text_side, other = (node.left, right) if left.kind == "text" else (node.right, left)
            other_node = node.right if text_side is node.left else node.left
            assert other.kind is not None
            message = f"cannot add it to {self._object(text_side, 'text')}"
            other_parts = self._parts(text_side, "text", "other")
            self._clash(other_node, other.kind, message, "cannot_add", **other_parts)
            return UNKNOWN
        for side, kind in ((node.left, left.kind), (node.right, right.kind)):
            if kind not in NUMERIC | {"null"}:
                assert kind is not None
                hint = " (use days_between(a, b) for days)" if kind in DATES else ""
                needs = "two numbers or two texts" if node.op == "+" else "numbers"
                message = f"'{node.op}' needs {needs}{hint}"
                self._clash(side, kind, message, "operator_needs", op=node.op, dates=bool(hint))
                break
        return UNKNOWN

    def _compare(self, node: Compare) -> ValueType:
        types = [self.infer(operand) for operand in node.operands]
        for index, op in enumerate(node.ops):
            left, right = node.operands[index], node.operands[index + 1]
            if op in ("in", "not in"):
                self._membership(left, types[index], right, types[index + 1])
            else:
                self._comparison(op, left, types[index], right, types[index + 1])
        return ValueType("boolean")

    def _comparison(self, op: str, left: Node, lt: ValueType, right: Node, rt: ValueType) -> None:
        if not self._comparable(left, lt.kind, right, rt.kind):
            subject, subject_kind, other, other_kind = left, lt.kind, right, rt.kind
            if isinstance(left, Literal) and not isinstance(right, Literal):
                subject, subject_kind, other, other_kind = right, rt.kind, left, lt.kind
            assert subject_kind is not None and other_kind is not None
            message = f"cannot compare it with {self._object(other, other_kind)}"
            other_parts = self._parts(other, other_kind, "other")
            self._clash(subject, subject_kind, message, "cannot_compare", **other_parts)
            return
        if op not in ("==", "!="):
            for side, kind in ((left, lt.kind), (right, rt.kind)):
                if kind in ("boolean", "list", "object"):
                    message = f"'{op}' cannot order {plural(kind)}"
                    self._clash(side, kind, message, "cannot_order", op=op)
                    return

    def _comparable(self, left: Node, a: str | None, right: Node, b: str | None) -> bool:
        if a is None or b is None or "null" in (a, b):
            return True
        if a == b or {a, b} <= NUMERIC or {a, b} <= DATES:
            return True
        if {a, b} & DATES and "text" in (a, b):
            text_node = left if a == "text" else right
            return not isinstance(text_node, Literal) or is_iso(text_node.value)
        return False

    def _membership(self, left: Node, lt: ValueType, right: Node, rt: ValueType) -> None:
        if rt.kind is None or rt.kind == "null":
            return
        if rt.kind == "text":
            if lt.kind not in (None, "null", "text"):
                message = f"cannot be looked for in {self._object(right, 'text')}"
                other_parts = self._parts(right, "text", "other")
                self._clash(left, lt.kind, message, "not_in_text", **other_parts)
            return
        if rt.kind != "list":
            message = "'in' needs a list or a text on its right"
            self._clash(right, rt.kind, message, "in_needs_list")
            return
        if isinstance(right, ListOf):
            for item in right.items:
                if not self._comparable(left, lt.kind, item, self.infer(item).kind):
                    assert lt.kind is not None
                    item_kind = self.infer(item).kind or ""
                    message = f"cannot compare it with {self._object(item, item_kind)}"
                    other_parts = self._parts(item, item_kind, "other")
                    self._clash(left, lt.kind, message, "cannot_compare", **other_parts)
                    return
        elif not self._comparable(left, lt.kind, right, rt.element):
            assert lt.kind is not None and rt.element is not None
            listed = "list of " + rt.element
            message = f"cannot be found in {self._object(right, listed)}"
            other_parts = self._parts(right, listed, "other")
            self._clash(left, lt.kind, message, "not_in_list", **other_parts)

    def _choose(self, node: Choose) -> ValueType:
        self.infer(node.test)
        return unite([self.infer(node.body), self.infer(node.orelse)])

    def _list(self, node: ListOf) -> ValueType:
        items = [self.infer(item) for item in node.items]
        return ValueType("list", unite(items).kind if items else None)

    def _call(self, node: Call) -> ValueType:
        args = [self.infer(arg) for arg in node.args]
        return CALLS[node.name](self, node, args)

    # --- function rules --------------------------------------------------------------------

    def require(
        self, node: Call, index: int, arg: ValueType, allowed: frozenset[str], wanted: str
    ) -> bool:
        """Report when argument `index` is certainly not of an allowed kind."""
        kind = arg.kind
        if kind is None or kind == "null" or kind in allowed:
            return True
        arg_node = node.args[index]
        iso_text = not isinstance(arg_node, Literal) or is_iso(arg_node.value)
        if kind == "text" and allowed & DATES and iso_text:
            return True
        message = f"{node.name}() needs {WANTED[wanted]}"
        self._clash(arg_node, kind, message, "function_needs", function=node.name, wanted=wanted)
        return False
