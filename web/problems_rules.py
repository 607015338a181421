"""Messages, in the reader's language, of the codes in engine/codes_rules.py.

A guard or a validation that carries the pack's own `message` is shown in that message,
picked in the reader's language from the localized text the problem carries (`texts`);
without one the reader gets a sentence of ours. The expression itself is never shown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

from web.i18n import text

Params = Mapping[str, Any]


def pack_message(params: Params) -> str:
    """The pack's message in the reader's language (its only text when it has one)."""
    said = text(params.get("texts") or params.get("message"))
    return said or _("The record does not meet a rule of this module.")


REFUSALS: dict[str, Callable[[Params], str]] = {
    "guard_message": pack_message,
    "rule_failed": lambda p: _("The record does not meet a rule of this module."),
    "rule_message": pack_message,
    "field_state_locked": lambda p: _(
        "%(field)s may change only in these states: %(states)s.",
        field=p.get("field"),
        states=p.get("states"),
    ),
}

CHECKS: dict[str, Callable[[Params], str]] = {
    "set_unknown_field": lambda p: _(
        "Transition %(transition)s sets %(field)s, which is not a field of the module.",
        transition=p.get("transition"),
        field=p.get("field"),
    ),
    "set_computed_field": lambda p: _(
        "Transition %(transition)s cannot set %(field)s: only stored fields that are not "
        "computed or child tables can be set.",
        transition=p.get("transition"),
        field=p.get("field"),
    ),
    "set_type_clash": lambda p: _(
        "Transition %(transition)s sets %(field)s (%(expected)s) to %(text)s, which gives "
        "%(actual)s.",
        transition=p.get("transition"),
        field=p.get("field"),
        expected=p.get("expected"),
        text=p.get("text"),
        actual=p.get("actual"),
    ),
    "validation_unknown_field": lambda p: _(
        "A validation shows its message at %(field)s, which is not a field of the module.",
        field=p.get("field"),
    ),
    "validation_rows_unknown": lambda p: _(
        "A validation checks the rows of %(table)s, which is not a child table of %(module)s; "
        "its child tables are %(tables)s.",
        table=p.get("table"),
        module=p.get("module"),
        tables=p.get("tables"),
    ),
    "editable_in_no_workflow": lambda p: _(
        "%(field)s is editable only in some states, but the module %(module)s has no workflow.",
        field=p.get("field"),
        module=p.get("module"),
    ),
}
