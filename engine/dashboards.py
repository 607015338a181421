"""Dashboards: the figures of a pack's cards for one viewer, every one computed in SQL.

A number card is one aggregate statement over its module's table (two with a period compared
against the last), a chart card runs its report, a list card is one page of `list_records`.
Each card's `where` becomes the list's own typed filters (`build_filter`), with `today()` and
`user.id` fixed for the viewer, so a card counts exactly the records its link opens: the same
filters, the same row scope, the same SQL. A card over a field hidden from the viewer — in
its measure or its `where` — is withheld, never computed; a card over a module the viewer
cannot read is left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, select
from sqlalchemy.orm import Session

from engine.abilities import Abilities, abilities
from engine.actor import Actor
from engine.catalog import Catalog
from engine.definitions.dashboards import (
    Card,
    ChartCard,
    Condition,
    Dashboard,
    ListCard,
    NumberCard,
    Period,
)
from engine.errors import NotFound, ValidationFailed
from engine.expressions.nodes import Call, ListOf, Literal, Name, Node
from engine.records import ListQuery, list_records
from engine.records.model import RecordPage
from engine.records.query import Filter, build_filter, filter_clauses
from engine.records.reading import resolver
from engine.reports import ReportResult, run_compiled_report

QueryArgs = tuple[tuple[str, str], ...]  # the list's query string: (key, value) pairs


@dataclass(frozen=True)
class NumberFigure:
    card: NumberCard
    value: Decimal | int | None  # None: withheld from this viewer
    previous: Decimal | int | None = None
    period: tuple[dt.date, dt.date] | None = None
    args: QueryArgs = ()  # opens the list of exactly the records counted

    @property
    def withheld(self) -> bool:
        return self.value is None

    @property
    def change(self) -> Decimal | None:
        """Percent change against the previous period; None without one or from zero."""
        if self.value is None or self.previous is None or self.previous == 0:
            return None
        return (Decimal(self.value) - Decimal(self.previous)) * 100 / abs(Decimal(self.previous))


@dataclass(frozen=True)
class ChartFigure:
    card: ChartCard
    result: ReportResult


@dataclass(frozen=True)
class ListFigure:
    card: ListCard
    page: RecordPage | None  # None: withheld (a `where` over a hidden field)
    args: QueryArgs = ()


Figure = NumberFigure | ChartFigure | ListFigure


def dashboards_for(catalog: Catalog, actor: Actor) -> list[Dashboard]:
    """The dashboards of the installed packs that `actor` sees (by role; admins see all)."""
    found = []
    for pack in catalog.packs.values():
        for dashboard in pack.dashboards:
            if not dashboard.roles or actor.is_admin or set(dashboard.roles) & actor.roles:
                found.append(dashboard)
    return found


def period_bounds(unit: str, today: dt.date, back: int = 0) -> tuple[dt.date, dt.date]:
    """The first and last day of the `unit` holding `today`, `back` units earlier."""
    if unit == "day":
        day = today - dt.timedelta(days=back)
        return day, day
    if unit == "week":
        start = today - dt.timedelta(days=today.weekday() + 7 * back)
        return start, start + dt.timedelta(days=6)
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    index = today.year * 12 + today.month - 1
    first = index - index % months if unit != "year" else today.year * 12
    first -= months * back
    start = dt.date(first // 12, first % 12 + 1, 1)
    after = first + months
    return start, dt.date(after // 12, after % 12 + 1, 1) - dt.timedelta(days=1)


def _raw(node: Node, actor: Actor, today: dt.date) -> str:
    """A condition's value as the list's query string writes it."""
    match node:
        case Call(name="today"):
            return today.isoformat()
        case Name():
            return actor.name or ""
        case ListOf(items=items):
            return ",".join(_raw(i, actor, today) for i in items)
        case Literal(value=value) if isinstance(value, bool):
            return "true" if value else "false"
        case Literal(value=value):
            return str(value)
    raise ValueError(node)  # the pack checks let no other value through


def _key(name: str, op: str) -> str:
    return f"filter[{name}]" + (f"[{op}]" if op != "eq" else "")


def card_filters(
    may: Abilities, conditions: Sequence[Condition], actor: Actor, today: dt.date
) -> tuple[list[Filter], QueryArgs] | None:
    """The typed filters and query string of a card's `where`; None if it reads a hidden field."""
    filters, args = [], []
    for condition in conditions:
        raw = _raw(condition.value, actor, today)
        try:
            filters.append(
                build_filter(may.module, condition.field, condition.op, raw, may.visible)
            )
        except ValidationFailed:
            return None
        args.append((_key(condition.field, condition.op), raw))
    return filters, tuple(args)


def _conditional(
    session: Session, catalog: Catalog, may: Abilities, card: NumberCard, filters: list[Filter]
) -> ColumnElement[Any]:
    """The card's aggregate over only the rows its filters keep: every card of a module is
    then one column of a single statement (one scan) instead of a statement of its own."""
    module = may.module
    table = catalog.tables[module.id].main
    base = resolver(table, module, catalog, may.actor)  # stored rollups, as the reader may see
    if not filters:
        return card.measure.to_sql(base, aggregate=True)
    kept = and_(*filter_clauses(session, module, table, filters))
    if card.measure.source.replace(" ", "") == "count()":
        return func.count(case((kept, literal(1))))

    def resolve(path: tuple[str, ...]) -> ColumnElement[Any]:
        return case((kept, base(path)))  # NULL outside: the aggregate passes it over

    return card.measure.to_sql(resolve, aggregate=True)


