"""Messages, in the reader's language, of the codes in engine/codes_row_links.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

Params = Mapping[str, Any]

CODES: dict[str, Callable[[Params], str]] = {
    "row_key_twice": lambda p: _(
        "%(value)s names two rows of %(table)s: each row needs a %(key)s of its own.",
        value=p.get("value"),
        table=p.get("table"),
        key=p.get("key"),
    ),
    "row_needs_record": lambda p: _(
        "%(field)s names a row of %(table)s: choose the %(link)s first.",
        field=p.get("field"),
        table=p.get("table"),
        link=p.get("link"),
    ),
    "no_linked_row": lambda p: _(
        "%(record)s has no row %(value)s in %(table)s.",
        record=p.get("record"),
        value=p.get("value"),
        table=p.get("table"),
    ),
    "row_still_named": lambda p: _(
        "Row %(keys)s of %(table)s is named by %(records)s: point them at another row first.",
        keys=p.get("keys"),
        table=p.get("table"),
        records=p.get("records"),
    ),
    "row_key_not_table": lambda p: _(
        "%(field)s is %(kind)s: only a child table has a row key.",
        field=p.get("field"),
        kind=p.get("kind"),
    ),
    "row_keyword_on_column": lambda p: _(
        "%(field)s is a column of a child table: row keys and row links belong to a record's "
        "fields.",
        field=p.get("field"),
    ),
    "row_key_unknown": lambda p: _(
        "%(key)s is not a column of %(table)s.", key=p.get("key"), table=p.get("table")
    ),
    "row_key_kind": lambda p: _(
        "The row key %(key)s of %(table)s is %(kind)s: use a stored integer or text column.",
        key=p.get("key"),
        table=p.get("table"),
        kind=p.get("kind"),
    ),
    "row_link_not_link": lambda p: _(
        "x-row names %(link)s, which is not a link field of %(module)s.",
        link=p.get("link"),
        module=p.get("module"),
    ),
    "row_link_unknown_table": lambda p: _(
        "x-row names %(table)s, which is not a child table of %(target)s.",
        table=p.get("table"),
        target=p.get("target"),
    ),
    "row_link_no_key": lambda p: _(
        "%(table)s of %(target)s declares no x-row-key, so its rows cannot be pointed at.",
        table=p.get("table"),
        target=p.get("target"),
    ),
    "row_link_type": lambda p: _(
        "%(field)s holds a row key of %(table)s, which is %(expected)s, not %(actual)s: "
        "give it that type.",
        field=p.get("field"),
        table=p.get("table"),
        expected=p.get("expected"),
        actual=p.get("actual"),
    ),
}
