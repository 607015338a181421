"""Messages, in the reader's language, of the builder editor's expression codes
(engine/codes_builder_expr.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import pgettext

Params = Mapping[str, Any]


def type_word(kind: str | None) -> str:
    """The type of an expression's result in the reader's language."""
    words = {
        "number": pgettext("value kind", "number"),
        "integer": pgettext("value kind", "integer"),
        "text": pgettext("value kind", "text"),
        "boolean": _("true or false"),
        "date": pgettext("value kind", "date"),
        "datetime": pgettext("value kind", "date and time"),
        "list": pgettext("value kind", "list"),
        "object": pgettext("value kind", "record"),
        "null": _("empty (null)"),
    }
    return words.get(kind or "", _("not known until it runs"))


CHECKS: dict[str, Callable[[Params], str]] = {
    "builder_expr_not_condition": lambda p: _(
        "%(text)s gives a value of type %(type)s, not a condition: compare it, as in "
        "hours > 0, so it is true or false.",
        text=p.get("text"),
        type=type_word(p.get("type")),
    ),
    "builder_expr_aggregate_per_record": lambda p: _(
        "%(name)s() in %(text)s sees only this record's own values; give it a child table's "
        "column (items.hours), or total many records in a rollup or a report.",
        name=p.get("name"),
        text=p.get("text"),
    ),
    "builder_expr_unknown_where": lambda p: _(
        "%(where)s is not a kind of expression; use one of %(names)s.",
        where=p.get("where"),
        names=p.get("names"),
    ),
    "builder_expr_unknown_module": lambda p: _(
        "%(module)s is not a module of this pack; its modules are %(modules)s.",
        module=p.get("module"),
        modules=p.get("modules"),
    ),
    "builder_expr_unknown_table": lambda p: _(
        "%(table)s is not a child table of %(module)s; its child tables are %(fields)s.",
        table=p.get("table"),
        module=p.get("module"),
        fields=p.get("fields"),
    ),
}
