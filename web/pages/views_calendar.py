"""The calendar view of a module: its records on the day of the view's date field, or
across the days from that date to the view's end field (web/pages/calendar_days.py).

Drawn on the server as an HTML grid (month, week, or the month as a list), not by
FullCalendar, which injects `<style>` elements our Content-Security-Policy refuses. Only the
shown days are read, through `list_records` with the list's filters, scoped to the viewer.
Moving a record to another day is the same `update_record` call as the form, at the version
the page read — a spanning record's end moves with its date, so it keeps its length; a
refusal comes back with its reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_skeleton
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import login_required

from engine.abilities import abilities
from engine.catalog import load_catalog
from engine.definitions.model import CalendarView, Module
from engine.errors import FormworkError
from engine.records import get_record, update_record
from web.errors import status_of
from web.pages.calendar_days import Day, calendar_view, moved_values, read_days
from web.pages.calendar_span import Span, calendar_span
from web.pages.context import actor, db, is_htmx
from web.pages.errors import render_error
from web.pages.lists import filter_widgets, list_params
from web.pages.messages import problem_text
from web.problems import problem_message

bp = Blueprint("views_calendar", __name__)

BODY_ID = "calendar-body"


def calendar_of(module: Module) -> CalendarView:
    view = calendar_view(module)
    if view is None:
        abort(404)
    return view


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
        days, problems = ([], []) if hidden else read_days(session, module, who, params, span)
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


def _reasons(error: FormworkError, module: Module | None) -> str:
    """Why a move was refused, each problem once, a field's problem named by the field (a
    spanning record's end may be the one the viewer may not change)."""
    texts = []
    for problem in error.problems:
        shown = problem_text(problem, module) if module is not None and problem.path else None
        label = f"{shown.label}: " if shown is not None and shown.label else ""
        texts.append(label + problem_message(problem))
    return "; ".join(dict.fromkeys(texts))


@bp.post("/m/<module_id>/calendar/move/<record_id>")
@login_required
def move(module_id: str, record_id: str) -> ResponseReturnValue:
    """Put a record on another day: the form's update of the view's date field, version
    checked. Scripts get a short answer (the new version, or the reason it was refused)."""
    who = actor()
    version_text = request.form.get("version", "")
    version: object = int(version_text) if version_text.isdigit() else version_text
    day = request.form.get("date", "")
    module: Module | None = None
    try:
        with db() as session:
            module = load_catalog(session).module(module_id)
            view = calendar_of(module)
            current = get_record(session, module.id, record_id, who) if view.end else None
            values = moved_values(module, view, current, day)
            saved = update_record(session, module.id, record_id, version, values, who)
    except FormworkError as error:
        reasons = _reasons(error, module)
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
