"""Problem codes of the checks of reports over several sources (`"sources"`).

Kept beside engine/codes.py (which merges them into MESSAGES); the Chinese sentences are in
web/problems_report_sources.py.
"""

from __future__ import annotations

CHECKS: dict[str, str] = {
    "report_source_names_differ": (
        "every source must give the names the first source gives, and no other: "
        "missing {missing}, not in the first source {extra}"
    ),
    "report_source_type_differs": (
        "value {name!r} is {type} here but {first} in the first source; the sources' rows "
        "are one column, so give the same kind of value"
    ),
    "report_sources_compare": (
        "measure {measure!r} compares with the previous period, which a report over several "
        "sources does not compute; drop compare or report one module"
    ),
}
