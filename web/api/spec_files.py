"""OpenAPI operations of attachment uploads: one per file field the caller may write.

A record's file field takes only a reference the caller uploaded for that field, so the
document must show the upload route next to the record routes it serves.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine import attachments
from engine.actor import Actor
from engine.definitions.model import Module
from engine.errors import FormworkError
from engine.kinds.standard import FILE
from web.api.spec_parts import responses

REFERENCE = {
    "type": "object",
    "required": ["value", "file", "name", "type", "size"],
    "properties": {
        "value": {
            "type": "string",
            "description": "what the record's field takes: send it back unchanged",
        },
        "file": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
        "name": {"type": "string"},
        "type": {"type": "string"},
        "size": {"type": "integer", "minimum": 1},
    },
}
UPLOAD = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {"type": "string", "contentMediaType": "application/octet-stream"},
    },
}


def file_keys(module: Module) -> list[str]:
    """`photo`, `items.photo`: every attachment field of the module, child tables included."""
    keys = [f.name for f in module.fields if f.kind_type is FILE]
    for table in (f for f in module.fields if f.children):
        keys += [f"{table.name}.{c.name}" for c in table.children if c.kind_type is FILE]
    return keys


def upload_operations(
    module: Module, actor: Actor, tag: list[str]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(field key, upload operation) of each attachment field of `module` `actor` may write."""
    for key in file_keys(module):
        try:
            field = attachments.writable_field(module, key, actor)
        except FormworkError:
            continue
        limit = field.max_bytes or attachments.DEFAULT_MAX_BYTES
        accept = ", ".join(field.accept) or "any kind"
        yield (
            key,
            {
                "operationId": f"{module.id}.upload.{key}",
                "summary": f"Upload a file for {key!r}",
                "description": (
                    f"multipart/form-data with the file in the part `file`; at most {limit} "
                    f"bytes, of {accept} (by name and by content). Put the answer's `value` "
                    "into the record's field."
                ),
                "tags": tag,
                "requestBody": {
                    "required": True,
                    "content": {"multipart/form-data": {"schema": UPLOAD}},
                },
                "responses": responses(201, REFERENCE, (401, 403, 404, 413, 422)),
            },
        )
