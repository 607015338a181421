"""The S-curve of a set of tasks: planned and actual percent complete over time.

Each task weighs its planned duration in days. Planned: the share of each task's planned
span that has passed by a date. Actual: a finished task grows in a straight line from its
actual start to its actual finish (whole at once when it has no start); a started one from
its actual start to its recorded progress today. Both are sums of straight pieces, so they
are built from per-day rates (a difference array): linear in tasks plus days, not their product.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from engine.schedule.gantt import GanttTask

POINTS = 40  # at most this many dates along the curve


@dataclass(frozen=True)
class CurvePoint:
    day: dt.date
    planned: float
    actual: float | None  # None after today


def _cumulative(pieces: list[tuple[int, int, float]], days: int) -> list[float]:
    """Running totals by day of amounts spread evenly over [first, last] day ranges."""
    diff = [0.0] * (days + 2)
    for first, last, amount in pieces:
        first, last = max(first, 0), min(last, days)
        if last < first:
            continue
        rate = amount / (last - first + 1)
        diff[first] += rate
        diff[last + 1] -= rate
    return list(accumulate(accumulate(diff)))


def s_curve(tasks: Sequence[GanttTask], today: dt.date) -> list[CurvePoint]:
    """Points from the first planned start to the last planned finish (empty without any)."""
    planned = [t for t in tasks if t.start and t.end and t.end >= t.start]
    if not planned:
        return []
    first = min(t.start for t in planned if t.start)
    days = (max(t.end for t in planned if t.end) - first).days
    now = (today - first).days
    plan: list[tuple[int, int, float]] = []
    done: list[tuple[int, int, float]] = []
    for t in planned:
        assert t.start is not None and t.end is not None
        weight = float(max(t.days, 1))
        plan.append(((t.start - first).days, (t.end - first).days, weight))
        start, finish = ((d - first).days if d else None for d in t.actual)
        if finish is not None:
            done.append((finish if start is None else start, finish, weight))
        elif start is not None and start <= now:
            share = min(max((t.progress or 0) / 100, 0.0), 1.0)
            done.append((start, now, weight * share))
    total = sum(p[2] for p in plan)
    planned_by_day, done_by_day = _cumulative(plan, days), _cumulative(done, days)
    step = max((days + POINTS - 1) // POINTS, 1)
    points: list[CurvePoint] = []
    for n in [*range(0, days, step), days]:
        actual = round(100 * done_by_day[n] / total, 1) if n <= now else None
        day = first + dt.timedelta(days=n)
        points.append(CurvePoint(day, round(100 * planned_by_day[n] / total, 1), actual))
    return points
