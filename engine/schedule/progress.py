"""The S-curve of a set of tasks: planned and actual percent complete over time.

Each task weighs its planned duration in days. Planned: the share of each task's planned
span that has passed by a date. Actual: a finished task counts whole from its actual finish;
a started one grows in a straight line from its actual start to its recorded progress today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from engine.schedule.gantt import GanttTask

POINTS = 40  # at most this many dates along the curve


@dataclass(frozen=True)
class CurvePoint:
    day: dt.date
    planned: float
    actual: float | None  # None after today


def _share(start: dt.date, end: dt.date, day: dt.date) -> float:
    if day < start:
        return 0.0
    if day >= end:
        return 1.0
    return ((day - start).days + 1) / ((end - start).days + 1)


def _actual(task: GanttTask, day: dt.date, today: dt.date) -> float:
    start, finish = task.actual
    if finish is not None and day >= finish:
        return 1.0
    if start is None or day < start:
        return 0.0
    done = min(max((task.progress or 0) / 100, 0.0), 1.0)
    return done * _share(start, max(today, start), day)


def s_curve(tasks: Sequence[GanttTask], today: dt.date) -> list[CurvePoint]:
    """Points from the first planned start to the last planned finish (empty without any)."""
    planned = [t for t in tasks if t.start and t.end and t.end >= t.start]
    if not planned:
        return []
    weight = {t.id: max(t.days, 1) for t in planned}
    total = sum(weight.values())
    first = min(t.start for t in planned if t.start)
    last = max(t.end for t in planned if t.end)
    step = max(((last - first).days + POINTS - 1) // POINTS, 1)
    points: list[CurvePoint] = []
    day = first
    while True:
        plan = sum(weight[t.id] * _share(t.start, t.end, day) for t in planned if t.start and t.end)
        done = None
        if day <= today:
            done = round(
                100 * sum(weight[t.id] * _actual(t, day, today) for t in planned) / total, 1
            )
        points.append(CurvePoint(day, round(100 * plan / total, 1), done))
        if day >= last:
            return points
        day = min(day + dt.timedelta(days=step), last)
