"""The days of a calendar page and what each draws: records on their day, or across their days.

A calendar view names a `date` field and, optionally, an `end` field. Without `end` a record
sits on the day of its date. With `end` it spans every shown day from its date to its end (an
end before the date, or none, leaves it on its date alone). In the month and week grids each
week row gives a record one lane — the first lane free over its days in that row, taken in
order of start — so its bar stays on one line across the row and starts again on the next
row; a cell draws its lanes up to its cap (an empty lane keeps its place) and counts the rest.
The list mode lists a spanning record once on each of its days, saying which day it is.

Only the shown days are read, in SQL and within the viewer's scope: the records starting in
the span and, for a spanning view, those that started before it and run into it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import url_for
from sqlalchemy.orm import Session

from engine.abilities import Abilities, abilities
from engine.actor import Actor
from engine.catalog import load_catalog
from engine.definitions.model import CalendarView, Module, Report
from engine.errors import ValidationFailed
from engine.expressions import parse
from engine.kinds.standard import DATETIME
from engine.records import (
    Filter,
    ListQuery,
    Record,
    build_filter,
    list_records,
    parse_list_params,
)
from engine.records.query import MAX_PER_PAGE
from engine.reports import run_compiled_report
from web.pages.calendar_span import Span
from web.pages.formatting import record_title, state_colour, state_title
from web.pages.lists import engine_params
from web.pages.messages import problem_text

SHOWN_IN_CELL = {"month": 3, "week": 12, "list": MAX_PER_PAGE}
ONE_DAY = dt.timedelta(days=1)


@dataclass
class Entry:
    """A record as the calendar draws it, from its first day to its last."""

    record: Record
    title: str
    url: str
    state: str
    colour: str
    move_url: str | None  # None when the viewer may not change its dates
    first: dt.date
    last: dt.date

    @property
    def day(self) -> str:
        """Its first day, as an input of type date writes it."""
        return self.first.isoformat()

    @property
    def length(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class Segment:
    """The piece of an entry drawn on one day."""

    entry: Entry
    day: dt.date
    lead: bool  # writes the title: the record's first day, or the first day of a week row

    @property
    def index(self) -> int:
        """Which of the record's days this is (1 for its first)."""
        return (self.day - self.entry.first).days + 1

    @property
    def starts(self) -> bool:
        return self.day == self.entry.first

    @property
    def ends(self) -> bool:
        return self.day == self.entry.last


@dataclass
class Day:
    date: dt.date
    entries: list[Segment | None] = field(default_factory=list)  # None: a lane kept empty
    count: int = 0  # records on this day, shown or not
    more_url: str = ""

    @property
    def more(self) -> int:
        return max(self.count - sum(1 for s in self.entries if s is not None), 0)


def calendar_view(module: Module) -> CalendarView | None:
    return next((v for v in module.ui.views if isinstance(v, CalendarView)), None)


def is_timed(module: Module, name: str) -> bool:
    """Whether the calendar's field holds a moment (date and time) rather than a day."""
    f = module.field(name)
    return f is not None and f.kind_type is DATETIME


