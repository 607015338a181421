"""Messages, in the reader's language, of the codes in engine/codes_dashboards.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

Params = Mapping[str, Any]

CHECKS: dict[str, Callable[[Params], str]] = {
    "dashboard_id_twice": lambda p: _(
        "Dashboard id %(id)s is used more than once.", id=p.get("id")
    ),
    "dashboard_unknown_role": lambda p: _(
        "Role %(role)s is not declared; the roles are %(roles)s.",
        role=p.get("role"),
        roles=p.get("roles"),
    ),
    "card_unknown_module": lambda p: _(
        "The card reads module %(module)s, which is neither in this pack nor installed.",
        module=p.get("module"),
    ),
    "card_unknown_report": lambda p: _(
        "The card draws report %(report)s, which is not one of %(values)s.",
        report=p.get("report"),
        values=p.get("values"),
    ),
    "card_unknown_field": lambda p: _(
        "%(field)s is not a field of %(module)s; its fields: %(fields)s",
        field=p.get("field"),
        module=p.get("module"),
        fields=p.get("fields"),
    ),
    "card_field_not_stored": lambda p: _(
        "%(field)s of %(module)s is computed or not one stored value, so a list cannot filter "
        "or sort by it; name a stored field.",
        field=p.get("field"),
        module=p.get("module"),
    ),
    "card_period_not_a_date": lambda p: _(
        "A period counts by a date field; %(field)s is not one.", field=p.get("field")
    ),
    "card_where_not_a_filter": lambda p: _(
        "%(detail)s is not something the list can filter by: write comparisons of a field with "
        "a value, today() or user.id, joined by “and”.",
        detail=p.get("detail"),
    ),
}
