"""Messages, in the reader's language, of the codes in engine/codes_unique.py.

A refused duplicate names the record holding the value only when the reader may read it
(the engine leaves `record` empty otherwise); then it just says the value is already used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

Params = Mapping[str, Any]


def _not_unique(p: Params) -> str:
    if p.get("record"):
        return _(
            "%(value)s is already used by %(record)s: %(fields)s must be unique.",
            value=p.get("value"),
            record=p.get("record"),
            fields=p.get("fields"),
        )
    return _(
        "%(value)s is already used: %(fields)s must be unique.",
        value=p.get("value"),
        fields=p.get("fields"),
    )


CODES: dict[str, Callable[[Params], str]] = {
    "not_unique": _not_unique,
    "numbering_value_missing": lambda p: _(
        "The record number %(pattern)s needs %(token)s, which is empty: give it a value.",
        pattern=p.get("pattern"),
        token=p.get("token"),
    ),
    "numbering_too_long": lambda p: _(
        "The record number %(number)s is longer than %(limit)s characters.",
        number=p.get("number"),
        limit=p.get("limit"),
    ),
    "unique_not_storable": lambda p: _(
        "%(field)s cannot be unique: only a stored text, number, date, choice, link or user "
        "field can be.",
        field=p.get("field"),
    ),
    "unique_not_a_field": lambda p: _(
        "unique names %(field)s, which is not a field of %(module)s.",
        field=p.get("field"),
        module=p.get("module"),
    ),
    "numbering_unknown_token": lambda p: _(
        "The numbering names %(token)s, which is not a field of %(module)s.",
        token=p.get("token"),
        module=p.get("module"),
    ),
    "numbering_not_a_value": lambda p: _(
        "The numbering cannot print %(token)s: use a stored text, number, date or choice "
        "field, or a link's field (project.code).",
        token=p.get("token"),
    ),
    "numbering_link_needs_field": lambda p: _(
        "%(token)s is a link: name the linked record's field to print (%(token)s.code).",
        token=p.get("token"),
    ),
    "numbering_two_sequences": lambda p: _(
        "The numbering has %(count)s {seq} tokens; give exactly one.", count=p.get("count")
    ),
    "unique_violated_by_records": lambda p: _(
        "%(fields)s become unique but %(count)s values are held by several records: "
        "%(values)s. Make them differ first.",
        fields=p.get("fields"),
        count=p.get("count"),
        values=p.get("values"),
    ),
}
