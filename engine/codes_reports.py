"""Problem codes of the report checks of running totals and previous periods.

Kept beside engine/codes.py (which merges them into MESSAGES); the Chinese sentences are in
web/problems_reports.py.
"""

from __future__ import annotations

CHECKS: dict[str, str] = {
    "report_cumulative_ungrouped": (
        "measure {measure!r} is cumulative, a running total over the report's first group, "
        "but the report has no group_by; group it first, e.g. by month(date)"
    ),
    "report_compare_not_period": (
        "measure {measure!r} compares with the previous period, but the first group {group!r} "
        "is not month(...) or year(...) of a date; group first by month(date) or year(date)"
    ),
}
