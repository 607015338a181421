"""Messages, in the reader's language, of the codes in engine/codes_rollup_match.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

Params = Mapping[str, Any]

CODES: dict[str, Callable[[Params], str]] = {
    "rollup_link_or_match": lambda p: _(
        "The rollup names %(given)s of link and match; it needs exactly one: link (a field "
        "of the summed records pointing here) or match (their fields equal to this record's).",
        given=_("both") if p.get("given") == "both" else _("neither"),
    ),
    "rollup_match_unknown": lambda p: _(
        "%(field)s is not a stored value of %(module)s that a match can compare (%(fields)s).",
        field=p.get("field"),
        module=p.get("module"),
        fields=p.get("fields"),
    ),
    "rollup_match_mismatch": lambda p: _(
        "%(field)s is %(left)s and %(target)s is %(right)s: a match compares two "
        "links to the same module, or two values of one type.",
        field=p.get("field"),
        left=p.get("left"),
        target=p.get("target"),
        right=p.get("right"),
    ),
}
