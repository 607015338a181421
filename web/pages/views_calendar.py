"""The calendar view of a module: its records placed on the day of the view's date field.

Drawn on the server as an HTML grid (month, week, or the month as a list), not by
FullCalendar, which injects `<style>` elements our Content-Security-Policy refuses. Only the
shown days are read: one page of records through `list_records` with the list's filters and
a date range, and the count per day through one grouped query (`run_compiled_report`), both
scoped to the viewer. Moving a record to another day is the same `update_record` call as
the form, at the version the page read; a refusal comes back with its reason.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_skeleton
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy.orm import Session

from engine.abilities import Abilities, abilities
from engine.actor import Actor
from engine.catalog import load_catalog
from engine.definitions.model import CalendarView, Module, Report
from engine.errors import FormworkError, ValidationFailed
from engine.expressions import parse
from engine.kinds.standard import DATETIME
from engine.records import (
    ListQuery,
    Record,
    build_filter,
    list_records,
    parse_list_params,
    update_record,
)
from engine.records.query import MAX_PER_PAGE
from engine.reports import run_compiled_report
from web.errors import status_of
from web.pages.calendar_span import Span, calendar_span
from web.pages.context import actor, db, is_htmx
from web.pages.errors import render_error
from web.pages.formatting import record_title, state_colour, state_title
from web.pages.lists import engine_params, filter_widgets, list_params
from web.pages.messages import problem_text
from web.problems import problem_message

bp = Blueprint("views_calendar", __name__)

BODY_ID = "calendar-body"
SHOWN_IN_CELL = {"month": 3, "week": 12, "list": MAX_PER_PAGE}


@dataclass
class Entry:
    """A record as the calendar draws it."""

    record: Record
    title: str
    url: str
    state: str
    colour: str
    move_url: str | None  # None when the viewer may not change its date
    day: str  # the day it is on, as an input of type date writes it


@dataclass
class Day:
    date: dt.date
    entries: list[Entry] = field(default_factory=list)
    count: int = 0  # records on this day, shown or not
    more_url: str = ""

    @property
    def more(self) -> int:
        return max(self.count - len(self.entries), 0)


def calendar_of(module: Module) -> CalendarView:
    view = next((v for v in module.ui.views if isinstance(v, CalendarView)), None)
    if view is None:
        abort(404)
    return view


def _range_filters(module: Module, name: str, span: Span, visible: frozenset[str]) -> list[Any]:
    """The filters keeping the records of the span's days (a date-time field widened)."""
    timed = is_timed(module, name)
    first, last = span.first.isoformat(), span.last.isoformat()
    if timed:
        first, last = first + "T00:00:00", last + "T23:59:59"
    return [
        build_filter(module, name, "gte", first, visible),
        build_filter(module, name, "lte", last, visible),
    ]


def is_timed(module: Module, name: str) -> bool:
    """Whether the calendar's field holds a moment (date and time) rather than a day."""
    f = module.field(name)
    return f is not None and f.kind_type is DATETIME