def day_of(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        return dt.date.fromisoformat(value[:10])
    return None


def end_of(view: CalendarView, visible: Iterable[str]) -> str | None:
    """The view's end field when the viewer sees it (else records sit on their date)."""
    return view.end if view.end and view.end in set(visible) else None


def _bound(module: Module, name: str, day: dt.date, last: bool) -> str:
    if is_timed(module, name):
        return day.isoformat() + ("T23:59:59" if last else "T00:00:00")
    return day.isoformat()


def _range_filters(
    module: Module, view: CalendarView, span: Span, visible: frozenset[str]
) -> list[list[Filter]]:
    """The filters of each read: the records starting in the span, and (with an end) those
    that started before it and end in it or after."""
    name, end = view.date, end_of(view, visible)
    starting = [
        build_filter(module, name, "gte", _bound(module, name, span.first, False), visible),
        build_filter(module, name, "lte", _bound(module, name, span.last, True), visible),
    ]
    if end is None:
        return [starting]
    running = [
        build_filter(module, name, "lt", _bound(module, name, span.first, False), visible),
        build_filter(module, end, "gte", _bound(module, end, span.first, False), visible),
    ]
    return [running, starting]


def _counts(
    session: Session, module: Module, name: str, who: Actor, filters: list[Any]
) -> dict[dt.date, int]:
    """Records per day over the span, in one grouped and scoped SQL statement."""
    report = Report(
        "calendar", None, module.id, None, (parse(name),), {"n": parse("count()")}, None, {}
    )
    result = run_compiled_report(session, load_catalog(session), report, who, filters)
    counts: dict[dt.date, int] = defaultdict(int)
    for row in result.rows:
        day = day_of(row.get(result.groups[0]) if result.groups else None)
        if day is not None:
            counts[day] += int(row["n"] or 0)
    return counts


def _entry(
    module: Module, view: CalendarView, item: Record, who: Actor, answer: Abilities
) -> Entry:
    end = end_of(view, answer.visible)
    mine = abilities(who, module, item) if answer.update else answer
    names = [view.date] + ([end] if end else [])
    movable = mine.update and all(mine.fields.get(n) == "write" for n in names)
    first = day_of(item.data.get(view.date)) or dt.date.min
    last = (day_of(item.data.get(end)) if end else None) or first
    return Entry(
        item,
        record_title(module, item),
        url_for("record.show", module_id=module.id, record_id=item.id),
        state_title(module, item.state) if module.workflow else "",
        state_colour(module, item.state),
        url_for("views_calendar.move", module_id=module.id, record_id=item.id) if movable else None,
        first,
        max(first, last),
    )


def place(entries: Sequence[Entry], days: Mapping[dt.date, Day], span: Span) -> None:
    """Put each entry on its shown days: in lanes per week row on a grid, in order in a list."""
    cap = SHOWN_IN_CELL[span.mode]
    rows = span.weeks if span.mode != "list" else [[d] for d in span.days]
    for row in rows:
        first, last = row[0], row[-1]
        touching = [e for e in entries if e.first <= last and e.last >= first]
        touching.sort(key=lambda e: (max(e.first, first), -e.length))  # stable: query order
        lanes: list[dt.date] = []  # the last day each lane is taken
        for entry in touching:
            start, stop = max(entry.first, first), min(entry.last, last)
            lane = next((i for i, taken in enumerate(lanes) if taken < start), len(lanes))
            lanes[lane : lane + 1] = [stop]
            day = start
            while day <= stop:
                cell = days[day]
                cell.count += 1
                if lane < cap:
                    cell.entries.extend([None] * (lane + 1 - len(cell.entries)))
                    cell.entries[lane] = Segment(entry, day, day == entry.first or day == first)
                day += ONE_DAY


def read_days(
    session: Session,
    module: Module,
    who: Actor,
    params: Mapping[str, str],
    span: Span,
) -> tuple[list[Day], list[Any]]:
    """The span's days with their entries and counts, or the problems of the filters."""
    view = calendar_view(module)
    assert view is not None
    answer = abilities(who, module)
    try:
        query = parse_list_params(module, engine_params(module, params), who)
    except ValidationFailed as exc:
        return [], [problem_text(p, module) for p in exc.problems]
    entries: list[Entry] = []
    reads = _range_filters(module, view, span, answer.visible)
    for bounds in reads:
        filters = (*query.filters, *bounds)
        order = (view.date, "$number")
        read = ListQuery(filters, query.search, order, 1, MAX_PER_PAGE, False, False)
        page = list_records(session, module.id, who, read)
        entries += [_entry(module, view, item, who, answer) for item in page.items]
    days = {d: Day(d) for d in span.days}
    place(entries, days, span)
    if len(reads) == 1 and not query.search:  # a search is not a filter the grouped query takes
        for day_date, n in _counts(
            session, module, view.date, who, [*query.filters, *reads[0]]
        ).items():
            if day_date in days:
                days[day_date].count = n
    end = end_of(view, answer.visible)
    for day in days.values():
        day.more_url = day_list_url(module, view.date, end, params, day.date)
    return list(days.values()), []


def day_list_url(
    module: Module, name: str, end: str | None, params: Mapping[str, str], day: dt.date
) -> str:
    """The list filtered to one day's records (running that day, with an end), with the
    calendar's other filters."""
    names = (name, end) if end else (name,)
    kept = {
        k: v for k, v in params.items() if not k.startswith(tuple(f"filter[{n}]" for n in names))
    }
    kept[f"filter[{name}][lte]"] = day.isoformat()
    kept[f"filter[{end or name}][gte]"] = day.isoformat()
    return url_for("lists.records", module_id=module.id) + "?" + urlencode(sorted(kept.items()))


def _shift(value: Any, days: dt.timedelta) -> Any:
    if isinstance(value, dt.date):  # a datetime too: it keeps its time of day
        return (value + days).isoformat()
    return value


def moved_values(
    module: Module, view: CalendarView, record: Record | None, day: str
) -> dict[str, Any]:
    """The values a move to `day` writes: the date (a moment at 09:00 when it had no time)
    and, for a view with an end, the end moved by as many days, so the record keeps its
    length (a viewer who may not write the end is refused by the update, nothing moved)."""
    name = view.date
    start = day_of(record.data.get(name)) if record is not None else None
    try:
        new = dt.date.fromisoformat(day) if len(day) == 10 else None
    except ValueError:
        new = None
    if view.end and record is not None and start is not None and new is not None:
        delta = new - start
        return {
            name: _shift(record.data.get(name), delta),
            view.end: _shift(record.data.get(view.end), delta),
        }
    return {name: day + "T09:00:00" if is_timed(module, name) and len(day) == 10 else day}
