"""Messages, in the reader's language, of the expression codes in engine/codes_expressions.py.

A formula, condition, guard or report expression with a mistake is refused with one of these
codes, alone (a filter of a list, a report run) or inside a pack check that names the text
(`expression_unreadable`, `unknown_function`): `expression_detail` renders the inner code for
the outer message, so an admin reads the whole sentence in their language. Names, operators
and values are quoted as the author wrote them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

Params = Mapping[str, Any]


def _arity(p: Params) -> str:
    low, high = p.get("min_args"), p.get("max_args")
    if low is None:
        return str(p.get("arity", ""))
    if high is None:
        return _("at least %(n)s", n=low)
    if high == low:
        return str(low)
    return _("%(low)s to %(high)s", low=low, high=high)


READING: dict[str, Callable[[Params], str]] = {
    "expr_not_text": lambda p: _("An expression must be text."),
    "expr_too_long": lambda p: _(
        "An expression may have at most %(limit)s characters; this one has %(length)s.",
        limit=p.get("limit"),
        length=p.get("length"),
    ),
    "expr_empty": lambda p: _("The expression is empty."),
    "expr_bad_character": lambda p: _(
        "The character %(char)s is not allowed.", char=repr(p.get("char"))
    ),
    "expr_syntax": lambda p: _("Syntax error: %(error)s", error=p.get("error")),
    "expr_nested_too_deeply": lambda p: _("The expression is nested too deeply."),
    "expr_unreadable": lambda p: _(
        "The expression cannot be read: %(error)s", error=p.get("error")
    ),
    "expr_unclosed": lambda p: _("%(bracket)s is never closed.", bracket=p.get("bracket")),
    "expr_unmatched": lambda p: _("%(bracket)s has no opening bracket.", bracket=p.get("bracket")),
    "expr_unfinished": lambda p: _("A text or a line is not finished."),
    "expr_underscore_name": lambda p: _("Names may not start with _: %(name)s", name=p.get("name")),
    "expr_name_not_nfkc": lambda p: _(
        "The name %(name)s is not written in normal form (NFKC).", name=p.get("name")
    ),
    "expr_lone_dollar": lambda p: _("$ must start a system value such as $state."),
    "expr_unknown_system_value": lambda p: _(
        "Unknown system value %(name)s; the system values are %(names)s.",
        name=p.get("name"),
        names=p.get("names"),
    ),
    "expr_too_many_parts": lambda p: _(
        "The expression has more than %(limit)s parts.", limit=p.get("limit")
    ),
    "expr_too_deep": lambda p: _(
        "The expression is nested more than %(limit)s levels deep.", limit=p.get("limit")
    ),
    "expr_bare_list": lambda p: _("Write a list in brackets: [a, b]"),
    "expr_not_allowed": lambda p: _("This is not allowed: %(what)s", what=p.get("what")),
    "expr_operator_not_allowed": lambda p: _("The operator %(op)s is not allowed.", op=p.get("op")),
    "expr_is_operator": lambda p: _("'is' is not allowed; write == null or != null."),
    "expr_text_bad_character": lambda p: _("A text may not contain NUL or surrogate characters."),
    "expr_complex_number": lambda p: _("Complex numbers are not allowed."),
    "expr_bytes_literal": lambda p: _("Bytes literals are not allowed."),
    "expr_literal_not_allowed": lambda p: _(
        "%(literal)s is not allowed.", literal=p.get("literal")
    ),
    "expr_not_decimal": lambda p: _(
        "Only decimal numbers are allowed, not %(literal)s.", literal=p.get("literal")
    ),
    "expr_too_many_digits": lambda p: _(
        "A number may have at most %(limit)s digits.", limit=p.get("limit")
    ),
    "expr_number_invalid": lambda p: _("%(number)s is not a number.", number=p.get("number")),
    "expr_number_too_long": lambda p: _(
        "The number %(number)s is longer than %(limit)s characters.",
        number=p.get("number"),
        limit=p.get("limit"),
    ),
    "expr_number_range": lambda p: _(
        "The number %(number)s is out of range.", number=p.get("number")
    ),
    "expr_field_of_non_name": lambda p: _(
        "Fields can only be read from names, as in project.name."
    ),
    "expr_no_fields": lambda p: _("%(name)s has no fields.", name=p.get("name")),
    "expr_call_not_a_function": lambda p: _(
        "Only the language's functions can be called, by name."
    ),
    "expr_unknown_function": lambda p: _(
        "Unknown function %(name)s; the functions are %(functions)s.",
        name=p.get("name"),
        functions=p.get("functions"),
    ),
    "expr_keyword_arguments": lambda p: _(
        "%(name)s() takes no keyword arguments.", name=p.get("name")
    ),
    "expr_wrong_arity": lambda p: _(
        "%(name)s() takes %(arity)s arguments, not %(given)s.",
        name=p.get("name"),
        arity=_arity(p),
        given=p.get("given"),
    ),
}

VALUES: dict[str, Callable[[Params], str]] = {
    "expr_values_not_mapping": lambda p: _("The values of an expression must be a mapping."),
    "expr_values_too_deep": lambda p: _("The values are nested too deeply."),
    "expr_cannot_compute": lambda p: _("This cannot be computed: %(error)s", error=p.get("error")),
    "expr_unknown_name": lambda p: _("Unknown name %(name)s.", name=p.get("name")),
    "expr_not_rows": lambda p: _(
        "%(where)s holds %(value)s, not rows; it has no field %(key)s.",
        where=p.get("where"),
        value=p.get("value"),
        key=p.get("key"),
    ),
    "expr_no_field": lambda p: _(
        "%(where)s is %(value)s; it has no field %(key)s.",
        where=p.get("where"),
        value=p.get("value"),
        key=p.get("key"),
    ),
    "expr_number_too_large": lambda p: _(
        "A number has more than %(limit)s digits.", limit=p.get("limit")
    ),
    "expr_not_finite": lambda p: _("A number is not finite."),
    "expr_out_of_range": lambda p: _("A number is out of range."),
    "expr_result_too_long": lambda p: _(
        "A result does not fit in %(limit)s digits.", limit=p.get("limit")
    ),
    "expr_unsupported_value": lambda p: _(
        "Values of type %(type)s are not supported.", type=p.get("type")
    ),
    "expr_datetime_out_of_range": lambda p: _(
        "The time %(value)s is out of range.", value=p.get("value")
    ),
    "expr_not_a_date": lambda p: _(
        "%(value)s is not a date (write YYYY-MM-DD).", value=p.get("value")
    ),
    "expr_date_out_of_range": lambda p: _(
        "%(value)s moved that far falls outside the years 1 to 9999.", value=p.get("value")
    ),
    "expr_shift_not_whole": lambda p: _(
        "%(name)s moves a date by a whole number, not %(value)s.",
        name=p.get("name"),
        value=p.get("value"),
    ),
    "expr_expected_date": lambda p: _("Expected a date, not %(value)s.", value=p.get("value")),
    "expr_record_compared": lambda p: _("Records cannot be compared; compare one of their fields."),
    "expr_cannot_compare": lambda p: _(
        "%(left)s cannot be compared with %(right)s.", left=p.get("left"), right=p.get("right")
    ),
    "expr_search_in_text": lambda p: _(
        "%(value)s cannot be looked for in a text.", value=p.get("value")
    ),
    "expr_in_needs_list": lambda p: _(
        "'in' needs a list or a text on its right, not %(value)s.", value=p.get("value")
    ),
    "expr_not_textual": lambda p: _("%(value)s cannot be turned into text.", value=p.get("value")),
    "expr_text_too_long": lambda p: _(
        "A text result is longer than %(limit)s characters.", limit=p.get("limit")
    ),
    "expr_arithmetic_kinds": lambda p: (
        _(
            "%(op)s needs two numbers or two texts, not %(left)s and %(right)s.",
            op=p.get("op"),
            left=p.get("left"),
            right=p.get("right"),
        )
        if p.get("op") == "+"
        else _(
            "%(op)s needs two numbers, not %(left)s and %(right)s.",
            op=p.get("op"),
            left=p.get("left"),
            right=p.get("right"),
        )
    ),
    "expr_division_by_zero": lambda p: _("Division by zero."),
    "expr_cannot_negate": lambda p: _("%(value)s cannot be negated.", value=p.get("value")),
    "expr_needs_number": lambda p: _(
        "%(op)s needs a number, not %(value)s.", op=p.get("op"), value=p.get("value")
    ),
    "expr_function_needs_numbers": lambda p: _(
        "%(name)s() needs numbers, not %(value)s.", name=p.get("name"), value=p.get("value")
    ),
    "expr_function_needs_number": lambda p: _(
        "%(name)s() needs a number, not %(value)s.", name=p.get("name"), value=p.get("value")
    ),
    "expr_count_without_argument": lambda p: _(
        "count() without an argument counts rows; use it in reports."
    ),
    "expr_cannot_order": lambda p: _(
        "%(name)s() cannot order %(value)s.", name=p.get("name"), value=p.get("value")
    ),
    "expr_round_places": lambda p: _(
        "round() needs a whole number of places, not %(value)s.", value=p.get("value")
    ),
    "expr_round_too_many_places": lambda p: _(
        "round() keeps at most %(limit)s places.", limit=p.get("limit")
    ),
    "expr_len_argument": lambda p: _(
        "len() needs a text or a list, not %(value)s.", value=p.get("value")
    ),
    "expr_formula_result": lambda p: _(
        "The formula's result %(value)s does not fit the field.", value=p.get("value")
    ),
}

SQL: dict[str, Callable[[Params], str]] = {
    "expr_outside_aggregate": lambda p: _(
        "%(name)s must be inside an aggregate such as sum(%(name)s) or max(%(name)s).",
        name=p.get("name"),
    ),
    "expr_plus_kinds": lambda p: _("+ needs two numbers or two texts."),
    "expr_cannot_order_against": lambda p: _(
        "%(left)s cannot be ordered against %(right)s.", left=p.get("left"), right=p.get("right")
    ),
    "expr_sql_in_list": lambda p: _(
        "In the database, 'in' needs a list written out, like ['a', 'b']."
    ),
    "expr_sql_list_values": lambda p: _(
        "In the database, a list may hold only written-out values."
    ),
    "expr_sql_list": lambda p: _("In the database, a list may only follow 'in'."),
    "expr_sql_no_function": lambda p: _(
        "%(name)s() cannot be computed in the database.", name=p.get("name")
    ),
    "expr_aggregate_not_here": lambda p: _(
        "%(name)s() over rows is available in report measures and rollups only.",
        name=p.get("name"),
    ),
    "expr_nested_aggregate": lambda p: _(
        "%(name)s() cannot be inside another aggregate.", name=p.get("name")
    ),
    "expr_sql_aggregate_arity": lambda p: _(
        "In the database, %(name)s() takes one value, not %(given)s.",
        name=p.get("name"),
        given=p.get("given"),
    ),
    "expr_sql_aggregate_list": lambda p: _(
        "In the database, %(name)s() runs over rows, not over a written-out list.",
        name=p.get("name"),
    ),
    "expr_sql_round_places": lambda p: _(
        "In the database, round() needs its places written out, like round(x, 2)."
    ),
    "expr_sql_len_text": lambda p: _("In the database, len() works on texts only."),
    "expr_sql_whole_shift": lambda p: _(
        "In the database, a date moves by an integer field or a whole number written out."
    ),
    "expr_computed_out_of_range": lambda p: _("A computed number is out of range."),
    "expr_not_in_database": lambda p: _(
        "%(name)s cannot be computed in the database.", name=p.get("name")
    ),
    "expr_not_stored": lambda p: _(
        "%(name)s is not a stored field of %(module)s.", name=p.get("name"), module=p.get("module")
    ),
}

CHECKS: dict[str, Callable[[Params], str]] = {**READING, **VALUES, **SQL}


def expression_detail(p: Params) -> str:
    """What is wrong inside an expression a pack check refused, in the reader's language.

    The pack problem carries the expression error's code as `expression_code` beside its
    params (engine/definitions/check_expressions.py); without one, its English `detail`.
    """
    render = CHECKS.get(str(p.get("expression_code")))
    if render is None:
        return str(p.get("detail", ""))
    message = render(p)
    if p.get("position") is None:
        return message
    return _("%(message)s (at character %(n)s)", message=message, n=p.get("position"))
