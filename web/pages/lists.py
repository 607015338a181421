"""The list page of a module: columns, sort, filters, search, pages, totals, overdue marks.

The state of a view lives in the URL (`?q=&sort=-date&page=2&per_page=50&filter[date][gte]=`),
in the very parameters the API takes, so a view can be shared and the engine parses both
alike (`engine.records.parse_list_params`). Filtering, sorting and paging re-render only
the results through htmx (the URL is pushed); without JavaScript the same form and links
load the whole page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy.orm import Session

from engine.abilities import Abilities, abilities
from engine.actor import Actor
from engine.catalog import load_catalog
from engine.definitions.model import Field, Module
from engine.errors import Problem, ValidationFailed
from engine.kinds.standard import DATETIME
from engine.records import ListQuery, RecordPage, list_records, parse_list_params
from engine.records.query import FILTER_KEY
from web.pages.context import actor, db, is_htmx
from web.pages.formatting import field_title, state_title
from web.pages.messages import problem_text
from web.pages.pickers import link_options, user_options

PER_PAGE_CHOICES = (10, 20, 50, 100)
LIST_KEYS = ("q", "sort", "page", "per_page")
RESULTS_ID = "list-results"

bp = Blueprint("lists", __name__)


@dataclass
class FilterWidget:
    """One filter of `ui.list.filters` as the page shows it."""

    name: str
    label: str
    widget: str  # state | choice | link | user | boolean | date | datetime | number | text
    options: list[tuple[str, str]] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)  # operator → current value


def list_params(args: Mapping[str, Any]) -> dict[str, str]:
    """The list parameters of a query string, empty values dropped (one value per key)."""
    params: dict[str, str] = {}
    for key in args:
        if key not in LIST_KEYS and not key.startswith("filter"):
            continue
        value = args.get(key, "")
        if isinstance(value, str) and value.strip() != "":
            params[key] = value.strip()
    return params


def engine_params(module: Module, params: Mapping[str, str]) -> dict[str, str]:
    """Page parameters as the engine reads them (a date range on a date-time field widened)."""
    result = dict(params)
    for key, value in params.items():
        match = FILTER_KEY.match(key)
        if not match:
            continue
        f = module.field(match.group(1))
        op = match.group(2)
        if f is not None and f.kind_type is DATETIME and len(value) == 10:
            result[key] = value + ("T23:59:59" if op in ("lte", "lt") else "T00:00:00")
    return result


def url_with(module_id: str, params: Mapping[str, str], **changes: Any) -> str:
    """The list URL with some parameters changed (None removes one)."""
    merged = {**params}
    for key, value in changes.items():
        if value is None or value == "":
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    query = urlencode(sorted(merged.items()))
    base = url_for("lists.records", module_id=module_id)
    return f"{base}?{query}" if query else base


def visible_columns(module: Module, who: Actor, answer: Abilities | None = None) -> list[str]:
    """The list's columns that `who` sees (their `answer`, when it was read already)."""
    visible = (answer or abilities(who, module)).visible
    columns = [
        c for c in module.ui.list.columns if c.startswith("$") or (c in visible and module.field(c))
    ]
    if module.workflow is None:
        columns = [c for c in columns if c != "$state"]
    return columns or ["$number"]


def filter_widgets(
    session: Session, module: Module, who: Actor, params: Mapping[str, str]
) -> list[FilterWidget]:
    """The controls of the list's filter form (templates/records/_filters.html), which the
    views beside the list (board, calendar, Gantt) show too."""
    visible = abilities(who, module).visible
    widgets: list[FilterWidget] = []
    for name in module.ui.list.filters:
        values = {
            (match.group(2) or "eq"): v
            for match, v in ((FILTER_KEY.match(k), v) for k, v in params.items())
            if match is not None and match.group(1) == name
        }
        if name == "$state":
            if module.workflow is None:
                continue
            options = [(s, state_title(module, s)) for s in module.workflow.states]
            widgets.append(FilterWidget(name, field_title(module, name), "state", options, values))
            continue
        f = module.field(name)
        if f is None or name not in visible or not f.stored:
            continue
        widgets.append(_field_widget(session, module, f, who, values))
    return widgets