def _day_of(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        return dt.date.fromisoformat(value[:10])
    return None


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
        day = _day_of(row.get(result.groups[0]) if result.groups else None)
        if day is not None:
            counts[day] += int(row["n"] or 0)
    return counts


def _entry(module: Module, item: Record, who: Actor, name: str, answer: Abilities) -> Entry:
    mine = abilities(who, module, item) if answer.update else answer
    movable = mine.update and mine.fields.get(name) == "write"
    return Entry(
        item,
        record_title(module, item),
        url_for("record.show", module_id=module.id, record_id=item.id),
        state_title(module, item.state) if module.workflow else "",
        state_colour(module, item.state),
        url_for(".move", module_id=module.id, record_id=item.id) if movable else None,
        (_day_of(item.data.get(name)) or dt.date.min).isoformat(),
    )


def _days(
    session: Session, module: Module, who: Actor, params: Mapping[str, str], span: Span
) -> tuple[list[Day], list[Any]]:
    """The span's days with their entries and counts, or the problems of the filters."""
    name = calendar_of(module).date
    answer = abilities(who, module)
    try:
        query = parse_list_params(module, engine_params(module, params), who)
    except ValidationFailed as exc:
        return [], [problem_text(p, module) for p in exc.problems]
    filters = [*query.filters, *_range_filters(module, name, span, answer.visible)]
    page = list_records(
        session,
        module.id,
        who,
        ListQuery(tuple(filters), query.search, (name, "$number"), 1, MAX_PER_PAGE, False, False),
    )
    days = {d: Day(d) for d in span.days}
    cap = SHOWN_IN_CELL[span.mode]
    for item in page.items:
        day = days.get(_day_of(item.data.get(name)) or span.first - dt.timedelta(days=1))
        if day is None:
            continue
        day.count += 1
        if len(day.entries) < cap:
            day.entries.append(_entry(module, item, who, name, answer))
    if not query.search:  # a search is not a filter the grouped query takes: count what came
        for day_date, n in _counts(session, module, name, who, filters).items():
            if day_date in days:
                days[day_date].count = n
    for day in days.values():
        day.more_url = _day_list_url(module, name, params, day.date)
    return list(days.values()), []


def _day_list_url(module: Module, name: str, params: Mapping[str, str], day: dt.date) -> str:
    """The list filtered to one day, with the calendar's other filters."""
    kept = {k: v for k, v in params.items() if not k.startswith(f"filter[{name}]")}
    kept[f"filter[{name}][gte]"] = kept[f"filter[{name}][lte]"] = day.isoformat()
    return url_for("lists.records", module_id=module.id) + "?" + urlencode(sorted(kept.items()))


def weekday_names(span: Span) -> list[str]:
    """Short weekday names in the user's language, in the order the grid draws them."""
    names = get_locale().days["format"]["abbreviated"]
    return [names[d.weekday()] for d in span.days[:7]]


def span_title(span: Span) -> str:
    locale = get_locale()
    if span.mode == "week":
        end = span.last
        return f"{format_skeleton('yMMMd', span.first, locale=locale)} – {format_skeleton('yMMMd', end, locale=locale)}"
    return format_skeleton("yMMMM", span.start, locale=locale)


def long_date(day: dt.date) -> str:
    """A day with its weekday, in the user's language (Tue, Mar 3, 2026 / 2026年3月3日周二)."""
    return format_skeleton("yMMMEd", day, locale=get_locale())


def today() -> dt.date:
    return dt.datetime.now(get_timezone()).date()


@bp.get("/m/<module_id>/calendar", defaults={"mode": "month", "period": None})
@bp.get("/m/<module_id>/calendar/<mode>", defaults={"period": None})
@bp.get("/m/<module_id>/calendar/<mode>/<period>")
@login_required
def show(module_id: str, mode: str, period: str | None) -> ResponseReturnValue:
    """The module's records on a calendar; the filter form's htmx requests get the body."""
    first_weekday = get_locale().first_week_day
    span = calendar_span(mode, period, first_weekday, today())
    if span is None:
        detail = _(
            "Use a month as 2026-03, a week as a day like 2026-03-09, and month, week or list."
        )
        return render_error(400, detail)
    who = actor()
    params = list_params(request.args)
    with db() as session:
        module = load_catalog(session).module(module_id)
        answer = abilities(who, module)
        answer.require_read()
        view = calendar_of(module)
        hidden = view.date not in answer.visible
        days, problems = ([], []) if hidden else _days(session, module, who, params, span)
        widgets = filter_widgets(session, module, who, params)
    context = _context(module, view, span, params, days, problems, widgets, hidden)
    status = 422 if problems else 200
    if is_htmx() and request.headers.get("HX-Target") == BODY_ID:
        return render_template("views/calendar_body.html", **context), status
    return render_template("views/calendar.html", **context), status


def _context(
    module: Module,
    view: CalendarView,
    span: Span,
    params: Mapping[str, str],
    days: list[Day],
    problems: list[Any],
    widgets: list[Any],
    hidden: bool,
) -> dict[str, Any]:
    query = urlencode(sorted((k, v) for k, v in params.items() if k not in ("page", "per_page")))

    def link(mode: str, period: str | None) -> str:
        base = url_for(".show", module_id=module.id, mode=mode, period=period)
        return f"{base}?{query}" if query else base

    here = today()
    month = (span.first + dt.timedelta(days=3)).isoformat()[:7]  # a week's month: its Thursday's
    return {
        "module": module,
        "active_module": module.id,
        "span": span,
        "days": days,
        "weeks": [days[i : i + 7] for i in range(0, len(days), 7)] if span.mode != "list" else [],
        "weekdays": weekday_names(span) if span.mode != "list" else [],
        "title": span_title(span),
        "long_date": long_date,
        "today": here,
        "params": params,
        "query": query,
        "problems": problems,
        "widgets": widgets,
        "hidden": hidden,
        "date_field": view.date,
        "body_id": BODY_ID,
        "here_url": link(span.mode, span.period),
        "previous_url": link(span.mode, span.previous),
        "next_url": link(span.mode, span.following),
        "today_url": link(span.mode, None),
        "mode_urls": {
            "month": link("month", month),
            "week": link(
                "week", (here if span.first <= here <= span.last else span.start).isoformat()
            ),
            "list": link("list", month),
        },
    }


def _safe_next(value: str | None, fallback: str) -> str:
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return fallback


@bp.post("/m/<module_id>/calendar/move/<record_id>")
@login_required
def move(module_id: str, record_id: str) -> ResponseReturnValue:
    """Put a record on another day: the form's update of the view's date field, version
    checked. Scripts get a short answer (the new version, or the reason it was refused)."""
    who = actor()
    version_text = request.form.get("version", "")
    version: object = int(version_text) if version_text.isdigit() else version_text
    day = request.form.get("date", "")
    try:
        with db() as session:
            module = load_catalog(session).module(module_id)
            name = calendar_of(module).date
            value = day + "T09:00:00" if is_timed(module, name) and len(day) == 10 else day
            saved = update_record(session, module.id, record_id, version, {name: value}, who)
    except FormworkError as error:
        reasons = "; ".join(dict.fromkeys(problem_message(p) for p in error.problems))
        if is_htmx():
            notice = render_template("views/calendar_notice.html", text=reasons, refused=True)
            return notice, status_of(error)
        return render_error(status_of(error), reasons)
    if is_htmx():
        message = _("Moved to %(day)s.", day=day)
        notice = render_template("views/calendar_notice.html", text=message, refused=False)
        return notice, 200, {"X-Record-Version": str(saved.version)}
    fallback = url_for(".show", module_id=module_id)
    return redirect(_safe_next(request.form.get("next"), fallback), 303)
