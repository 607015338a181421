"""Messages, in the reader's language, of the codes in engine/codes_child_rows.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

Params = Mapping[str, Any]

CODES: dict[str, Callable[[Params], str]] = {
    "rollup_table_unknown": lambda p: _(
        "%(module)s has no child table %(table)s; its child tables are %(tables)s.",
        module=p.get("module"),
        table=p.get("table"),
        tables=p.get("tables"),
    ),
    "report_rows_unknown": lambda p: _(
        "The report's rows name %(table)s, which is not a child table of %(module)s (%(tables)s).",
        table=p.get("table"),
        module=p.get("module"),
        tables=p.get("tables"),
    ),
    "report_rows_over_time": lambda p: _(
        "Measure %(measure)s asks for %(option)s, which a report over child rows does not offer.",
        measure=p.get("measure"),
        option=p.get("option"),
    ),
    "rollup_row_link_wrong": lambda p: _(
        "%(module)s.%(table)s.%(link)s is not a link column pointing at %(target)s; "
        "the rollup needs one (%(fields)s).",
        module=p.get("module"),
        table=p.get("table"),
        link=p.get("link"),
        target=p.get("target"),
        fields=p.get("fields"),
    ),
}
