"""The columns of a module's board: one per workflow state or per choice of a field.

A column is one capped page of `list_records` (the list's filters, sort and scope, plus the
column's own condition), so its count and the total of the list's first total field come
from SQL and a column of 50,000 records still reads `CARDS_PER_COLUMN` rows; the rest is a
link to the list filtered the same way. Cards show what the list shows, hidden fields
withheld by the same abilities.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from engine.abilities import Abilities
from engine.actor import Actor
from engine.definitions.model import KanbanView, Module
from engine.records import Filter, ListQuery, Record, list_records
from web.pages.formatting import choice_text, is_overdue, state_colour, state_title
from web.pages.lists import url_with, visible_columns

STATE = "$state"
NONE_KEY = ""  # the column of records whose choice field has no value
CARDS_PER_COLUMN = 25
KEY_FIELDS = 3


@dataclass(frozen=True)
class Lane:
    """A column as the view defines it: its key in forms, its title and its condition."""

    key: str
    title: str
    colour: str
    value: Any  # the state id, the choice value, or None for "(none)"


@dataclass
class Card:
    record: Record
    overdue: bool


@dataclass
class Column:
    lane: Lane
    cards: list[Card] = field(default_factory=list)
    count: int = 0
    total: Decimal | int | None = None
    list_url: str | None = None

    @property
    def more(self) -> int:
        """How many records of the column the board leaves to the list."""
        return max(0, self.count - len(self.cards))


def kanban_of(module: Module) -> KanbanView | None:
    """The module's first kanban view, if it declares one."""
    return next((v for v in module.ui.views if isinstance(v, KanbanView)), None)


def lanes(module: Module, by: str) -> list[Lane]:
    """The columns in order: the workflow's states, or the field's choices and "(none)"."""
    if by == STATE:
        states = module.workflow.states if module.workflow else {}
        return [Lane(s, state_title(module, s), state_colour(module, s), s) for s in states]
    f = module.field(by)
    if f is None:
        return []
    choices = [Lane(str(v), choice_text(f, v), "neutral", v) for v in f.enum or ()]
    return [*choices, Lane(NONE_KEY, _("(none)"), "neutral", None)]


def lane_of(module: Module, by: str, key: str) -> Lane | None:
    """The column a move names by its key, or None for an unknown one."""
    return next((lane for lane in lanes(module, by) if lane.key == key), None)


def key_fields(module: Module, who: Actor, answer: Abilities, by: str) -> list[str]:
    """The list's first columns that a card shows besides its title, number, column and
    owner (fields hidden from `who` are not among the list's visible columns)."""
    shown = {"$number", "$state", "$owner", by, module.title_field}
    return [c for c in visible_columns(module, who, answer) if c not in shown][:KEY_FIELDS]


def total_field(module: Module, answer: Abilities) -> str | None:
    """The list's first total the viewer may see: the sum a column header shows."""
    for name in module.ui.list.totals:
        f = module.field(name)
        if f is not None and f.stored and name in answer.visible:
            return name
    return None


def _column_filter(by: str, lane: Lane) -> Filter:
    return Filter(by, "eq", lane.value)


def _list_url(module: Module, by: str, lane: Lane, params: Mapping[str, str]) -> str | None:
    """The list with the board's filters and the column's: where "N more" leads."""
    if lane.value is None:  # the "(none)" column: the records whose field has no value
        return url_with(module.id, params, **{f"filter[{by}][empty]": "true", "page": None})
    return url_with(module.id, params, **{f"filter[{by}]": lane.key, "page": None})


def board_columns(
    session: Session,
    module: Module,
    who: Actor,
    by: str,
    query: ListQuery,
    params: Mapping[str, str],
    summed: str | None,
) -> list[Column]:
    """Each column's first cards, its count and its total of `summed`, all read in SQL."""
    columns = []
    for lane in lanes(module, by):
        page = list_records(
            session,
            module,
            who,
            ListQuery(
                (*query.filters, _column_filter(by, lane)),
                query.search,
                query.sort,
                1,
                CARDS_PER_COLUMN,
                True,
                False,
            ),
        )
        cards = [Card(r, is_overdue(module, r)) for r in page.items]
        total = page.totals.get(summed) if summed else None
        columns.append(Column(lane, cards, page.total, total, _list_url(module, by, lane, params)))
    return columns
