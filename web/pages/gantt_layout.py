"""Where each part of a Gantt chart goes: pixels from dates, rows from groups and tasks.

Pure arithmetic over `engine.schedule` tasks; templates/views/gantt_chart.html only writes
the shapes out as SVG, coloured by CSS classes (no style attributes: our CSP refuses them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from engine.schedule.gantt import Gantt, GanttTask

# Pixels per day at each zoom; the day zoom is wide enough to drag by a single day.
ZOOMS: Mapping[str, float] = {"day": 24.0, "week": 6.0, "month": 2.0}
ROW = 28
HEAD = 36  # the time scale above the rows
LABEL = 240  # the task names left of the bars
MARGIN_DAYS = 7


@dataclass
class Row:
    y: int
    task: GanttTask | None = None  # None: a group's heading
    heading: str = ""
    x: float = 0.0
    width: float = 0.0
    done: float = 0.0  # the progress fill's width
    second: tuple[str, float, float] | None = None  # class, x, width of the actual/baseline bar
    indent: int = 0
    label: str = ""  # the task's key and title, as the row shows it
    tip: str = ""  # its dates, float and progress (the bar's <title>)
    href: str = ""  # its record page


@dataclass
class Tick:
    x: float
    label: str
    major: bool = False


@dataclass
class Layout:
    rows: list[Row]
    arrows: list[str]  # SVG path data, finish of a predecessor to the start of its task
    ticks: list[Tick]
    width: float
    height: int
    day_px: float
    origin: dt.date
    today_x: float | None
    by_id: dict[str, Row] = field(default_factory=dict)


def _bounds(tasks: list[GanttTask], today: dt.date) -> tuple[dt.date, dt.date]:
    days = [d for t in tasks for d in (t.start, t.end, *t.actual, *t.baseline) if d is not None]
    if not days:
        return today - dt.timedelta(days=MARGIN_DAYS), today + dt.timedelta(days=30)
    return min(days) - dt.timedelta(days=MARGIN_DAYS), max(days) + dt.timedelta(days=MARGIN_DAYS)


def _ticks(first: dt.date, last: dt.date, zoom: str, x: object) -> list[Tick]:
    """Month starts (and every Monday at the day zoom) along the scale."""
    assert callable(x)
    ticks: list[Tick] = []
    day = first
    while day <= last:
        if day.day == 1:
            ticks.append(Tick(x(day), day.strftime("%Y-%m"), True))
        elif zoom == "day" and day.weekday() == 0:
            ticks.append(Tick(x(day), day.strftime("%d")))
        day += dt.timedelta(days=1)
    return ticks


def _second_bar(task: GanttTask, x: object, day_px: float) -> tuple[str, float, float] | None:
    assert callable(x)
    for kind, (start, end) in (("actual", task.actual), ("baseline", task.baseline)):
        if start is not None:
            finish = end or dt.date.today()
            if finish >= start:
                return kind, round(x(start), 1), round(((finish - start).days + 1) * day_px, 1)
    return None


def layout(gantt: Gantt, zoom: str, today: dt.date) -> Layout:
    """Rows in the order read (group headings where the group changes), bars, arrows, scale."""
    day_px = ZOOMS.get(zoom, ZOOMS["week"])
    first, last = _bounds(gantt.tasks, today)

    def x(day: dt.date) -> float:
        return LABEL + (day - first).days * day_px

    rows: list[Row] = []
    by_id: dict[str, Row] = {}
    group: object = object()
    y = HEAD
    for task in gantt.tasks:
        if task.group != group:
            group = task.group
            rows.append(Row(y, heading=task.group_title or "—"))
            y += ROW
        row = Row(y, task, indent=task.depth)
        if task.start is not None and task.end is not None:
            row.x = round(x(task.end) if task.milestone else x(task.start), 1)
            row.width = 0.0 if task.milestone else round(task.days * day_px, 1)
            row.done = round(row.width * min(max((task.progress or 0) / 100, 0), 1), 1)
        row.second = _second_bar(task, x, day_px)
        rows.append(row)
        by_id[task.id] = row
        y += ROW
    arrows = []
    for task in gantt.tasks:
        to = by_id[task.id]
        for pred in task.depends:
            src = by_id.get(pred)
            if src is None or src.task is None or src.task.end is None or to.task is None:
                continue
            x1, y1 = src.x + src.width, src.y + ROW / 2
            x2, y2 = to.x, to.y + ROW / 2
            mid = max(x1 + 6, 0)
            arrows.append(f"M{x1:.1f} {y1:.1f}H{mid:.1f}V{y2:.1f}H{x2 - 2:.1f}")
    today_x = x(today) if first <= today <= last else None
    width = round(LABEL + ((last - first).days + 1) * day_px, 1)
    ticks = _ticks(first, last, zoom, x)
    return Layout(rows, arrows, ticks, width, y + 8, day_px, first, today_x, by_id)


def _task_svg(row: Row) -> str:
    task = row.task
    assert task is not None
    timing = task.timing
    classes = "gantt-task" + (" critical" if timing is not None and timing.critical else "")
    classes += " milestone" if task.milestone else ""
    y = row.y
    parts = [
        f'<g class="{classes}" data-id="{escape(task.id)}" data-version="{task.version}" '
        f'data-start="{task.start or ""}" data-end="{task.end or ""}">',
        f"<title>{escape(row.tip)}</title>",
        f'<a href="{escape(row.href)}"><text class="gantt-label" x="{6 + 12 * row.indent}" '
        f'y="{y + 18}">{escape(row.label)}</text></a>',
    ]
    if task.start is not None and task.end is not None:
        if task.milestone:
            parts.append(f'<path class="gantt-milestone" d="M{row.x} {y + 4}l9 9l-9 9l-9 -9z"/>')
        else:
            parts.append(
                f'<rect class="gantt-bar" x="{row.x}" y="{y + 5}" width="{row.width}" '
                'height="12" rx="2"/>'
            )
            if row.done > 0:
                parts.append(
                    f'<rect class="gantt-done" x="{row.x}" y="{y + 5}" width="{row.done}" '
                    'height="12" rx="2"/>'
                )
    if row.second:
        kind, x, width = row.second
        parts.append(
            f'<rect class="gantt-{kind}" x="{x}" y="{y + 19}" width="{width}" height="5"/>'
        )
    parts.append("</g>")
    return "".join(parts)


def rows_svg(chart: Layout) -> Markup:
    """The group headings and task rows as SVG markup, every text escaped. Written here, not
    in the template: 2,000 rows through Jinja cost more than the rest of the page."""
    out = []
    for row in chart.rows:
        if row.task is None:
            out.append(
                f'<g class="gantt-group"><rect class="gantt-group-band" x="0" y="{row.y}" '
                f'width="{chart.width}" height="{ROW}"/><text class="gantt-group-label" x="6" '
                f'y="{row.y + 18}">{escape(row.heading)}</text></g>'
            )
        else:
            out.append(_task_svg(row))
    return Markup("\n".join(out))  # noqa: S704 - built from escaped parts and numbers
