"""Problem codes of computed defaults (`x-default`) and of `create_from`.

The import checks (engine/definitions/check_defaults.py, check_create_from.py) and the
pre-filling of a new record from a source (engine/records/create_from.py) share this table;
engine/codes.py merges it into MESSAGES.
"""

from __future__ import annotations

CODES: dict[str, str] = {
    "default_on_computed": (
        "{field!r} has an x-default but is computed, a child table or not stored; only a "
        "field a user fills can have a default"
    ),
    "default_twice": "{field!r} has both a default and an x-default: keep one",
    "default_type_clash": (
        "the x-default of {field!r} ({expected}) is {text!r}, which gives {actual}"
    ),
    "create_from_unknown_module": (
        "create_from names {module!r}, which is not a module of this pack or an installed one"
    ),
    "create_from_unknown_field": "create_from {source!r} fills {field!r}: {detail}",
    "create_from_unknown_source": "create_from {source!r} copies {field!r}: {detail}",
    "create_from_not_fillable": (
        "create_from {source!r} fills {field!r}, which is computed or not stored; it can fill "
        "fields a user fills only"
    ),
    "create_from_type_clash": (
        "create_from {source!r} fills {field!r} ({expected}) from {source_field!r} ({actual})"
    ),
    "create_from_not_a_table": (
        "create_from {source!r} copies rows into {field!r} from {source_field!r}: both must "
        "be child tables"
    ),
    "create_from_bad_link": (
        "create_from {source!r} links back through {field!r}, which is not a link to {source}"
    ),
    "create_from_unknown": "{module} cannot be made from a record of {source}",
    "create_from_refused": "this record of {source} cannot be used for {module} now",
}
