"""JSON Schemas of field values for the OpenAPI document: one entry per field kind.

Each kind (engine/kinds) describes its own value (`FieldKind.openapi`), so a new kind needs
nothing here. Input schemas carry the pack's constraints (lengths, patterns, bounds, required
child columns) so a client can validate before sending; output schemas carry types and
formats only, since a record written under an older pack version may predate a constraint.
Every output value may be null. Formula and rollup fields are `readOnly` and never input.
"""

from __future__ import annotations

from typing import Any

from engine.definitions.model import Field
from engine.definitions.row_links import row_link
from engine.i18n import localize


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
    if (via := row_link(field)) is not None:  # the key of one row of the linked record
        schema["x-row"] = {"link": via.link, "table": via.table}
        schema["description"] = f"the key of a row of {via.table} of the record {via.link} names"
    if field.enum_titles:
        schema["x-enum-titles"] = {
            str(k): localize(v, language) for k, v in field.enum_titles.items()
        }
    return schema


def output_schema(field: Field, language: str = "en") -> dict[str, Any]:
    """The schema of a field's value in a record the API returns."""
    if field.children:
        row = {
            "type": "object",
            "properties": {c.name: output_schema(c, language) for c in field.children},
        }
        schema: dict[str, Any] = {"type": ["array", "null"], "items": row}
    else:
        schema = nullable(field.kind_type.openapi(field))
    if field.computed or field.read_only:
        schema["readOnly"] = True
    return _described(field, schema, language)


def input_schema(field: Field, language: str = "en", *, required: bool = False) -> dict[str, Any]:
    """The schema of a field's value a client may send (with the pack's constraints)."""
    if field.children:
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
        schema = field.kind_type.openapi(field)
    for keyword, value in field.constraints.items():
        schema.setdefault(keyword, value)
    if not required:
        schema = nullable(schema)
    return _described(field, schema, language)
