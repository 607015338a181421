"""Problem codes of the expression language, each with its English sentence.

An `ExpressionError` (engine/errors.py) carries one of these codes, its params and the
position in the author's text; engine/codes.py merges the table into MESSAGES and web/
renders the same code in the reader's language. A pack check that refuses an expression
keeps the code and params beside its own (engine/definitions/check_expressions.py), so the
sentence can be translated all the way down. Param names never reuse `text`, `detail`,
`position` or `expression_code`: the pack check adds those around them.
"""

from __future__ import annotations

# Reading the text: characters, brackets, names, literals and the allowed syntax.
READING: dict[str, str] = {
    "expr_not_text": "an expression must be text, got {type}",
    "expr_too_long": "an expression may have at most {limit} characters, this one has {length}",
    "expr_empty": "the expression is empty",
    "expr_bad_character": "the character {char!r} is not allowed",
    "expr_syntax": "syntax error: {error}",
    "expr_nested_too_deeply": "the expression is nested too deeply",
    "expr_unreadable": "the expression cannot be read: {error}",
    "expr_unclosed": "'{bracket}' is never closed",
    "expr_unmatched": "unmatched '{bracket}'",
    "expr_unfinished": "unfinished text or line",
    "expr_underscore_name": "names may not start with '_': {name!r}",
    "expr_name_not_nfkc": "the name {name!r} is not written in normal form (NFKC)",
    "expr_lone_dollar": "'$' must start a system value such as $state",
    "expr_unknown_system_value": "unknown system value {name}; the system values are {names}",
    "expr_too_many_parts": "the expression has more than {limit} parts",
    "expr_too_deep": "the expression is nested more than {limit} levels deep",
    "expr_bare_list": "write a list in brackets: [a, b]",
    "expr_not_allowed": "{what} are not allowed",
    "expr_operator_not_allowed": "{op} is not allowed",
    "expr_is_operator": "'is' is not allowed; write == null or != null",
    "expr_text_bad_character": "a text may not contain NUL or surrogate characters",
    "expr_complex_number": "complex numbers are not allowed",
    "expr_bytes_literal": "bytes literals are not allowed",
    "expr_literal_not_allowed": "{literal} is not allowed",
    "expr_not_decimal": "only decimal numbers are allowed, got {literal}",
    "expr_too_many_digits": "a number may have at most {limit} digits",
    "expr_number_invalid": "{number!r} is not a number",
    "expr_number_too_long": "the number {number} is longer than {limit} characters",
    "expr_number_range": (
        "the number {number} is out of range (its exponent must lie between -{limit} and {limit})"
    ),
    "expr_field_of_non_name": "fields can only be read from names, as in project.name",
    "expr_no_fields": "{name} has no fields",
    "expr_call_not_a_function": "only the language's functions can be called, by name",
    "expr_unknown_function": "unknown function '{name}'; the functions are {functions}",
    "expr_keyword_arguments": "{name}() takes no keyword arguments",
    "expr_wrong_arity": "{name}() takes {arity} argument{plural}, got {given}",
}

# Running it: values read, operators and functions applied to them.
VALUES: dict[str, str] = {
    "expr_values_not_mapping": "values must be a mapping, got {type}",
    "expr_values_too_deep": "the values are nested too deeply",
    "expr_cannot_compute": "cannot compute this: {error}",
    "expr_unknown_name": "unknown name '{name}'",
    "expr_not_rows": "'{where}' holds {value}, not rows; it has no field '{key}'",
    "expr_no_field": "'{where}' is {value}; it has no field '{key}'",
    "expr_number_too_large": "a number has more than {limit} digits",
    "expr_not_finite": "a number is not finite",
    "expr_out_of_range": "a number is out of range",
    "expr_result_too_long": "a result does not fit in {limit} digits",
    "expr_unsupported_value": "values of type {type} are not supported",
    "expr_datetime_out_of_range": "datetime {value} is out of range",
    "expr_date_out_of_range": "{value} moved that far falls outside the years 1 to 9999",
    "expr_shift_not_whole": "{name} moves a date by a whole number, got {value}",
    "expr_not_a_date": "{value} is not a date (write YYYY-MM-DD)",
    "expr_expected_date": "expected a date, got {value}",
    "expr_record_compared": "records cannot be compared; compare one of their fields",
    "expr_cannot_compare": "cannot compare {left} with {right}",
    "expr_search_in_text": "cannot look for {value} in a text",
    "expr_in_needs_list": "'in' needs a list or a text on its right, got {value}",
    "expr_not_textual": "cannot turn {value} into text",
    "expr_text_too_long": "a text result is longer than {limit} characters",
    "expr_arithmetic_kinds": "cannot {verb} {left} and {right}: '{op}' needs {needs}",
    "expr_division_by_zero": "division by zero",
    "expr_cannot_negate": "cannot negate {value}",
    "expr_needs_number": "'{op}' needs a number, got {value}",
    "expr_function_needs_numbers": "{name}() needs numbers, got {value}",
    "expr_function_needs_number": "{name}() needs a number, got {value}",
    "expr_count_without_argument": "count() without an argument counts rows; use it in reports",
    "expr_cannot_order": "{name}() cannot order {value}",
    "expr_round_places": "round() needs a whole number of places, got {value}",
    "expr_round_too_many_places": "round() keeps at most {limit} places",
    "expr_len_argument": "len() needs a text or a list, got {value}",
    "expr_formula_result": "formula result {value!r} does not fit a {kind} field: {error}",
}

# Translating it to SQL (filters, totals, rollups, scopes, reports).
SQL: dict[str, str] = {
    "expr_outside_aggregate": (
        "'{name}' must be inside an aggregate such as sum({name}) or max({name})"
    ),
    "expr_plus_kinds": "'+' needs two numbers or two texts",
    "expr_cannot_order_against": "cannot order {left} against {right}",
    "expr_sql_in_list": "in SQL, 'in' needs a list written out, like ['a', 'b']",
    "expr_sql_list_values": "in SQL, a list may hold only written-out values",
    "expr_sql_list": "a list has no SQL form except after 'in'",
    "expr_sql_no_function": "{name}() cannot be computed in SQL",
    "expr_aggregate_not_here": (
        "{name}() over rows is available in report measures and rollups only"
    ),
    "expr_nested_aggregate": "{name}() cannot be inside another aggregate",
    "expr_sql_aggregate_arity": "in SQL, {name}() takes one value, got {given}",
    "expr_sql_aggregate_list": "in SQL, {name}() runs over rows, not over a written-out list",
    "expr_sql_round_places": "in SQL, round() needs its places written out, like round(x, 2)",
    "expr_sql_len_text": "in SQL, len() works on texts only",
    "expr_sql_whole_shift": (
        "in SQL, a date moves by an integer field or a whole number written out"
    ),
    "expr_computed_out_of_range": "a computed number is out of range",
    "expr_not_in_database": "{name!r} cannot be computed in the database",
    "expr_not_stored": "{name!r} is not a stored field of {module!r}",
}

CHECKS: dict[str, str] = {**READING, **VALUES, **SQL}

#: The pack-check code an expression error is reported under (expression_unreadable if absent).
PACK_CODES: dict[str, str] = {"expr_unknown_function": "unknown_function"}
