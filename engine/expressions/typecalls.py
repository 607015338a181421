"""The type rules of the functions an expression may call, for the type checker.

Each rule takes the checker, the call and the types of its arguments, reports a certain
clash through the checker and gives the type of the result (`CALLS`, by function name).
`ValueType` is what is known of a value before it exists; `unite` joins the types of values
that may each be the result (a `choose`, a list, `coalesce`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from engine.errors import ExpressionError
from engine.expressions.nodes import Call, Literal
from engine.expressions.values import parse_iso

NUMERIC = frozenset({"number", "integer"})
DATES = frozenset({"date", "datetime"})


@dataclass(frozen=True)
class ValueType:
    """What is known of a value before it exists: its kind (None: unknown) and, for a list,
    the kind of its elements."""

    kind: str | None
    element: str | None = None


UNKNOWN = ValueType(None)

#: What a function wants of an argument, by key (`require(..., wanted)`), in English.
WANTED = {
    "number": "a number",
    "places": "a whole number of places",
    "text_or_list": "a text or a list",
    "list": "a list",
    "plain": "plain values, not lists or records",
    "date": "a date",
}


@dataclass(frozen=True)
class Clash:
    """One certain type clash: its English sentence, and its reason (`params["clash"]`) with
    the parts it names (`subject_*`, `other_*`, `op`, `function`, `wanted`...), from which
    web/ says it in the reader's language."""

    message: str
    params: Mapping[str, Any]


class Checker(Protocol):
    """What a rule asks of the checker (engine/expressions/typecheck.py): the source text,
    the problems found so far, and `require` to report an argument of the wrong kind."""

    source: str
    problems: list[Clash]

    def require(
        self, node: Call, index: int, arg: ValueType, allowed: frozenset[str], wanted: str
    ) -> bool: ...


def plural(kind: str) -> str:
    return f"{kind}s"


def is_iso(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parse_iso(value)
    except ExpressionError:
        return False
    return True


def _is_number(value: object) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def unite(types: list[ValueType]) -> ValueType:
    kinds = {t.kind for t in types} - {"null"}
    if not kinds:
        return ValueType("null")
    if len(kinds) == 1:
        (kind,) = kinds
        elements = {t.element for t in types if t.kind == kind}
        return ValueType(kind, elements.pop() if len(elements) == 1 else None)
    if kinds <= NUMERIC:
        return ValueType("number")
    return UNKNOWN


def _elements(args: list[ValueType]) -> list[ValueType]:
    """What an aggregate runs over: the elements of one list, or the values themselves."""
    if len(args) == 1 and args[0].kind == "list":
        return [ValueType(args[0].element)]
    return args


def _aggregate_numbers(checker: Checker, node: Call, args: list[ValueType]) -> list[ValueType]:
    values = _elements(args)
    for index, value in enumerate(values):
        if value.kind is not None and value.kind not in NUMERIC | {"null"}:
            position = 0 if len(args) == 1 else index
            if args[position].kind == "list":
                shown = checker.source[node.args[0].start : node.args[0].end]
                message = f"'{shown}' holds {plural(value.kind)}; {node.name}() needs numbers"
                params = {"clash": "holds", "subject_part": shown, "subject_kind": value.kind}
                checker.problems.append(Clash(message, {**params, "function": node.name}))
            else:
                checker.require(node, position, value, NUMERIC, "number")
    return values


def _sum(checker: Checker, node: Call, args: list[ValueType]) -> ValueType:
    values = _aggregate_numbers(checker, node, args)
    known = {v.kind for v in values}
    return ValueType("integer") if known == {"integer"} else ValueType("number")


def _avg(checker: Checker, node: Call, args: list[ValueType]) -> ValueType:
    _aggregate_numbers(checker, node, args)
    return ValueType("number")


def _extreme(checker: Checker, node: Call, args: list[ValueType]) -> ValueType:
    return unite(_elements(args))


def _count(checker: Checker, node: Call, args: list[ValueType]) -> ValueType:
    return ValueType("integer")


def _round(checker: Checker, node: Call, args: list[ValueType]) -> ValueType:
    checker.require(node, 0, args[0], NUMERIC, "number")
    if len(args) > 1:
        checker.require(node, 1, args[1], NUMERIC, "places")
    places = node.args[1] if len(node.args) > 1 else None
    whole = isinstance(places, Literal) and _is_number(places.value) and places.value <= 0
    if places is None or whole:
        return ValueType("integer")
    return ValueType("number")


def _abs(checker: Checker, node: Call, args: list[ValueType]) -> ValueType:
    return args[0] if checker.require(node, 0, args[0], NUMERIC, "number") else UNKNOWN


def _len(checker: Checker, node: Call, args: list[ValueType]) -> ValueType:
    checker.require(node, 0, args[0], frozenset({"text", "list"}), "text_or_list")
    return ValueType("integer")


def _distinct(checker: Checker, node: Call, args: list[ValueType]) -> ValueType:
    checker.require(node, 0, args[0], frozenset({"list"}), "list")
    return args[0] if args[0].kind == "list" else ValueType("list")


def _coalesce(checker: Checker, node: Call, args: list[ValueType]) -> ValueType:
    return unite(args)


def _concat(checker: Checker, node: Call, args: list[ValueType]) -> ValueType:
    scalar = frozenset({"number", "integer", "text", "boolean", "date", "datetime"})
    for index, arg in enumerate(args):
        checker.require(node, index, arg, scalar, "plain")
    return ValueType("text")


def _dated(result: str) -> Callable[[Checker, Call, list[ValueType]], ValueType]:
    def check(checker: Checker, node: Call, args: list[ValueType]) -> ValueType:
        for index, arg in enumerate(args):
            checker.require(node, index, arg, DATES, "date")
        return ValueType(result)

    return check


def _shifted(checker: Checker, node: Call, args: list[ValueType]) -> ValueType:
    """add_days / add_months: a date (or datetime) and a number give the same kind of date."""
    checker.require(node, 0, args[0], DATES, "date")
    checker.require(node, 1, args[1], NUMERIC, "number")
    return args[0] if args[0].kind in DATES else UNKNOWN


def _whole(checker: Checker, node: Call, args: list[ValueType]) -> ValueType:
    """floor / ceil: a number gives an integer."""
    return ValueType("integer") if checker.require(node, 0, args[0], NUMERIC, "number") else UNKNOWN


CALLS: dict[str, Callable[[Checker, Call, list[ValueType]], ValueType]] = {
    "sum": _sum,
    "avg": _avg,
    "min": _extreme,
    "max": _extreme,
    "count": _count,
    "round": _round,
    "abs": _abs,
    "len": _len,
    "distinct": _distinct,
    "coalesce": _coalesce,
    "concat": _concat,
    "today": lambda checker, node, args: ValueType("date"),
    "now": lambda checker, node, args: ValueType("datetime"),
    "days_between": _dated("integer"),
    "year": _dated("integer"),
    "month": _dated("text"),
    "week": _dated("integer"),
    "add_days": _shifted,
    "add_months": _shifted,
    "floor": _whole,
    "ceil": _whole,
}
