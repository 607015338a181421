"""Problem codes of rollups over child-table rows (`x-rollup` with `table`).

The import checks (engine/definitions/check_row_rollups.py) use them; engine/codes.py
merges this table into MESSAGES.
"""

from __future__ import annotations

CODES: dict[str, str] = {
    "rollup_table_unknown": (
        "{module} has no child table {table!r}{hint}; its child tables are {tables}"
    ),
    "report_rows_unknown": (
        "the report's rows name {table!r}{hint}, which is not a child table of {module} ({tables})"
    ),
    "report_rows_over_time": (
        "measure {measure!r} asks for {option}, which a report over child rows does not offer"
    ),
    "rollup_row_link_wrong": (
        "{module}.{table}.{link} is not a link column pointing at {target}; the rollup needs "
        "one ({fields})"
    ),
}
