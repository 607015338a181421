"""Problem codes of the builder's expression editor, each with its English sentence.

The editor checks an expression with the pack checks' own code (engine/definitions/
check_expressions.py) and adds only what an author needs to hear before a pack is whole:
a condition that is not one, an aggregate that would only see one record, and a request
that names no known place. engine/codes.py merges this table into MESSAGES.
"""

from __future__ import annotations

CHECKS: dict[str, str] = {
    "builder_expr_not_condition": (
        "{text!r} gives {type}, not a condition: compare it, as in hours > 0, so it is "
        "true or false"
    ),
    "builder_expr_aggregate_per_record": (
        "{name}() in {text!r} sees only this record's own values; give it a child table's "
        "column (items.hours), or total many records in a rollup or a report"
    ),
    "builder_expr_unknown_where": "{where!r} is not a kind of expression; use one of {names}",
    "builder_expr_unknown_module": "{module!r} is not a module of this pack; its modules are {modules}",
    "builder_expr_unknown_table": (
        "{table!r} is not a child table of {module}; its child tables are {fields}"
    ),
}