# The operators each filter control writes (templates/records/list.html); every one of them
# is an operator of the kinds that use the control (a test holds them to it).
WIDGET_OPERATORS: Mapping[str, tuple[str, ...]] = {
    "state": ("eq",),
    "choice": ("eq",),
    "link": ("eq",),
    "user": ("eq",),
    "boolean": ("eq",),
    "multichoice": ("contains",),
    "users": ("contains",),
    "date": ("gte", "lte"),
    "number": ("gte", "lte"),
    "text": ("contains",),
}


def _field_widget(
    session: Session, module: Module, f: Field, who: Actor, values: dict[str, str]
) -> FilterWidget:
    """The filter control the field's kind asks for, with the options it offers."""
    widget = f.kind_type.filter_widget
    label = field_title(module, f.name)
    return FilterWidget(
        f.name, label, widget, _filter_options(session, f, who, widget, values), values
    )


def _filter_options(
    session: Session, f: Field, who: Actor, widget: str, values: dict[str, str]
) -> list[tuple[str, str]]:
    from web.pages.formatting import choice_text

    if widget in ("choice", "multichoice"):
        return [(str(v), choice_text(f, v)) for v in f.enum or ()]
    if widget == "users":  # "me" first, then every active user
        return [("me", _("Me")), *user_options(session)]
    chosen = values.get("eq")
    if widget not in ("link", "user") or not chosen:
        return []  # a picker offers only the chosen one; the rest come as the user types
    if widget == "link":
        return link_options(session, f, who, selected=chosen, browse=False)
    return [o for o in user_options(session, selected=chosen) if o[0] == chosen]


def sort_state(module: Module, params: Mapping[str, str]) -> tuple[str | None, bool]:
    """The column the list is sorted by and whether descending."""
    keys = params.get("sort") or ",".join(module.ui.list.sort)
    first = keys.split(",")[0].strip() if keys else ""
    if not first:
        return None, False
    return first.lstrip("-+"), first.startswith("-")


def page_numbers(page: int, pages: int) -> list[int | None]:
    """Page links to show: first, last and the neighbours of the current page (None = gap)."""
    wanted = sorted({1, pages, page - 1, page, page + 1} & set(range(1, pages + 1)))
    result: list[int | None] = []
    for number in wanted:
        if result and number - (result[-1] or 0) > 1:
            result.append(None)
        result.append(number)
    return result


def run_list(
    session: Session, module: Module, who: Actor, params: Mapping[str, str]
) -> tuple[RecordPage | None, list[Problem]]:
    try:
        query = parse_list_params(module, engine_params(module, params), who)
    except ValidationFailed as exc:
        return None, exc.problems
    query = ListQuery(
        query.filters, query.search, query.sort, query.page, query.per_page, True, False
    )
    page = list_records(session, module.id, who, query)
    if page.items == [] and page.total and query.page > page.pages:  # past the last page
        query = ListQuery(query.filters, query.search, query.sort, page.pages, query.per_page)
        page = list_records(session, module.id, who, query)
    return page, []


@bp.get("/m/<module_id>")
@login_required
def records(module_id: str) -> ResponseReturnValue:
    """The module's records as a table; htmx requests get only the results."""
    who = actor()
    params = list_params(request.args)
    with db() as session:
        catalog = load_catalog(session)
        module = catalog.module(module_id)
        answer = abilities(who, module)
        answer.require_read()
        page, problems = run_list(session, module, who, params)
        widgets = filter_widgets(session, module, who, params)
    sorted_by, descending = sort_state(module, params)
    context = {
        "module": module,
        "active_module": module.id,
        "page": page,
        "problems": [problem_text(p, module) for p in problems],
        "params": params,
        "columns": visible_columns(module, who, answer),
        "widgets": widgets,
        "sorted_by": sorted_by,
        "descending": descending,
        "url_with": lambda **changes: url_with(module.id, params, **changes),
        "page_numbers": page_numbers(page.page, page.pages) if page else [],
        "per_page_choices": PER_PAGE_CHOICES,
        "may_create": answer.create,
        "may_export": answer.export,
        "filtered": any(k != "per_page" and k != "sort" for k in params),
        "export_query": urlencode(
            sorted((k, v) for k, v in params.items() if k not in ("page", "per_page"))
        ),
        "results_id": RESULTS_ID,
    }
    status = 422 if problems else 200
    if is_htmx() and request.headers.get("HX-Target") == RESULTS_ID:
        return render_template("records/_results.html", **context), status
    return render_template("records/list.html", **context), status
