"""Column names of a report's groups: `worker`, `project_code`, `month`, unique in the report.

Shared by plain reports (engine/reports.py), reports over child rows (engine/report_rows.py),
the builder and the pages, so a page names a column exactly as the engine's rows do.
"""

from __future__ import annotations

import re

from engine.expressions import Expression

IDENTIFIER = re.compile(r"^\$?[a-z][a-z0-9_]*(\.\$?[a-z][a-z0-9_]*)?$")
CALL = re.compile(r"^([a-z_]+)\(")


def column_name(expression: Expression, taken: set[str]) -> str:
    """`worker` for a field, `project_code` for `project.code`, `month` for `month(date)`,
    made unique within the report."""
    source = expression.source.strip()
    if IDENTIFIER.match(source):
        name = source.replace("$", "").replace(".", "_")  # `project.code` → project_code
    elif match := CALL.match(source):
        name = match.group(1)
    else:
        name = "group"
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    taken.add(candidate)
    return candidate
