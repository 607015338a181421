"""Apache ECharts options built on the server from rows of plain values.

The page writes an option as JSON next to a `.echart` element and web/static/js/charts.js
draws it (see that file for the contract). Building the option here keeps the browser side
generic: one loader draws a report's bar chart, a dashboard's pie and a project's S-curve.
A data item that carries `"url"` opens that address when clicked.

Each chart type is one function in CHART_TYPES (a registry, not an if-ladder): it takes
the rows, the column names the pack's chart declares (x, y and an optional series) and two
callables — `label(column, value)` for the text a value is shown as and `link(row)` for the
address a click on that row's point opens (None for no link).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

Row = Mapping[str, Any]
Label = Callable[[str, Any], str]
Link = Callable[[Row], "str | None"]
Option = dict[str, Any]

# The app's colours (app.css): the primary blue first, then colours that stay apart for
# readers with a red-green colour deficiency.
PALETTE = [
    "#1d4f91",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#d55e00",
    "#5d6b7a",
    "#f0e442",
    "#0072b2",
    "#8c564b",
]
TEXT_STYLE = {"fontFamily": "system-ui, sans-serif", "color": "#1f2937"}


def plain_label(column: str, value: Any) -> str:
    """A value's text when the page gives no better one."""
    return "—" if value is None else str(value)


def no_link(row: Row) -> str | None:
    return None


