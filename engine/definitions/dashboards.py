"""Dashboards of a pack: typed cards, and the one shape a card's `where` may take.

A dashboard is a grid of cards: a number (one measure over a module, optionally for this
period against the last), a report's chart, or a short list of records. Each card's figure
must open as the module's list filtered to exactly the records it counts, so a card's
`where` is limited to what the list's filters say: comparisons of a stored field (or `$state`,
`$owner`...) with a value, joined by `and`. A value may be a literal, `today()` or `user.id`,
which are fixed for each viewer when the card is computed (engine/dashboards.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.expressions import Expression, parse
from engine.expressions.nodes import Call, Compare, ListOf, Literal, Logic, Name, Node

# expression comparison → the list filter's operator; and the same with its sides swapped
OPERATORS = {"==": "eq", "!=": "ne", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte", "in": "in"}
SWAPPED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
PERIOD_UNITS = ("day", "week", "month", "quarter", "year")


@dataclass(frozen=True)
class Condition:
    """`field op value` as a list filter; `value` is a literal, a list, `today()` or `user.id`."""

    field: str
    op: str
    value: Node


class NotAFilter(ValueError):
    """A `where` the list's filters cannot say; `part` is the text of the offending piece."""

    def __init__(self, part: str) -> None:
        super().__init__(part)
        self.part = part


def _is_value(node: Node) -> bool:
    match node:
        case Literal(value=value):
            return value is not None
        case Call(name="today", args=()):
            return True
        case Name(path=("user", "id")):
            return True
        case ListOf(items=items):
            return bool(items) and all(isinstance(i, Literal) for i in items)
    return False


def _field_of(node: Node) -> str | None:
    if isinstance(node, Name) and len(node.path) == 1 and node.path[0] != "user":
        return node.path[0]
    return None


def conditions(expression: Expression | None) -> tuple[Condition, ...]:
    """The `and`ed comparisons of `expression`; NotAFilter for anything else."""
    if expression is None:
        return ()
    tree = expression.tree
    parts = tree.values if isinstance(tree, Logic) and tree.op == "and" else (tree,)
    found = []
    for part in parts:
        text = expression.source[part.start : part.end]
        if not isinstance(part, Compare) or len(part.ops) != 1:
            raise NotAFilter(text)
        op, (left, right) = part.ops[0], part.operands
        if _field_of(left) is None and op in SWAPPED:
            left, right, op = right, left, SWAPPED[op]
        name = _field_of(left)
        if name is None or op not in OPERATORS or not _is_value(right):
            raise NotAFilter(text)
        if (op == "in") != isinstance(right, ListOf):
            raise NotAFilter(text)
        found.append(Condition(name, OPERATORS[op], right))
    return tuple(found)


@dataclass(frozen=True)
class Period:
    """Count only this day / week / month / quarter / year of `field`; `compare` against the last."""

    field: str
    unit: str = "month"
    compare: bool = False


@dataclass(frozen=True)
class NumberCard:
    title: Any
    module: str
    measure: Expression
    where: tuple[Condition, ...]
    period: Period | None
    format: str
    size: int
    type: str = "number"


@dataclass(frozen=True)
class ChartCard:
    title: Any
    report: str
    size: int
    type: str = "chart"


@dataclass(frozen=True)
class ListCard:
    title: Any
    module: str
    where: tuple[Condition, ...]
    sort: tuple[str, ...]
    limit: int
    columns: tuple[str, ...]
    size: int
    type: str = "list"


Card = NumberCard | ChartCard | ListCard


@dataclass(frozen=True)
class Dashboard:
    id: str
    title: Any
    roles: tuple[str, ...]
    cards: tuple[Card, ...]
    raw: Mapping[str, Any]


def _where(raw: Mapping[str, Any]) -> tuple[Condition, ...]:
    return conditions(parse(raw["where"])) if raw.get("where") else ()


def compile_card(raw: Mapping[str, Any], frozen: Any) -> Card:
    """One (already checked) card as its typed object; `frozen` freezes titles."""
    title = frozen(raw.get("title", ""))
    size = int(raw.get("size", 1))
    if raw["type"] == "chart":
        return ChartCard(title, raw["report"], size)
    if raw["type"] == "list":
        sort = raw.get("sort", ())
        return ListCard(
            title,
            raw["module"],
            _where(raw),
            (sort,) if isinstance(sort, str) else tuple(sort),
            int(raw.get("limit", 5)),
            tuple(raw.get("columns", ())),
            size,
        )
    period = None
    if raw_period := raw.get("period"):
        period = Period(
            raw_period["field"],
            raw_period.get("unit", "month"),
            raw_period.get("compare") == "previous",
        )
    return NumberCard(
        title,
        raw["module"],
        parse(raw.get("measure", "count()")),
        _where(raw),
        period,
        raw.get("format", "number"),
        size,
    )


def compile_dashboard(raw: Mapping[str, Any], frozen: Any) -> Dashboard:
    return Dashboard(
        id=raw["id"],
        title=frozen(raw.get("title", raw["id"])),
        roles=tuple(raw.get("roles", ())),
        cards=tuple(compile_card(c, frozen) for c in raw.get("cards", ())),
        raw=frozen(raw),
    )
