"""The stretch of days a calendar page shows: a month grid, a week, or a month as a list.

Pure date arithmetic, kept apart from the page so it can be tested without an app. The
address names the mode and the period (`/calendar/month/2026-03`, `/calendar/week/2026-03-09`,
`/calendar/list/2026-03`); a week starts on the locale's first weekday (Babel's: Monday for zh-CN
and for plain English, Sunday for en-US), and a month grid runs from the week holding the 1st to the week holding the
last day. A bad period is refused with None, which the page answers with a 400.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MODES = ("month", "week", "list")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
ONE_DAY = dt.timedelta(days=1)
ONE_WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class Span:
    """The days a calendar shows and the periods before and after it."""

    mode: str
    start: dt.date  # the 1st of the month, or the first day of the week
    first: dt.date  # first day drawn (a month grid starts on the week's first day)
    last: dt.date  # last day drawn
    previous: str  # the period before, as the address writes it
    following: str

    @property
    def period(self) -> str:
        return self.start.isoformat()[:7] if self.mode != "week" else self.start.isoformat()

    @property
    def days(self) -> list[dt.date]:
        return [self.first + ONE_DAY * n for n in range((self.last - self.first).days + 1)]

    @property
    def weeks(self) -> list[list[dt.date]]:
        days = self.days
        return [days[i : i + 7] for i in range(0, len(days), 7)]


def week_start(day: dt.date, first_weekday: int) -> dt.date:
    """The first day of the week holding `day` (weekday numbers as Python's: Monday is 0)."""
    return day - ONE_DAY * ((day.weekday() - first_weekday) % 7)


def _month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return start, following - ONE_DAY


def _parse_month(text: str) -> dt.date | None:
    match = MONTH.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
        return None
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def _parse_day(text: str) -> dt.date | None:
    if not DAY.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def calendar_span(mode: str, period: str | None, first_weekday: int, today: dt.date) -> Span | None:
    """The span of `mode` holding `period` (today's when None); None when either is bad."""
    if mode not in MODES:
        return None
    if mode == "week":
        day = today if period is None else _parse_day(period)
        if day is None or day.year < 2 or day.year > 9998:
            return None
        start = week_start(day, first_weekday)
        end = start + ONE_WEEK - ONE_DAY
        return Span(
            mode, start, start, end, (start - ONE_WEEK).isoformat(), (start + ONE_WEEK).isoformat()
        )
    month = today.replace(day=1) if period is None else _parse_month(period)
    if month is None or month.year < 2 or month.year > 9998:
        return None
    start, end = _month_bounds(month.year, month.month)
    before = (start - ONE_DAY).isoformat()[:7]
    after = (end + ONE_DAY).isoformat()[:7]
    if mode == "list":
        return Span(mode, start, start, end, before, after)
    first = week_start(start, first_weekday)
    last = week_start(end, first_weekday) + ONE_WEEK - ONE_DAY
    return Span(mode, start, first, last, before, after)