def _period_filter(may: Abilities, period: Period, bounds: tuple[dt.date, dt.date]) -> Filter:
    raw = f"{bounds[0].isoformat()},{bounds[1].isoformat()}"
    return build_filter(may.module, period.field, "between", raw, may.visible)


@dataclass(frozen=True)
class _Plan:
    """What a number card asks of its module's statement: one or two filtered aggregates."""

    card: NumberCard
    filters: list[Filter]
    previous: list[Filter] | None = None
    bounds: tuple[dt.date, dt.date] | None = None
    args: QueryArgs = ()


def _plan(may: Abilities, card: NumberCard, actor: Actor, today: dt.date) -> _Plan | None:
    """The card's filters for this viewer; None when it reads a field hidden from them."""
    hidden = {f.name for f in may.module.fields} - may.visible
    found = card_filters(may, card.where, actor, today)
    if found is None or any(ref[0] in hidden for ref in card.measure.references):
        return None
    filters, args = found
    if card.period is None:
        return _Plan(card, filters, args=args)
    if card.period.field in hidden:
        return None
    bounds = period_bounds(card.period.unit, today)
    current = [*filters, _period_filter(may, card.period, bounds)]
    previous = None
    if card.period.compare:
        last = period_bounds(card.period.unit, today, back=1)
        previous = [*filters, _period_filter(may, card.period, last)]
    span = (_key(card.period.field, "between"), f"{bounds[0].isoformat()},{bounds[1].isoformat()}")
    return _Plan(card, current, previous, bounds, (*args, span))


def number_figures(
    session: Session, catalog: Catalog, cards: Sequence[NumberCard], actor: Actor, today: dt.date
) -> list[NumberFigure]:
    """The figures of number cards over one module, in one statement, as `actor` may see them."""
    may = abilities(actor, catalog.module(cards[0].module))
    plans = [_plan(may, card, actor, today) for card in cards]
    columns: list[ColumnElement[Any]] = []
    for plan in plans:
        if plan is not None:
            columns.append(_conditional(session, catalog, may, plan.card, plan.filters))
            if plan.previous is not None:
                columns.append(_conditional(session, catalog, may, plan.card, plan.previous))
    values: list[Any] = []
    if columns:
        table = catalog.tables[may.module.id].main
        statement = select(*columns).select_from(table).where(may.scope(table))
        values = list(session.execute(statement).one())
    figures = []
    for card, plan in zip(cards, plans, strict=True):
        if plan is None:
            figures.append(NumberFigure(card, None))
            continue
        value = values.pop(0)
        previous = values.pop(0) if plan.previous is not None else None
        figures.append(NumberFigure(card, value, previous, plan.bounds, plan.args))
    return figures


def list_figure(
    session: Session, catalog: Catalog, card: ListCard, actor: Actor, today: dt.date
) -> ListFigure:
    may = abilities(actor, catalog.module(card.module))
    found = card_filters(may, card.where, actor, today)
    if found is None:
        return ListFigure(card, None)
    filters, args = found
    names = [k.lstrip("-+") for k in card.sort]
    visible_sort = tuple(
        k for k, n in zip(card.sort, names, strict=True) if n.startswith("$") or n in may.visible
    )
    query = ListQuery(
        filters=tuple(filters),
        sort=visible_sort,
        per_page=card.limit,
        with_totals=False,
        with_children=False,
    )
    page = list_records(session, may.module, actor, query)
    sort = (("sort", ",".join(visible_sort)),) if visible_sort else ()
    return ListFigure(card, page, args + sort)


def card_figure(
    session: Session, catalog: Catalog, card: Card, actor: Actor, today: dt.date
) -> Figure | None:
    """One card's figure, or None when the viewer cannot read what it shows."""
    try:
        if isinstance(card, ChartCard):
            report = catalog.report(card.report)
            return ChartFigure(card, run_compiled_report(session, catalog, report, actor))
        if not abilities(actor, catalog.module(card.module)).read:
            return None
        if isinstance(card, ListCard):
            return list_figure(session, catalog, card, actor, today)
        (figure,) = number_figures(session, catalog, [card], actor, today)
        return figure
    except NotFound:  # an unreadable module or report looks like an unknown one
        return None


def run_dashboard(
    session: Session,
    catalog: Catalog,
    dashboard: Dashboard,
    actor: Actor,
    today: dt.date | None = None,
) -> list[Figure]:
    """The figures of `dashboard`'s cards that `actor` may see, in the dashboard's order.

    The number cards of one module are computed together, in one statement."""
    today = today or dt.date.today()
    numbers: dict[str, list[NumberCard]] = {}
    for card in dashboard.cards:
        module = catalog.modules.get(card.module) if isinstance(card, NumberCard) else None
        if isinstance(card, NumberCard) and module is not None and abilities(actor, module).read:
            numbers.setdefault(card.module, []).append(card)
    computed: dict[int, Figure] = {}
    for cards in numbers.values():
        found = number_figures(session, catalog, cards, actor, today)
        computed.update((id(card), figure) for card, figure in zip(cards, found, strict=True))
    figures: list[Figure | None] = []
    for card in dashboard.cards:
        if isinstance(card, NumberCard):
            figures.append(computed.get(id(card)))
        else:
            figures.append(card_figure(session, catalog, card, actor, today))
    return [f for f in figures if f is not None]
