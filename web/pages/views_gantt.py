"""The Gantt view of a module: bars, dependencies, the critical path and the S-curve.

Drawn on the server as SVG (web/pages/gantt_layout.py), as the workflow drawing is: Frappe
Gantt writes `style` attributes, which our Content-Security-Policy refuses. The tasks come
from `engine.schedule.read_gantt` (one scoped SELECT of the view's columns, the list's
filters); the critical path from its forward and backward pass. Dragging a bar, or the date
inputs of a task, is the same `update_record` call as the form, at the version the page read.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from engine.abilities import abilities
from engine.catalog import load_catalog
from engine.definitions.model import GanttView, Module
from engine.errors import FormworkError, ValidationFailed
from engine.records import ListQuery, parse_list_params, update_record
from engine.schedule.gantt import read_gantt
from engine.schedule.progress import s_curve
from web.charts import s_curve_option
from web.errors import status_of
from web.pages.context import actor, db, is_htmx
from web.pages.errors import render_error
from web.pages.gantt_layout import ZOOMS, Layout, layout, rows_svg
from web.pages.lists import engine_params, filter_widgets, list_params
from web.pages.messages import ShownProblem, problem_text
from web.problems import problem_message

bp = Blueprint("views_gantt", __name__)

BODY_ID = "gantt-body"


def gantt_of(module: Module) -> GanttView:
    """The module's Gantt view, or 404 when it declares none."""
    view = next((v for v in module.ui.views if isinstance(v, GanttView)), None)
    if view is None:
        abort(404)
    return view


def describe(chart: Layout, module_id: str) -> None:
    """Each task row's label, tooltip and link, worded once here rather than per row in
    the template (2,000 rows: a gettext and a url_for each would cost more than the SQL)."""
    href = url_for("record.show", module_id=module_id, record_id="RECORD")
    critical, floating = _("critical"), _("float %(days)s days")
    for row in chart.rows:
        task = row.task
        if task is None:
            continue
        key = f"{task.key} " if task.key and task.key != task.number else ""
        row.label = key + (task.title if len(task.title) <= 30 else task.title[:29] + "…")
        parts = [key + task.title]
        if task.start is not None:
            parts.append(f"{task.start.isoformat()} – {task.end.isoformat() if task.end else ''}")
        if task.timing is not None:
            parts.append(
                critical if task.timing.critical else floating % {"days": task.timing.total_float}
            )
        if task.progress is not None:
            parts.append(f"{round(task.progress)}%")
        row.tip = " · ".join(parts)
        row.href = href.replace("RECORD", task.id)


@bp.get("/m/<module_id>/gantt")
@login_required
def show(module_id: str) -> ResponseReturnValue:
    """The Gantt chart of the records the list's filters keep; htmx gets only the chart."""
    who = actor()
    params = list_params(request.args)
    zoom = request.args.get("zoom", "week")
    zoom = zoom if zoom in ZOOMS else "week"
    problems: list[ShownProblem] = []
    with db() as session:
        module = load_catalog(session).module(module_id)
        view = gantt_of(module)
        answer = abilities(who, module)
        answer.require_read()
        try:
            parsed = parse_list_params(module, engine_params(module, params), who)
        except ValidationFailed as exc:
            problems = [problem_text(p, module) for p in exc.problems]
            parsed = ListQuery()
        gantt = read_gantt(session, module.id, view, who, ListQuery(parsed.filters, parsed.search))
        widgets = filter_widgets(session, module, who, params)
    today = dt.date.today()
    chart = layout(gantt, zoom, today)
    describe(chart, module.id)
    writable = {n for n, mode in answer.fields.items() if mode == "write"}
    groups = {t.group for t in gantt.tasks}
    points = s_curve(gantt.tasks, today) if len(groups) == 1 else []
    context = {
        "module": module,
        "active_module": module.id,
        "view": view,
        "gantt": gantt,
        "chart": chart,
        "rows_svg": rows_svg(chart),
        "zoom": zoom,
        "zooms": {"day": _("Day"), "week": _("Week"), "month": _("Month")},
        "params": params,
        "widgets": widgets,
        "problems": problems,
        "query": urlencode(sorted(params.items())),
        "may_move": answer.update and {view.start, view.end} <= writable,
        "s_curve": s_curve_option(points, _("Planned"), _("Actual")),
        "one_group": len(groups) == 1,
        "titles": {t.id: t.title for t in gantt.tasks},
        "body_id": BODY_ID,
        "here": request.full_path,
    }
    status = 422 if problems else 200
    if is_htmx() and request.headers.get("HX-Target") == BODY_ID:
        return render_template("views/gantt_body.html", **context), status
    return render_template("views/gantt.html", **context), status


@bp.post("/m/<module_id>/gantt/move", defaults={"record_id": None})
@bp.post("/m/<module_id>/gantt/move/<record_id>")
@login_required
def move(module_id: str, record_id: str | None) -> ResponseReturnValue:
    """New start and finish of a task: the form's update, version checked. Scripts get a
    short answer (the new version, or the reason it was refused). The page's date form
    names the task as `task` = "<id>@<version>" (one form, a choice of tasks)."""
    who = actor()
    task_id, _at, task_version = request.form.get("task", "").partition("@")
    record_id = record_id or task_id
    if not record_id:
        abort(404)
    version_text = request.form.get("version") or task_version
    version: object = int(version_text) if version_text.isdigit() else version_text
    start, end = request.form.get("start", ""), request.form.get("end", "")
    try:
        with db() as session:
            module = load_catalog(session).module(module_id)
            view = gantt_of(module)
            data = {view.start: start, view.end: end}
            saved = update_record(session, module.id, record_id, version, data, who)
    except FormworkError as error:
        reasons = "; ".join(dict.fromkeys(problem_message(p) for p in error.problems))
        if is_htmx():
            notice = render_template("views/gantt_notice.html", text=reasons, refused=True)
            return notice, status_of(error)
        return render_error(status_of(error), reasons)
    if is_htmx():
        text = _("Moved to %(start)s – %(end)s.", start=start, end=end)
        notice = render_template("views/gantt_notice.html", text=text, refused=False)
        headers = {"X-Record-Version": str(saved.version), "HX-Trigger": "gantt-moved"}
        return notice, 200, headers
    return redirect(url_for(".show", module_id=module_id), 303)
