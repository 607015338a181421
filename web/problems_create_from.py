"""Messages, in the reader's language, of the codes in engine/codes_create_from.py
(computed defaults and create-from): the import checks name the field and what would fit;
the refusal of a source record says only that it cannot serve now."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

Params = Mapping[str, Any]

CODES: dict[str, Callable[[Params], str]] = {
    "default_on_computed": lambda p: _(
        "%(field)s has an x-default but is computed or not stored: only a field a user fills "
        "can have a default.",
        field=p.get("field"),
    ),
    "default_twice": lambda p: _(
        "%(field)s has both a default and an x-default: keep one.", field=p.get("field")
    ),
    "default_type_clash": lambda p: _(
        "The x-default of %(field)s (%(expected)s) is %(text)s, which gives %(actual)s.",
        field=p.get("field"),
        expected=p.get("expected"),
        text=p.get("text"),
        actual=p.get("actual"),
    ),
    "create_from_unknown_module": lambda p: _(
        "create_from names %(module)s, which is not a module of this pack or an installed one.",
        module=p.get("module"),
    ),
    "create_from_unknown_field": lambda p: _(
        "create_from %(source)s fills %(field)s, which does not exist: %(detail)s",
        source=p.get("source"),
        field=p.get("field"),
        detail=p.get("detail"),
    ),
    "create_from_unknown_source": lambda p: _(
        "create_from %(source)s copies %(field)s, which does not exist: %(detail)s",
        source=p.get("source"),
        field=p.get("field"),
        detail=p.get("detail"),
    ),
    "create_from_not_fillable": lambda p: _(
        "create_from %(source)s fills %(field)s, which is computed or not stored.",
        source=p.get("source"),
        field=p.get("field"),
    ),
    "create_from_type_clash": lambda p: _(
        "create_from %(source)s fills %(field)s (%(expected)s) from %(source_field)s "
        "(%(actual)s), which does not fit.",
        source=p.get("source"),
        field=p.get("field"),
        expected=p.get("expected"),
        source_field=p.get("source_field"),
        actual=p.get("actual"),
    ),
    "create_from_not_a_table": lambda p: _(
        "create_from %(source)s copies rows into %(field)s from %(source_field)s: both must "
        "be child tables.",
        source=p.get("source"),
        field=p.get("field"),
        source_field=p.get("source_field"),
    ),
    "create_from_bad_link": lambda p: _(
        "create_from %(source)s links back through %(field)s, which is not a link to %(source)s.",
        source=p.get("source"),
        field=p.get("field"),
    ),
    "create_from_unknown": lambda p: _(
        "%(module)s cannot be made from a record of %(source)s.",
        module=p.get("module"),
        source=p.get("source"),
    ),
    "create_from_refused": lambda p: _(
        "This record cannot be used to make a new one now (its state or values do not allow it)."
    ),
}
