"""Problem codes of the import checks that catch silent failures, and of a required yes/no.

A comparison with a state or choice that does not exist, an expression the database cannot
compute, a link path the engine does not follow: each imported before and then failed at run
time or quietly gave nothing (engine/definitions/check_literals.py, check_database.py).
Kept beside engine/codes.py (which merges them into MESSAGES); the Chinese sentences are in
web/problems_computable.py.
"""

from __future__ import annotations

CHECKS: dict[str, str] = {
    "expression_unknown_state": (
        "in {text!r}: {value!r} is not a state of {module}{hint}, so the comparison never "
        "holds; its states are {states}"
    ),
    "expression_unknown_choice": (
        "in {text!r}: {value!r} is not a choice of {field!r}{hint}, so the comparison never "
        "holds; its choices are {choices}"
    ),
    "not_in_database": (
        "{what} {text!r} cannot be computed by the database: {detail}; reports, rollups and "
        "dashboard measures read the stored fields of their own module, not values through a "
        "link, in a child table or of the acting user"
    ),
    "reserved_separator": (
        "{field!r} contains a double underscore, which the engine keeps for the names it makes "
        "(the child table m_<module>__<field>, the columns title__<link>, rollup__<field>, "
        "allowed__<field>, sum__<field>); choose a name without one"
    ),
    "aggregate_over_choices": (
        "{what} {text!r}: {name}() over the multi-choice field {field!r} has no meaning in the "
        "database, where each record holds a list; count the records with count() instead"
    ),
    "read_time_through_link": (
        "{what} reads {name!r} through a link, but {name!r} is computed only when its own "
        "record is read ({detail}), so through a link it would always be empty"
    ),
}

# Record values: a required yes/no field is a consent box, so only yes fills it.
VALUES: dict[str, str] = {
    "required_yes": "{field!r} is required: it must be yes",
}
