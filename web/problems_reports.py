"""Messages, in the reader's language, of the codes in engine/codes_reports.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

Params = Mapping[str, Any]

CHECKS: dict[str, Callable[[Params], str]] = {
    "report_cumulative_ungrouped": lambda p: _(
        "Measure %(measure)s is a running total over the report's first group, but the report "
        "has no group_by; group it first, e.g. by month(date).",
        measure=p.get("measure"),
    ),
    "report_compare_not_period": lambda p: _(
        "Measure %(measure)s compares with the previous period, but the first group "
        "%(group)s is not month(...) or year(...) of a date; group first by month(date) or "
        "year(date).",
        measure=p.get("measure"),
        group=p.get("group"),
    ),
}
