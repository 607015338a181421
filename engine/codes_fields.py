"""Problem codes of the pack checks of engine/definitions/check_fields.py and its neighbours.

Kept beside engine/codes.py (which merges them into MESSAGES) so each group of checks has
its own table of English sentences.
"""

from __future__ import annotations

# A field's keywords, enum, bounds, formula, rollup and table (check_fields.py).
FIELDS: dict[str, str] = {
    "required_not_a_field": "required lists {field!r}, which is not a field of {what}{hint}",
    "required_computed": "{field!r} is a {computed}: it is computed, so it cannot be required",
    "reserved_word": (
        "{field!r} is a reserved word of the expression language; choose another name"
    ),
    "default_invalid": "default {value!r} is not a valid value: {detail}",
    "rollup_in_child_table": "a column of a child table cannot be a rollup",
    "type_missing": (
        "{field!r} needs a type: {what} is stored in a typed column "
        "(string, integer, number, boolean or array, or an enum of choices)"
    ),
    "array_without_items": (
        '{field!r} is an array without items: give items {{"enum": [...]}} for a '
        'multi-choice or {{"type": "object", "properties": {{...}}}} for a child table'
    ),
    "scale_not_a_number": "x-scale applies to numbers; {field!r} is {kind}",
    "money_not_a_number": "money must be a number; {field!r} is {kind}",
    "rating_not_an_integer": ('x-rating needs "type": "integer" and no enum; {field!r} is {kind}'),
    "special_kinds_at_once": "{field!r} cannot be {keywords} at once; choose one",
    "special_not_text": '{key} needs "type": "string"; {field!r} is {kind}',
    "special_with_enum": "{key} and enum do not go together on {field!r}",
    "file_keyword_without_file": '{key} applies to attachments ("x-file": true) only',
    "format_not_text": "format applies to text; {field!r} is {kind}",
    "formula_and_rollup": "{field!r} cannot be a formula and a rollup at once; choose one",
    "child_table_formula": "a child table cannot be a formula; put formulas on its columns",
    "rollup_not_a_number": (
        'a rollup is a number; give "type": "number" or "integer", not {value!r}'
    ),
    "widget_mismatch": ("widget {widget!r} does not fit {field!r}, {kind}; it fits {fits} fields"),
    "pattern_invalid": "pattern {value!r} is not a valid regular expression: {detail}",
    "unknown_link_module": (
        "{field!r} links to module {module!r}, which is neither in this pack nor installed{hint}"
    ),
    "titles_without_enum": "x-enum-titles needs an enum on {field!r}",
    "title_not_a_choice": "{value!r} has a title but is not one of the choices ({choices})",
    "choice_not_text": "the choices of a text field must be texts, not {value!r}",
    "choice_not_a_number": "the choices of a number field must be numbers, not {value!r}",
    "boolean_with_choices": "a boolean field cannot have choices",
    "choices_mixed": "the choices mix texts and numbers; use one or the other",
    "bounds_reversed": "{low_key} {low} is larger than {high_key} {high}",
    "rollup_unknown_module": (
        "rollup {field!r} reads module {module!r}, which is neither in this pack nor "
        "installed{hint}"
    ),
    "rollup_link_unknown": (
        "{link!r} is not a field of {module}; the rollup needs a link field of {module} "
        "pointing at {target} ({fields})"
    ),
    "rollup_link_wrong": (
        "{module}.{link} is {kind}; the rollup needs a link field of {module} "
        "pointing at {target} ({fields})"
    ),
    "table_name_taken": "{what} would be named {table}, which is {other}",
}

# The fields a module's ui names, and what it does with them (check_ui.py).
UI: dict[str, str] = {
    "ui_unknown_field": "{what}: {field!r} is not a field of {module}{hint}",
    "unknown_system_value": "{what} names {value!r}; system values are {values}",
    "state_without_workflow": "{what} names $state, but {module} has no workflow",
    "title_not_single": "title_field {field!r} must be a single value, not {kind}",
    "required_if_computed": "{field!r} is computed, so it cannot be required",
    "placed_twice": "{field!r} is already placed in layout section {section}",
    "sort_not_single": "cannot sort by {field!r}, {kind}",
    "filter_child_table": "cannot filter by {field!r}, a child table",
    "search_not_text": "search looks in text; {field!r} is {kind}",
    "totals_not_a_number": "totals add numbers; {field!r} is {kind}",
    "kanban_by_system_value": "a kanban groups by $state or a choice field, not {value}",
    "kanban_not_a_choice": ("a kanban groups by $state or a choice field; {field!r} is {kind}"),
    "view_field_kind": "{view} {key} must be a {wanted} field; {field!r} is {kind}",
}

CHECKS: dict[str, str] = {**FIELDS, **UI}
