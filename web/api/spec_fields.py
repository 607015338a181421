"""JSON Schemas of field values for the OpenAPI document: one entry per field kind.

Like engine/fields.py, a registry maps each kind to its schema, so a new kind is one more
entry. Input schemas carry the pack's constraints (lengths, patterns, bounds, required
child columns) so a client can validate before sending; output schemas carry types and
formats only, since a record written under an older pack version may predate a constraint.
Every output value may be null. Formula and rollup fields are `readOnly` and never input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.definitions.model import Field
from engine.i18n import localize

# Keywords of a field's JSON Schema that an input schema repeats as they are.
INPUT_KEYWORDS = (
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "uniqueItems",
)


def _enum_type(values: tuple[Any, ...]) -> str:
    if all(isinstance(v, bool) for v in values):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "integer"
    return "string"


def _text(field: Field) -> dict[str, Any]:
    return {"type": "string"}


def _decimal(field: Field) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "number", "format": "decimal", "x-scale": field.scale or 0}
    if field.money:
        schema["x-money"] = True
    return schema


def _choice(field: Field) -> dict[str, Any]:
    values = tuple(field.enum or ())
    return {"type": _enum_type(values), "enum": list(values)}


def _multichoice(field: Field) -> dict[str, Any]:
    return {"type": "array", "items": _choice(field), "uniqueItems": True}


def _link(field: Field) -> dict[str, Any]:
    return {
        "type": "string",
        "maxLength": 64,
        "x-ref": field.ref,
        "description": f"the id of a {field.ref} record",
    }


def _user(field: Field) -> dict[str, Any]:
    return {"type": "string", "maxLength": 64, "description": "a user name"}


def _file(field: Field) -> dict[str, Any]:
    return {"type": "string", "description": "a reference to a stored attachment"}


KIND_SCHEMAS: dict[str, Callable[[Field], dict[str, Any]]] = {
    "text": _text,
    "integer": lambda f: {"type": "integer"},
    "decimal": _decimal,
    "boolean": lambda f: {"type": "boolean"},
    "date": lambda f: {"type": "string", "format": "date"},
    "datetime": lambda f: {"type": "string", "format": "date-time"},
    "choice": _choice,
    "multichoice": _multichoice,
    "link": _link,
    "user": _user,
    "file": _file,
}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """The same schema, also allowing null (OpenAPI 3.1: a type list, null in an enum)."""
    schema = dict(schema)
    kind = schema.get("type")
    if isinstance(kind, str):
        schema["type"] = [kind, "null"]
    if "enum" in schema and None not in schema["enum"]:
        schema["enum"] = [*schema["enum"], None]
    return schema


def _described(field: Field, schema: dict[str, Any], language: str) -> dict[str, Any]:
    title = localize(field.title, language)
    if title:
        schema["title"] = title
    if field.enum_titles:
        schema["x-enum-titles"] = {
            str(k): localize(v, language) for k, v in field.enum_titles.items()
        }
    return schema


def output_schema(field: Field, language: str = "en") -> dict[str, Any]:
    """The schema of a field's value in a record the API returns."""
    if field.kind == "table":
        row = {
            "type": "object",
            "properties": {c.name: output_schema(c, language) for c in field.children},
        }
        schema: dict[str, Any] = {"type": ["array", "null"], "items": row}
    else:
        schema = nullable(KIND_SCHEMAS[field.kind](field))
    if field.computed or field.read_only:
        schema["readOnly"] = True
    return _described(field, schema, language)


def input_schema(field: Field, language: str = "en", *, required: bool = False) -> dict[str, Any]:
    """The schema of a field's value a client may send (with the pack's constraints)."""
    if field.kind == "table":
        columns = [c for c in field.children if not c.computed]
        schema: dict[str, Any] = {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    c.name: input_schema(c, language, required=c.required) for c in columns
                },
                "required": [c.name for c in columns if c.required],
                "additionalProperties": False,
            },
        }
    else:
        schema = KIND_SCHEMAS[field.kind](field)
    for keyword in INPUT_KEYWORDS:
        if keyword in field.schema and keyword not in schema:
            schema[keyword] = field.schema[keyword]
    if not required:
        schema = nullable(schema)
    return _described(field, schema, language)
