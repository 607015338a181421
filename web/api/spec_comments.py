"""Comments on records in the OpenAPI document: list, post, read, edit, upload and download.

Each operation is placed once per module the reader may read (a record they may read is a
record they may comment on); the limits come from engine/comments.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.comments import MAX_BODY, MAX_FILES
from engine.definitions.model import Module
from web.api.spec_context import Builder, Placed, SpecContext
from web.api.spec_files import REFERENCE, UPLOAD
from web.api.spec_parts import items_of, path_param, request_body, responses
from web.api.spec_records import record_id

MOMENT = {"type": "string", "format": "date-time"}
FILE_NAME = {"type": "string", "pattern": "^[0-9a-f]{32}$"}
FILE: dict[str, Any] = {
    "type": "object",
    "required": ["file", "name", "type", "size"],
    "properties": {
        "file": FILE_NAME,
        "name": {"type": "string"},
        "type": {"type": "string"},
        "size": {"type": "integer", "minimum": 1},
    },
}
COMMENT: dict[str, Any] = {
    "type": "object",
    "required": ["id", "author", "body", "mentions", "attachments", "created_at", "revisions"],
    "properties": {
        "id": {"type": "integer"},
        "author": {"type": "string", "description": "the user name of who wrote it"},
        "body": {"type": "string", "description": "plain text, never HTML or markdown"},
        "mentions": {"type": "array", "items": {"type": "string"}},
        "attachments": {"type": "array", "items": FILE},
        "created_at": MOMENT,
        "edited_at": {"type": ["string", "null"], "format": "date-time"},
        "revisions": {"type": "integer", "minimum": 0, "description": "how often it was edited"},
    },
}
EARLIER = {
    "type": "object",
    "required": ["body", "edited_by", "edited_at"],
    "properties": {
        "body": {"type": "string"},
        "edited_by": {"type": "string"},
        "edited_at": MOMENT,
    },
}
BODY = {
    "type": "string",
    "minLength": 1,
    "maxLength": MAX_BODY,
    "description": "plain text; each @name must be an active user who may read the record",
}
NEW = {
    "type": "object",
    "required": ["body"],
    "properties": {
        "body": BODY,
        "attachments": {
            "type": "array",
            "maxItems": MAX_FILES,
            "items": {"type": "string"},
            "description": "the `value` of each file uploaded to .../comments/files",
        },
    },
    "additionalProperties": False,
}
CHANGE = {
    "type": "object",
    "required": ["body"],
    "properties": {"body": BODY},
    "additionalProperties": False,
}
COMMENT_ID = path_param("comment_id", "the id of a comment on the record", {"type": "integer"})
FILE_ID = path_param("file_id", "the `file` of one of the comment's attachments", FILE_NAME)


def _each(
    ctx: SpecContext,
    name: str,
    summary: str,
    one: bool = False,
    extra: tuple[dict[str, Any], ...] = (),
    **operation: Any,
) -> Iterator[Placed]:
    """The operation once per module the reader may read (`one`: about one comment)."""
    module: Module
    for module in ctx.modules:
        parameters = [record_id(module), *([COMMENT_ID] if one else []), *extra]
        yield (
            {"module_id": module.id},
            {
                "operationId": f"{module.id}.{name}",
                "summary": summary.format(module=ctx.text(module.title)),
                "tags": ctx.tag(module),
                "parameters": parameters,
                **operation,
            },
        )


def _list(ctx: SpecContext) -> Iterator[Placed]:
    yield from _each(
        ctx,
        "comments",
        "Comments on a {module} record, oldest first",
        responses=responses(200, items_of(COMMENT), (401, 404)),
    )


def _create(ctx: SpecContext) -> Iterator[Placed]:
    yield from _each(
        ctx,
        "comments.create",
        "Comment on a {module} record (the mentioned and the owner are notified)",
        requestBody=request_body(NEW),
        responses=responses(201, COMMENT, (400, 401, 404, 413, 415, 422)),
    )


def _read(ctx: SpecContext) -> Iterator[Placed]:
    one = {**COMMENT, "properties": {**COMMENT["properties"], "earlier": items_of(EARLIER)}}
    yield from _each(
        ctx,
        "comments.read",
        "One comment on a {module} record with its earlier texts",
        one=True,
        responses=responses(200, one, (401, 404)),
    )


def _update(ctx: SpecContext) -> Iterator[Placed]:
    yield from _each(
        ctx,
        "comments.update",
        "Edit one's own comment on a {module} record (the earlier text is kept)",
        one=True,
        requestBody=request_body(CHANGE),
        responses=responses(200, COMMENT, (400, 401, 403, 404, 413, 415, 422)),
    )


def _upload(ctx: SpecContext) -> Iterator[Placed]:
    yield from _each(
        ctx,
        "comments.upload",
        "Upload a file for a comment on a {module} record",
        description="multipart/form-data with the file in the part `file`; put the answer's "
        "`value` into the comment's `attachments`.",
        requestBody={"required": True, "content": {"multipart/form-data": {"schema": UPLOAD}}},
        responses=responses(201, REFERENCE, (401, 403, 404, 413, 422)),
    )


def _download(ctx: SpecContext) -> Iterator[Placed]:
    answers: dict[str, Any] = responses(200, None, (401, 404))
    answers["200"] = {
        "description": "The file's bytes, of the type it was stored with, as an attachment "
        "under its own name",
        "headers": {
            "Content-Disposition": {"schema": {"type": "string"}, "description": "attachment"}
        },
        "content": {"*/*": {"schema": {"type": "string", "contentEncoding": "binary"}}},
    }
    yield from _each(
        ctx,
        "comments.download",
        "Download a file of a comment on a {module} record",
        one=True,
        extra=(FILE_ID,),
        description="404 when the record is out of reach or the file is not the comment's.",
        responses=answers,
    )


COMMENT_OPERATIONS: dict[str, Builder] = {
    "comments.list": _list,
    "comments.create": _create,
    "comments.read": _read,
    "comments.update": _update,
    "comments.upload": _upload,
    "comments.download": _download,
}
