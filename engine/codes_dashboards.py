"""Problem codes of the pack checks of dashboards (engine/definitions/check_dashboards.py).

Kept beside engine/codes.py (which merges them into MESSAGES); the Chinese sentences are in
web/problems_dashboards.py.
"""

from __future__ import annotations

CHECKS: dict[str, str] = {
    "dashboard_id_twice": "dashboard id {id!r} is used more than once",
    "dashboard_unknown_role": "role {role!r} is not declared; the roles are {roles}",
    "card_unknown_module": (
        "the card reads module {module!r}, which is neither in this pack nor installed{hint}"
    ),
    "card_unknown_report": "the card draws report {report!r}, which is not one of {values}",
    "card_unknown_field": "{field!r} is not a field of {module}{hint}; its fields: {fields}",
    "card_field_not_stored": (
        "{field!r} of {module} is computed or not one stored value, so a list cannot filter "
        "or sort by it; name a stored field"
    ),
    "card_period_not_a_date": "a period counts by a date field; {field!r} is {kind}",
    "card_where_not_a_filter": (
        "{detail!r} in {text!r} is not something the list can filter by: write comparisons "
        "of a field with a value, today() or user.id, joined by 'and'"
    ),
}
