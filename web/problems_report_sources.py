"""Messages, in the reader's language, of the codes in engine/codes_report_sources.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

Params = Mapping[str, Any]

CHECKS: dict[str, Callable[[Params], str]] = {
    "report_source_names_differ": lambda p: _(
        "Every source must give the names the first source gives, and no other: missing "
        "%(missing)s, not in the first source %(extra)s.",
        missing=p.get("missing"),
        extra=p.get("extra"),
    ),
    "report_source_type_differs": lambda p: _(
        "Value %(name)s is %(type)s here but %(first)s in the first source; the sources' rows "
        "are one column, so give the same kind of value.",
        name=p.get("name"),
        type=p.get("type"),
        first=p.get("first"),
    ),
    "report_sources_compare": lambda p: _(
        "Measure %(measure)s compares with the previous period, which a report over several "
        "sources does not compute; drop compare or report one module.",
        measure=p.get("measure"),
    ),
}
