"""Problem codes of row keys and links to one child row of another record.

The writes (engine/records/row_links.py) and the import checks
(engine/definitions/check_row_links.py) share this table; engine/codes.py merges it into
MESSAGES.
"""

from __future__ import annotations

# Refusals of a record write.
VALUES: dict[str, str] = {
    "row_key_twice": "{value!r} names two rows of {table}: each row needs a {key} of its own",
    "row_needs_record": "{field!r} names a row of {table}: choose the {link} first",
    "no_linked_row": "{record} has no row {value!r} in {table}",
    "row_still_named": (
        "row {keys} of {table} is named by {records}: point them at another row first"
    ),
}

# Import checks (modules/N/schema/properties/...).
CHECKS: dict[str, str] = {
    "row_key_not_table": "{field!r} is {kind}: only a child table has a row key",
    "row_keyword_on_column": (
        "{field!r} is {kind} of a child table: row keys and row links belong to a record's fields"
    ),
    "row_key_unknown": "{key!r} is not a column of {table}{hint}",
    "row_key_kind": (
        "the row key {key!r} of {table} is {kind}: use a stored integer or text column"
    ),
    "row_link_not_link": "x-row names {link!r}, which is not a link field of {module}{hint}",
    "row_link_unknown_table": (
        "x-row names {table!r}, which is not a child table of {target}{hint}"
    ),
    "row_link_no_key": (
        "{table} of {target} declares no x-row-key, so its rows cannot be pointed at"
    ),
    "row_link_type": (
        "{field!r} holds a row key of {table}, which is {expected}, not {actual}: give it that type"
    ),
}

CODES: dict[str, str] = {**VALUES, **CHECKS}
