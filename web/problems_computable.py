"""Messages, in the reader's language, of the codes in engine/codes_computable.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

from web.problems_expressions import expression_detail

Params = Mapping[str, Any]

CHECKS: dict[str, Callable[[Params], str]] = {
    "expression_unknown_state": lambda p: _(
        "In %(text)s, %(value)s is not a state of %(module)s%(hint)s, so the comparison never "
        "holds; its states are %(states)s.",
        text=p.get("text"),
        value=p.get("value"),
        module=p.get("module"),
        hint=_hint(p),
        states=p.get("states"),
    ),
    "expression_unknown_choice": lambda p: _(
        "In %(text)s, %(value)s is not a choice of %(field)s%(hint)s, so the comparison never "
        "holds; its choices are %(choices)s.",
        text=p.get("text"),
        value=p.get("value"),
        field=p.get("field"),
        hint=_hint(p),
        choices=p.get("choices"),
    ),
    "not_in_database": lambda p: _(
        "%(text)s cannot be computed by the database. Reports, rollups and dashboard "
        "measures read the stored fields of their own module, not values through a link, in a "
        "child table or of the acting user. The reason: %(detail)s",
        text=p.get("text"),
        detail=expression_detail(p),
    ),
    "reserved_separator": lambda p: _(
        "%(field)s contains a double underscore, which the engine keeps for the names it "
        "makes (child tables and computed columns); choose a name without one.",
        field=p.get("field"),
    ),
    "aggregate_over_choices": lambda p: _(
        "%(name)s() over the multi-choice field %(field)s has no meaning in the database, where "
        "each record holds a list; count the records with count() instead.",
        name=p.get("name"),
        field=p.get("field"),
    ),
    "read_time_through_link": lambda p: _(
        "%(name)s is read through a link, but it is computed only when its own record is "
        "read, so through a link it would always be empty.",
        name=p.get("name"),
    ),
}

VALUES: dict[str, Callable[[Params], str]] = {
    "required_yes": lambda p: _("This box must be ticked (yes)."),
}


def _hint(p: Params) -> str:
    """The closest name in the reader's language (` (did you mean 'x'?)`), or nothing."""
    closest = p.get("closest")
    return _(" (did you mean %(name)s?)", name=repr(closest)) if closest else ""
