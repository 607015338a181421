"""Messages, in the reader's language, of the codes in engine/codes_fields.py.

The pack checks of a module's fields and ui. Field names, keywords and module ids are
quoted as written in the pack; the engine's English detail (a jsonschema or regular
expression message) is shown as it was said.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

Params = Mapping[str, Any]


FIELDS: dict[str, Callable[[Params], str]] = {
    "required_not_a_field": lambda p: _(
        "required lists %(field)s, which is not a field.", field=p.get("field")
    ),
    "required_computed": lambda p: _(
        "%(field)s is computed, so it cannot be required.", field=p.get("field")
    ),
    "reserved_word": lambda p: _(
        "%(field)s is a reserved word of the expression language; choose another name.",
        field=p.get("field"),
    ),
    "default_invalid": lambda p: _(
        "The default %(value)s is not a valid value: %(detail)s",
        value=p.get("value"),
        detail=p.get("detail"),
    ),
    "rollup_in_child_table": lambda p: _("A column of a child table cannot be a rollup."),
    "type_missing": lambda p: _(
        "%(field)s needs a type: string, integer, number, boolean or array, or an enum of choices.",
        field=p.get("field"),
    ),
    "array_without_items": lambda p: _(
        "%(field)s is an array without items: give items an enum for a multi-choice "
        "or an object for a child table.",
        field=p.get("field"),
    ),
    "scale_not_a_number": lambda p: _(
        "x-scale applies to numbers; %(field)s is not a number.", field=p.get("field")
    ),
    "money_not_a_number": lambda p: _(
        "Money must be a number; %(field)s is not a number.", field=p.get("field")
    ),
    "rating_not_an_integer": lambda p: _(
        "x-rating needs an integer type and no enum; %(field)s does not fit.", field=p.get("field")
    ),
    "special_kinds_at_once": lambda p: _(
        "%(field)s cannot be %(keywords)s at once; choose one.",
        field=p.get("field"),
        keywords=p.get("keywords"),
    ),
    "special_not_text": lambda p: _(
        "%(key)s needs the string type; %(field)s is not a string.",
        key=p.get("key"),
        field=p.get("field"),
    ),
    "special_with_enum": lambda p: _(
        "%(key)s and enum do not go together on %(field)s.",
        key=p.get("key"),
        field=p.get("field"),
    ),
    "file_keyword_without_file": lambda p: _(
        "%(key)s applies to attachments (x-file) only.", key=p.get("key")
    ),
    "format_not_text": lambda p: _(
        "format applies to text; %(field)s is not text.", field=p.get("field")
    ),
    "formula_and_rollup": lambda p: _(
        "%(field)s cannot be a formula and a rollup at once; choose one.", field=p.get("field")
    ),
    "child_table_formula": lambda p: _(
        "A child table cannot be a formula; put formulas on its columns."
    ),
    "rollup_not_a_number": lambda p: _(
        "A rollup is a number; give the type number or integer, not %(value)s.",
        value=p.get("value"),
    ),
    "widget_mismatch": lambda p: _(
        "Widget %(widget)s does not fit %(field)s; it fits %(fits)s fields.",
        widget=p.get("widget"),
        field=p.get("field"),
        fits=p.get("fits"),
    ),
    "pattern_invalid": lambda p: _(
        "Pattern %(value)s is not a valid regular expression: %(detail)s",
        value=p.get("value"),
        detail=p.get("detail"),
    ),
    "unknown_link_module": lambda p: _(
        "%(field)s links to module %(module)s, which is neither in this pack nor installed.",
        field=p.get("field"),
        module=p.get("module"),
    ),
    "titles_without_enum": lambda p: _(
        "x-enum-titles needs an enum on %(field)s.", field=p.get("field")
    ),
    "title_not_a_choice": lambda p: _(
        "%(value)s has a title but is not one of the choices (%(choices)s).",
        value=p.get("value"),
        choices=p.get("choices"),
    ),
    "choice_not_text": lambda p: _(
        "The choices of a text field must be texts, not %(value)s.", value=p.get("value")
    ),
    "choice_not_a_number": lambda p: _(
        "The choices of a number field must be numbers, not %(value)s.", value=p.get("value")
    ),
    "boolean_with_choices": lambda p: _("A boolean field cannot have choices."),
    "choices_mixed": lambda p: _("The choices mix texts and numbers; use one or the other."),
    "bounds_reversed": lambda p: _(
        "%(low_key)s %(low)s is larger than %(high_key)s %(high)s.",
        low_key=p.get("low_key"),
        low=p.get("low"),
        high_key=p.get("high_key"),
        high=p.get("high"),
    ),
    "rollup_unknown_module": lambda p: _(
        "Rollup %(field)s reads module %(module)s, which is neither in this pack nor installed.",
        field=p.get("field"),
        module=p.get("module"),
    ),
    "rollup_link_unknown": lambda p: _(
        "%(link)s is not a field of %(module)s; the rollup needs a link field of %(module)s "
        "pointing at %(target)s (%(fields)s).",
        link=p.get("link"),
        module=p.get("module"),
        target=p.get("target"),
        fields=p.get("fields"),
    ),
    "rollup_link_wrong": lambda p: _(
        "%(module)s.%(link)s is not a link to %(target)s; the rollup needs a link field of "
        "%(module)s pointing at %(target)s (%(fields)s).",
        link=p.get("link"),
        module=p.get("module"),
        target=p.get("target"),
        fields=p.get("fields"),
    ),
    "table_name_taken": lambda p: _(
        "The table name %(table)s is already taken by another module or child table.",
        table=p.get("table"),
    ),
}

UI: dict[str, Callable[[Params], str]] = {
    "ui_unknown_field": lambda p: _(
        "%(what)s: %(field)s is not a field of %(module)s.",
        what=p.get("what"),
        field=p.get("field"),
        module=p.get("module"),
    ),
    "unknown_system_value": lambda p: _(
        "%(what)s names %(value)s; the system values are %(values)s.",
        what=p.get("what"),
        value=p.get("value"),
        values=p.get("values"),
    ),
    "state_without_workflow": lambda p: _(
        "%(what)s names $state, but %(module)s has no workflow.",
        what=p.get("what"),
        module=p.get("module"),
    ),
    "title_not_single": lambda p: _(
        "title_field %(field)s must be a single value.", field=p.get("field")
    ),
    "required_if_computed": lambda p: _(
        "%(field)s is computed, so it cannot be required.", field=p.get("field")
    ),
    "placed_twice": lambda p: _(
        "%(field)s is already placed in layout section %(section)s.",
        field=p.get("field"),
        section=p.get("section"),
    ),
    "sort_not_single": lambda p: _(
        "The list cannot be sorted by %(field)s, which holds many values.", field=p.get("field")
    ),
    "filter_child_table": lambda p: _(
        "The list cannot be filtered by the child table %(field)s.", field=p.get("field")
    ),
    "search_not_text": lambda p: _(
        "Search looks in text; %(field)s is not text.", field=p.get("field")
    ),
    "totals_not_a_number": lambda p: _(
        "Totals add numbers; %(field)s is not a number.", field=p.get("field")
    ),
    "kanban_by_system_value": lambda p: _(
        "A kanban groups by $state or a choice field, not %(value)s.", value=p.get("value")
    ),
    "kanban_not_a_choice": lambda p: _(
        "A kanban groups by $state or a choice field; %(field)s is not a choice field.",
        field=p.get("field"),
    ),
    "view_field_kind": lambda p: (
        _(
            "%(view)s %(key)s must be a date field; %(field)s is not.",
            view=p.get("view"),
            key=p.get("key"),
            field=p.get("field"),
        )
        if p.get("wanted") == "date"
        else _(
            "%(view)s %(key)s must be a number field; %(field)s is not.",
            view=p.get("view"),
            key=p.get("key"),
            field=p.get("field"),
        )
    ),
}

CHECKS: dict[str, Callable[[Params], str]] = {**FIELDS, **UI}
