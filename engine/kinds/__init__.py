"""The registry of field kinds: a kind is looked up, never tested by name in an if-ladder.

`detect(schema)` walks the kinds in order and takes the first that recognises the schema;
`KINDS[name]` (or `Field.type`) answers everything else. Adding a kind is a file of its own
(see rating.py) and one entry in `REGISTERED` below.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from marshmallow import ValidationError

from engine.kinds.base import OPERATORS, FieldKind, main_type
from engine.kinds.rating import RATING
from engine.kinds.standard import STANDARD
from engine.kinds.users import USERS

if TYPE_CHECKING:
    from engine.kinds.fieldlike import FieldLike as Field

# In the order of detection: a specific kind before the general kind it refines.
REGISTERED: tuple[FieldKind, ...] = (RATING, USERS, *STANDARD)
KINDS: Mapping[str, FieldKind] = {kind.name: kind for kind in REGISTERED}

__all__ = ["KINDS", "OPERATORS", "REGISTERED", "FieldKind", "detect", "kind_of"]


def detect(schema: Mapping[str, Any]) -> FieldKind:
    """The kind of a field schema, as PACK_FORMAT.md's field table names them."""
    json_type = main_type(schema)
    return next(kind for kind in REGISTERED if kind.detect(schema, json_type))


def kind_of(field: Field) -> FieldKind:
    return KINDS[field.kind]


def expression_type(field: Field) -> str:
    return KINDS[field.kind].expression_type


def json_value(field: Field, value: Any) -> Any:
    """A stored value as the API writes it (Decimals stay exact for the JSON encoder)."""
    if field.children:
        return [
            {c.name: json_value(c, row.get(c.name)) for c in field.children} for row in value or []
        ]
    return KINDS[field.kind].to_json(value)


def check_input_error(exc: ValidationError) -> Mapping[str, Any]:
    return exc.messages if isinstance(exc.messages, Mapping) else {"": exc.messages}
