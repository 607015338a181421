"""The words a pack diff is read in: its sections, its kinds of change, field kinds and the
attributes of fields, states, transitions, permissions and views, in the reader's language.

A name without a word here (a new attribute of the pack format) is shown as it is spelled
in the pack, so nothing is hidden while its translation is missing.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_pgettext, pgettext


def section_words() -> dict[str, str]:
    return {
        "roles": _("Roles"),
        "modules": _("Modules"),
        "fields": _("Fields"),
        "states": _("States"),
        "transitions": _("Transitions"),
        "permissions": _("Permissions"),
        "list": _("List settings"),
        "ui": _("Form layout"),
        "views": _("Views"),
        "prints": _("Print templates"),
        "reports": _("Reports"),
        "dashboards": _("Dashboards"),
    }


def change_words() -> dict[str, tuple[str, str]]:
    """Each kind of change: its word and its badge colour."""
    return {
        "added": (_("added"), "green"),
        "changed": (_("changed"), "orange"),
        "removed": (_("removed"), "red"),
    }


def kind_word(kind: object) -> str:
    words = {
        "text": pgettext("field kind", "text"),
        "integer": pgettext("field kind", "whole number"),
        "decimal": pgettext("field kind", "decimal number"),
        "date": pgettext("field kind", "date"),
        "datetime": pgettext("field kind", "date and time"),
        "boolean": pgettext("field kind", "yes or no"),
        "choice": pgettext("field kind", "choice"),
        "multichoice": pgettext("field kind", "multiple choice"),
        "link": pgettext("field kind", "link to a record"),
        "user": pgettext("field kind", "user"),
        "file": pgettext("field kind", "file"),
        "table": pgettext("field kind", "table of rows"),
        "rating": pgettext("field kind", "rating"),
    }
    return words.get(str(kind), str(kind))


# lazy strings, read in the language of the request that writes a line
ATTRIBUTE_WORDS: dict[str, object] = {
    "label": lazy_pgettext("pack diff", "label"),
    "title": lazy_pgettext("pack diff", "title"),
    "kind": lazy_pgettext("pack diff", "kind"),
    "required": lazy_pgettext("pack diff", "required"),
    "scale": lazy_pgettext("pack diff", "scale"),
    "money": lazy_pgettext("pack diff", "money"),
    "choices": lazy_pgettext("pack diff", "choices"),
    "choice_labels": lazy_pgettext("pack diff", "choice labels"),
    "ref": lazy_pgettext("pack diff", "links to"),
    "children": lazy_pgettext("pack diff", "columns"),
    "formula": lazy_pgettext("pack diff", "formula"),
    "rollup": lazy_pgettext("pack diff", "roll-up"),
    "read_only": lazy_pgettext("pack diff", "read-only"),
    "readonly": lazy_pgettext("pack diff", "read-only"),
    "default": lazy_pgettext("pack diff", "default"),
    "widget": lazy_pgettext("pack diff", "widget"),
    "accept": lazy_pgettext("pack diff", "file types"),
    "max_bytes": lazy_pgettext("pack diff", "largest file (bytes)"),
    "description": lazy_pgettext("pack diff", "description"),
    "maxLength": lazy_pgettext("pack diff", "max length"),
    "minLength": lazy_pgettext("pack diff", "min length"),
    "minimum": lazy_pgettext("pack diff", "minimum"),
    "maximum": lazy_pgettext("pack diff", "maximum"),
    "minItems": lazy_pgettext("pack diff", "min rows"),
    "maxItems": lazy_pgettext("pack diff", "max rows"),
    "pattern": lazy_pgettext("pack diff", "pattern"),
    "editable": lazy_pgettext("pack diff", "editable fields"),
    "final": lazy_pgettext("pack diff", "final"),
    "due": lazy_pgettext("pack diff", "due after"),
    "color": lazy_pgettext("pack diff", "colour"),
    "sources": lazy_pgettext("pack diff", "from"),
    "target": lazy_pgettext("pack diff", "to"),
    "roles": lazy_pgettext("pack diff", "roles"),
    "owner_only": lazy_pgettext("pack diff", "owner only"),
    "when": lazy_pgettext("pack diff", "condition"),
    "requires": lazy_pgettext("pack diff", "requires"),
    "comment": lazy_pgettext("pack diff", "comment"),
    "approval": lazy_pgettext("pack diff", "approval"),
    "numbering": lazy_pgettext("pack diff", "numbering"),
    "initial_state": lazy_pgettext("pack diff", "initial state"),
    "create": lazy_pgettext("pack diff", "create"),
    "read": lazy_pgettext("pack diff", "read"),
    "update": lazy_pgettext("pack diff", "update"),
    "delete": lazy_pgettext("pack diff", "delete"),
    "export": lazy_pgettext("pack diff", "export"),
    "import_": lazy_pgettext("pack diff", "import"),
    "scope": lazy_pgettext("pack diff", "scoped by"),
    "fields": lazy_pgettext("pack diff", "fields"),
    "columns": lazy_pgettext("pack diff", "columns"),
    "sort": lazy_pgettext("pack diff", "sort"),
    "filters": lazy_pgettext("pack diff", "filters"),
    "search": lazy_pgettext("pack diff", "search"),
    "totals": lazy_pgettext("pack diff", "totals"),
    "layout": lazy_pgettext("pack diff", "layout"),
    "show_if": lazy_pgettext("pack diff", "shown if"),
    "required_if": lazy_pgettext("pack diff", "required if"),
    "group_by": lazy_pgettext("pack diff", "group by"),
    "measures": lazy_pgettext("pack diff", "measures"),
    "where": lazy_pgettext("pack diff", "where"),
    "chart": lazy_pgettext("pack diff", "chart"),
    "module": lazy_pgettext("pack diff", "module"),
}


def attribute_word(name: str) -> str:
    word = ATTRIBUTE_WORDS.get(name)
    return str(word) if word is not None else name
