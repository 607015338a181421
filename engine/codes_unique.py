"""Problem codes of unique fields, unique combinations and numbering from field values.

The writes (engine/records/uniqueness.py, numbering.py), the import checks
(engine/definitions/check_unique.py) and the upgrade refusal (engine/packs/uniqueness.py)
share this table; engine/codes.py merges it into MESSAGES.
"""

from __future__ import annotations

# Refusals of a record write.
VALUES: dict[str, str] = {
    "not_unique": "{value!r} is already used{by}: {fields} must be unique",
    "numbering_value_missing": (
        "the record number {pattern!r} needs {token!r}, which is empty: give it a value"
    ),
    "numbering_too_long": "the record number {number!r} is longer than {limit} characters",
}

# Import checks of `unique` and of the numbering pattern (modules/N/...).
CHECKS: dict[str, str] = {
    "unique_not_storable": (
        "{field!r} is {kind}: only a stored text, number, date, choice, link or user field "
        "can be unique"
    ),
    "unique_not_a_field": "unique names {field!r}, which is not a field of {module}{hint}",
    "numbering_unknown_token": (
        "the numbering names {token!r}, which is not a field of {module}{hint}"
    ),
    "numbering_not_a_value": (
        "the numbering names {token!r}, {kind}: use a stored text, number, date or choice "
        "field, or a link's field (project.code)"
    ),
    "numbering_link_needs_field": (
        "{token!r} is a link: name the linked record's field to print ({token}.code)"
    ),
    "numbering_two_sequences": "the numbering has {count} {{seq}} tokens; give exactly one",
}

# The upgrade refusal: a new uniqueness that the stored records break.
UPGRADE: dict[str, str] = {
    "unique_violated_by_records": (
        "{fields} become unique but {count} values are held by several records: {values}; "
        "make them differ first"
    ),
}

CODES: dict[str, str] = {**VALUES, **CHECKS, **UPGRADE}
