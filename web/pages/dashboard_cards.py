"""The home page's dashboard cards: the engine's figures as text, links and chart options.

engine.dashboards computes every figure; this file only says how a person reads it — the
number at its format with the change against the last period, the address of the list of
exactly the records a card counts, and a report's chart as an ECharts option (web/charts.py)
whose points open the list of the records behind them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from flask import url_for
from flask_babel import format_decimal, to_user_timezone

from engine.catalog import Catalog
from engine.dashboards import ChartFigure, Figure, ListFigure, NumberFigure, QueryArgs
from engine.definitions.dashboards import NotAFilter, conditions
from engine.definitions.model import Module, Report
from engine.expressions.nodes import Call, Literal, Name
from engine.reports import column_name
from web.charts import chart_option
from web.i18n import text
from web.pages.formatting import decimal_text, field_title, value_text
from web.pages.report_tables import column_titles, report_groups


def firm_today() -> dt.date:
    """Today in the firm's time zone (FORMWORK_TIMEZONE), where a month begins for its people."""
    return to_user_timezone(dt.datetime.now(dt.UTC)).date()


def list_url(module_id: str, args: QueryArgs | Sequence[tuple[str, str]]) -> str:
    base = url_for("lists.records", module_id=module_id)
    return f"{base}?{urlencode(list(args))}" if args else base


def figure_text(value: Decimal | int | None, kind: str) -> str:
    if value is None:
        return ""
    if kind == "money":
        return decimal_text(value, 2)
    if kind == "percent":
        return format_decimal(value, format="#,##0.#") + "%"
    return format_decimal(value, format="#,##0.##")


def _number(figure: NumberFigure) -> dict[str, Any]:
    card = figure.card
    change = figure.change
    direction = "flat" if not change else ("up" if change > 0 else "down")
    return {
        "kind": "number",
        "title": text(card.title),
        "size": card.size,
        "withheld": figure.withheld,
        "text": figure_text(figure.value, card.format),
        "previous": figure_text(figure.previous, card.format) if card.period else None,
        "compare": bool(card.period and card.period.compare and not figure.withheld),
        "change": format_decimal(abs(change), format="#,##0.#") if change is not None else None,
        "direction": direction,
        "url": None if figure.withheld else list_url(card.module, figure.args),
    }


def _list(figure: ListFigure, catalog: Catalog) -> dict[str, Any]:
    card = figure.card
    module = catalog.module(card.module)
    return {
        "kind": "list",
        "title": text(card.title),
        "size": card.size,
        "module": module,
        "columns": [(name, field_title(module, name)) for name in card.columns],
        "page": figure.page,
        "url": list_url(module.id, figure.args) if figure.page is not None else None,
    }


def _group_filter(report: Report, source: str, value: Any) -> list[tuple[str, str]] | None:
    """List filters for one group's value: a field's value, or a month or year of a date."""
    if value is None:
        return None
    tree = next(g.tree for g in report.group_by if g.source == source)
    if isinstance(tree, Name) and len(tree.path) == 1:
        return [(f"filter[{tree.path[0]}]", str(value))]
    if isinstance(tree, Call) and tree.name in ("month", "year") and len(tree.args) == 1:
        argument = tree.args[0]
        if not isinstance(argument, Name):
            return None
        year, month = (str(value) + "-01").split("-")[:2]
        start = dt.date(int(year), int(month) if tree.name == "month" else 1, 1)
        after = start.month + (1 if tree.name == "month" else 12) - 1
        end = dt.date(start.year + after // 12, after % 12 + 1, 1) - dt.timedelta(days=1)
        key = f"filter[{argument.path[0]}][between]"
        return [(key, f"{start.isoformat()},{end.isoformat()}")]
    return None


def _where_args(report: Report) -> list[tuple[str, str]] | None:
    """The report's own `where` as list filters (literal values only), or None."""
    try:
        found = conditions(report.where)
    except NotAFilter:
        return None
    args = []
    for condition in found:
        if not isinstance(condition.value, Literal):
            return None
        key = f"filter[{condition.field}]" + (f"[{condition.op}]" if condition.op != "eq" else "")
        args.append((key, str(condition.value.value)))
    return args


def _titles(report: Report, module: Module) -> dict[str, str]:
    """Each group's and measure's title in the reader's language, by its column name: the
    axes and the legend say "Hours" or "Sum of Amount", never a measure's id."""
    groups = report_groups(report, module, frozenset(f.name for f in module.fields))
    names = [g.name for g in groups] + list(report.measures)
    return dict(
        zip(names, column_titles(module, report, groups, list(report.measures)), strict=True)
    )


def _chart(figure: ChartFigure, catalog: Catalog, element_id: str) -> dict[str, Any]:
    result, report = figure.result, figure.result.report
    module = catalog.module(report.module)
    taken: set[str] = set()
    names = {g.source: column_name(g, taken) for g in report.group_by}
    chart: Mapping[str, Any] = report.chart or {}
    x, series = names.get(chart.get("x", "")), names.get(chart.get("series") or "")
    sources = {name: source for source, name in names.items()}
    where = _where_args(report)

    def label(column: str, value: Any) -> str:
        field = module.field(sources.get(column, column))
        if value is None:
            return "—"
        return value_text(field, value) if field is not None else str(value)

    def link(row: Mapping[str, Any]) -> str | None:
        if where is None:
            return None
        args = list(where)
        for column in (c for c in (x, series) if c):
            found = _group_filter(report, sources[column], row.get(column))
            if found is None:
                return None
            args += found
        return list_url(module.id, args)

    option = None
    y = chart.get("y")
    if x and y in result.measures and x in result.groups:
        titles = _titles(report, module)
        option = chart_option(
            chart["type"],
            result.rows,
            x,
            y,
            series,
            label=label,
            link=link,
            y_title=titles.get(y, ""),
            x_title=titles.get(x, ""),
        )
    return {
        "kind": "chart",
        "title": text(figure.card.title or report.title),
        "size": figure.card.size,
        "id": element_id,
        "option": option,
        "result": result,
        "label": label,
    }


def card_views(dashboard_id: str, figures: Sequence[Figure], catalog: Catalog) -> list[Any]:
    """What the template draws for each figure, in the dashboard's order."""
    views: list[Any] = []
    for index, figure in enumerate(figures):
        if isinstance(figure, NumberFigure):
            views.append(_number(figure))
        elif isinstance(figure, ListFigure):
            views.append(_list(figure, catalog))
        else:
            views.append(_chart(figure, catalog, f"chart-{dashboard_id}-{index}"))
    return views
