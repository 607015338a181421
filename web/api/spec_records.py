"""A module's record operations in the OpenAPI document: list and create, read, change and
delete, history, batch and uploads (workflow operations: spec_transitions.py).

Each builder answers one route (web/api/operations.py) once per module the reader may read,
leaving out the modules where the reader may not use it (create, change or delete without
the right).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.definitions.model import Module
from engine.records.query import MAX_FILTERS
from web.api.spec_context import Builder, Placed, SpecContext
from web.api.spec_files import upload_operations
from web.api.spec_params import list_parameters
from web.api.spec_parts import (
    READ_ERRORS,
    RECORD_ID,
    WRITE_ERRORS,
    path_param,
    query_param,
    ref,
    request_body,
    responses,
)
from web.api.spec_schemas import BATCH_LIMIT, batch_body


def record_id(module: Module) -> dict[str, Any]:
    """The path parameter `{id}` of one record of `module`."""
    return path_param("id", f"the id of a {module.id} record", RECORD_ID)


def _in(module: Module) -> dict[str, str]:
    return {"module_id": module.id}


def _list(ctx: SpecContext) -> Iterator[Placed]:
    for module in ctx.modules:
        yield (
            _in(module),
            {
                "operationId": f"{module.id}.list",
                "summary": f"List {ctx.text(module.title)}",
                "description": f"At most {MAX_FILTERS} filter clauses; filters take any visible stored field as `filter[field][op]` (ops eq ne lt lte gt gte in contains between, as its kind allows).",
                "tags": ctx.tag(module),
                "parameters": list_parameters(ctx, module),
                "responses": responses(200, ref(f"{module.id}.Page"), READ_ERRORS),
            },
        )


def _create(ctx: SpecContext) -> Iterator[Placed]:
    for module in ctx.modules:
        if ctx.answer(module).create:
            yield (
                _in(module),
                {
                    "operationId": f"{module.id}.create",
                    "summary": f"Create a {ctx.text(module.title)} record",
                    "tags": ctx.tag(module),
                    "requestBody": request_body(_data_body(ref(f"{module.id}.NewData"))),
                    "responses": responses(201, ref(f"{module.id}.Record"), WRITE_ERRORS),
                    **_from_param(module),
                },
            )


def _from_param(module: Module) -> dict[str, Any]:
    """`?from=module:id` on the create of a module made from other records (create_from)."""
    if not module.create_from:
        return {}
    sources = sorted({spec.module for spec in module.create_from})
    pattern = f"^({'|'.join(sources)}):[0-9a-f]{{32}}$"
    text = "Start from this record of " + ", ".join(sources) + " as create_from maps it."
    return {"parameters": [query_param("from", {"type": "string", "pattern": pattern}, text)]}


def _data_body(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["data"],
        "properties": {"data": data},
        "additionalProperties": False,
    }


def _read(ctx: SpecContext) -> Iterator[Placed]:
    for module in ctx.modules:
        yield (
            _in(module),
            {
                "operationId": f"{module.id}.read",
                "summary": f"Read a {ctx.text(module.title)} record",
                "tags": ctx.tag(module),
                "parameters": [record_id(module)],
                "responses": responses(200, ref(f"{module.id}.Record"), (401, 404)),
            },
        )


def _update(ctx: SpecContext) -> Iterator[Placed]:
    for module in ctx.modules:
        if not ctx.answer(module).update:
            continue
        change = {
            "type": "object",
            "required": ["version"],
            "properties": {
                "version": {"type": "integer", "minimum": 1},
                "data": ref(f"{module.id}.Changes"),
            },
            "additionalProperties": False,
        }
        yield (
            _in(module),
            {
                "operationId": f"{module.id}.update",
                "summary": f"Change a {ctx.text(module.title)} record",
                "tags": ctx.tag(module),
                "parameters": [record_id(module)],
                "requestBody": request_body(change),
                "responses": responses(200, ref(f"{module.id}.Record"), WRITE_ERRORS),
            },
        )


def _delete(ctx: SpecContext) -> Iterator[Placed]:
    version = {"type": "integer", "minimum": 1}
    for module in ctx.modules:
        if ctx.answer(module).delete:
            yield (
                _in(module),
                {
                    "operationId": f"{module.id}.delete",
                    "summary": f"Delete a {ctx.text(module.title)} record",
                    "tags": ctx.tag(module),
                    "parameters": [
                        record_id(module),
                        query_param("version", version, "delete only at this version"),
                    ],
                    "responses": responses(204, None, (401, 403, 404, 409, 422)),
                },
            )


def _history(ctx: SpecContext) -> Iterator[Placed]:
    for module in ctx.modules:
        yield (
            _in(module),
            {
                "operationId": f"{module.id}.history",
                "summary": f"History of a {ctx.text(module.title)} record",
                "tags": ctx.tag(module),
                "parameters": [record_id(module)],
                "responses": responses(200, ref("History"), (401, 404)),
            },
        )


def _writes(ctx: SpecContext) -> Iterator[Module]:
    """The modules where the reader may create or change records (batch, uploads)."""
    for module in ctx.modules:
        if ctx.answer(module).create or ctx.answer(module).update:
            yield module


PREFER = {
    "name": "Prefer",
    "in": "header",
    "required": False,
    "description": "`return=minimal` (RFC 7240): answer each written record's id, version and "
    "number only, not the whole record; the answer then carries `Preference-Applied`",
    "schema": {"type": "string", "examples": ["return=minimal"]},
}
WRITTEN = {
    "type": "object",
    "description": "a written record with `Prefer: return=minimal` (its id alone when the "
    "caller may not read it back)",
    "required": ["id"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string"},
        "version": {"type": "integer", "minimum": 1},
        "number": {"type": ["string", "null"]},
    },
}


def _batch(ctx: SpecContext) -> Iterator[Placed]:
    key = {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "makes a retry safe: the same key, body and `Prefer` replay the first "
        "answer",
        "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"},
    }
    for module in _writes(ctx):
        written = {"anyOf": [ref(f"{module.id}.Record"), WRITTEN]}
        answer = {
            "type": "object",
            "required": ["items"],
            "properties": {"items": {"type": "array", "items": written}},
        }
        yield (
            _in(module),
            {
                "operationId": f"{module.id}.batch",
                "summary": f"Create or change up to {BATCH_LIMIT:,} records, all or nothing",
                "description": "Answers every written record in request order, as `GET` of it "
                "reads it; with `Prefer: return=minimal` only its id, version and number.",
                "tags": ctx.tag(module),
                "parameters": [key, PREFER],
                "requestBody": request_body(batch_body(module.id)),
                "responses": _with_headers(responses(201, answer, WRITE_ERRORS)),
            },
        )


def _with_headers(answers: dict[str, Any]) -> dict[str, Any]:
    """The batch's 201 names the headers that say what was answered."""
    text = {"type": "string"}
    answers["201"]["headers"] = {
        "Preference-Applied": {"description": "`return=minimal` when it was", "schema": text},
        "Idempotent-Replayed": {"description": "`true` for a stored answer", "schema": text},
    }
    return answers


def _upload(ctx: SpecContext) -> Iterator[Placed]:
    for module in _writes(ctx):
        for key, operation in upload_operations(module, ctx.viewer, ctx.tag(module)):
            yield {**_in(module), "field": key}, operation


RECORD_OPERATIONS: dict[str, Builder] = {
    "records.list": _list,
    "records.create": _create,
    "records.read": _read,
    "records.update": _update,
    "records.delete": _delete,
    "records.history": _history,
    "records.batch": _batch,
    "records.upload": _upload,
}