def number(value: Any) -> float | int | None:
    """A JSON number for ECharts (Decimal is exact in SQL, a float is enough for a bar)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _point(value: Any, row: Row | None, link: Link, name: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"value": value}
    if name is not None:
        item["name"] = name
    url = link(row) if row is not None else None
    if url:
        item["url"] = url
    return item


def _base(y_title: str) -> Option:
    return {
        "color": PALETTE,
        "textStyle": TEXT_STYLE,
        "animationDuration": 300,
        "tooltip": {"trigger": "axis", "confine": True},
        "legend": {"type": "plain", "top": 0, "left": "center"},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 48, "containLabel": True},
        "yAxis": {"type": "value", "name": y_title, "nameTextStyle": {"align": "left"}},
    }


def _ordered(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _cartesian(
    rows: Sequence[Row],
    x: str,
    y: str,
    series: str | None,
    label: Label,
    link: Link,
    y_title: str,
    kind: str,
    stack: bool = False,
    area: bool = False,
    x_title: str = "",
) -> Option:
    """Bars or lines: one category per x value, one series per series value (or one)."""
    categories = _ordered([label(x, row.get(x)) for row in rows])
    names = _ordered([label(series, row.get(series)) for row in rows]) if series else [y_title]
    cells: dict[tuple[str, str], Row] = {}
    for row in rows:
        name = label(series, row.get(series)) if series else y_title
        cells[(name, label(x, row.get(x)))] = row
    option = _base(y_title)
    option["xAxis"] = {"type": "category", "data": categories, "axisTick": {"alignWithLabel": True}}
    if x_title:
        option["xAxis"].update(name=x_title, nameLocation="middle", nameGap=28)
        option["grid"]["bottom"] = 32  # room below the labels for the axis name
    option["series"] = []
    for name in names:
        data: list[Any] = []
        for category in categories:
            cell = cells.get((name, category))
            data.append(None if cell is None else _point(number(cell.get(y)), cell, link))
        entry: dict[str, Any] = {"name": name, "type": kind, "data": data}
        if kind == "bar":
            entry["barMaxWidth"] = 56
        if stack:
            entry["stack"] = "total"
        if area:
            entry["areaStyle"] = {"opacity": 0.25}
        if kind == "line":
            entry["connectNulls"] = True
        option["series"].append(entry)
    if not series:
        option["legend"]["show"] = False
    return option


def bar_option(rows: Sequence[Row], x: str, y: str, series: str | None, **kw: Any) -> Option:
    return _cartesian(rows, x, y, series, kind="bar", **kw)


def stacked_bar_option(
    rows: Sequence[Row], x: str, y: str, series: str | None, **kw: Any
) -> Option:
    return _cartesian(rows, x, y, series, kind="bar", stack=True, **kw)


def line_option(rows: Sequence[Row], x: str, y: str, series: str | None, **kw: Any) -> Option:
    return _cartesian(rows, x, y, series, kind="line", **kw)


def area_option(rows: Sequence[Row], x: str, y: str, series: str | None, **kw: Any) -> Option:
    return _cartesian(rows, x, y, series, kind="line", area=True, stack=bool(series), **kw)


def pie_option(
    rows: Sequence[Row],
    x: str,
    y: str,
    series: str | None,
    label: Label,
    link: Link,
    y_title: str,
    x_title: str = "",
) -> Option:
    """A slice per x value (a series, if declared, is summed into its slices' rows)."""
    data = [_point(number(row.get(y)), row, link, name=label(x, row.get(x))) for row in rows]
    option = _base(y_title)
    del option["yAxis"]
    option["tooltip"] = {"trigger": "item", "confine": True}
    option["legend"]["top"] = "bottom"
    option["series"] = [
        {
            "name": y_title,
            "type": "pie",
            "radius": ["35%", "65%"],
            "center": ["50%", "45%"],
            "data": data,
            "label": {"formatter": "{b}: {d}%"},
        }
    ]
    return option


def heatmap_option(
    rows: Sequence[Row],
    x: str,
    y: str,
    series: str | None,
    label: Label,
    link: Link,
    y_title: str,
    x_title: str = "",
) -> Option:
    """x along the bottom, the series down the side, the measure as the cell's colour."""
    columns = _ordered([label(x, row.get(x)) for row in rows])
    lines = _ordered([label(series, row.get(series)) for row in rows]) if series else [y_title]
    values = [v for v in (number(row.get(y)) for row in rows) if v is not None]
    data = []
    for row in rows:
        if number(row.get(y)) is None:  # an empty cell of the grid (fill_grid): axes only
            continue
        column = label(x, row.get(x))
        line = label(series, row.get(series)) if series else y_title
        value = [columns.index(column), lines.index(line), number(row.get(y))]
        data.append(_point(value, row, link, name=f"{column} · {line}"))
    option = _base(y_title)
    option["tooltip"] = {"trigger": "item", "confine": True}
    option["legend"] = {"show": False}
    option["grid"]["bottom"] = 56
    option["xAxis"] = {"type": "category", "data": columns, "splitArea": {"show": True}}
    if x_title:
        option["xAxis"]["name"] = x_title
    option["yAxis"] = {"type": "category", "data": lines, "splitArea": {"show": True}}
    option["visualMap"] = {
        "min": min(values, default=0),
        "max": max(values, default=1),
        "calculable": True,
        "orient": "horizontal",
        "left": "center",
        "bottom": 0,
        "inRange": {"color": ["#eef3fa", PALETTE[0]]},
    }
    option["series"] = [{"name": y_title, "type": "heatmap", "data": data}]
    return option


def fill_grid(rows: Sequence[Row], domains: Mapping[str, Sequence[Any]]) -> list[Row]:
    """`rows` with a row of no measure for each combination of the `domains` (group → every
    value, in order) that has none, ordered by the domains: a heat map over choices (a 5 × 5
    risk matrix) then shows every cell, empty ones too. Rows outside the domains follow."""
    names = list(domains)[::-1]  # the last group varies slowest: it runs down the side
    found = {tuple(row.get(name) for name in names): row for row in rows}
    grid = [
        found.pop(combo, dict(zip(names, combo, strict=True)))
        for combo in itertools.product(*(domains[name] for name in names))
    ]
    return [*grid, *(row for row in rows if tuple(row.get(n) for n in names) in found)]


CHART_TYPES: dict[str, Callable[..., Option]] = {
    "bar": bar_option,
    "stacked_bar": stacked_bar_option,
    "line": line_option,
    "area": area_option,
    "pie": pie_option,
    "heatmap": heatmap_option,
}


def chart_option(
    kind: str,
    rows: Sequence[Row],
    x: str,
    y: str,
    series: str | None = None,
    *,
    label: Label = plain_label,
    link: Link = no_link,
    y_title: str = "",
    x_title: str = "",
) -> Option | None:
    """The ECharts option of a `kind` chart over `rows`; None for a type we do not draw.
    `y_title` and `x_title` name the axes (and the legend of a chart without series) in the
    reader's language; the measure's id is only the last resort."""
    build = CHART_TYPES.get(kind)
    if build is None:
        return None
    return build(rows, x, y, series, label=label, link=link, y_title=y_title or y, x_title=x_title)


def s_curve_option(points: Sequence[Any], planned: str, actual: str) -> Option | None:
    """A project's S-curve (engine.schedule.progress): planned and actual percent complete
    over time as two lines; None when there is nothing to draw."""
    if not points:
        return None
    rows: list[Row] = []
    for p in points:
        rows.append({"day": p.day.isoformat(), "curve": planned, "percent": p.planned})
        if p.actual is not None:
            rows.append({"day": p.day.isoformat(), "curve": actual, "percent": p.actual})
    option = line_option(
        rows, "day", "percent", "curve", label=plain_label, link=no_link, y_title="%"
    )
    option["yAxis"].update({"min": 0, "max": 100})
    return option
