"""A module's record operations in the OpenAPI document: list and create, read, change and
delete, history, batch, uploads and one operation per workflow transition.

Operations the reader may not use (create, change or delete without the right, transitions
closed to their roles) are left out.
"""

from __future__ import annotations

from typing import Any

from engine.abilities import abilities as engine_abilities
from engine.definitions.model import Module, Transition
from engine.records.query import MAX_FILTERS
from engine.workflow.transitions import MAX_COMMENT
from web.api.spec_context import SpecContext
from web.api.spec_files import upload_paths
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
from web.api.spec_schemas import BATCH_LIMIT, batch_body, transition_result


def module_paths(ctx: SpecContext, module: Module) -> None:
    """Every operation on the records of `module` the reader may use."""
    name = module.id
    tag = [f"{ctx.text(module.title)} ({name})"]
    may = ctx.abilities(module)
    base = f"/modules/{name}/records"
    record_id = path_param("id", f"the id of a {name} record", RECORD_ID)
    ctx.paths[base] = _listing(ctx, module, tag, may["create"])
    ctx.paths[f"{base}/{{id}}"] = _one_record(ctx, module, tag, record_id, may)
    ctx.paths[f"{base}/{{id}}/history"] = {
        "get": {
            "operationId": f"{name}.history",
            "summary": f"History of a {ctx.text(module.title)} record",
            "tags": tag,
            "parameters": [record_id],
            "responses": responses(200, ref("History"), (401, 404)),
        }
    }
    if may["create"] or may["update"]:
        ctx.paths[f"{base}:batch"] = _batch(module, tag)
        ctx.paths.update(upload_paths(module, ctx.viewer, tag))
    if module.workflow is not None:
        _transition_paths(ctx, module, tag, record_id)


def _listing(ctx: SpecContext, module: Module, tag: list[str], create: bool) -> dict[str, Any]:
    name, title = module.id, ctx.text(module.title)
    listing: dict[str, Any] = {
        "get": {
            "operationId": f"{name}.list",
            "summary": f"List {title}",
            "description": f"At most {MAX_FILTERS} filter clauses; filters take any visible stored field as `filter[field][op]` (ops eq ne lt lte gt gte in contains between, as its kind allows).",
            "tags": tag,
            "parameters": list_parameters(ctx, module),
            "responses": responses(200, ref(f"{name}.Page"), READ_ERRORS),
        }
    }
    if create:
        listing["post"] = {
            "operationId": f"{name}.create",
            "summary": f"Create a {title} record",
            "tags": tag,
            "requestBody": request_body(_data_body(ref(f"{name}.NewData"))),
            "responses": responses(201, ref(f"{name}.Record"), WRITE_ERRORS),
        }
    return listing


def _data_body(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["data"],
        "properties": {"data": data},
        "additionalProperties": False,
    }


def _one_record(
    ctx: SpecContext,
    module: Module,
    tag: list[str],
    record_id: dict[str, Any],
    may: dict[str, bool],
) -> dict[str, Any]:
    name, title = module.id, ctx.text(module.title)
    one: dict[str, Any] = {
        "parameters": [record_id],
        "get": {
            "operationId": f"{name}.read",
            "summary": f"Read a {title} record",
            "tags": tag,
            "responses": responses(200, ref(f"{name}.Record"), (401, 404)),
        },
    }
    if may["update"]:
        change = {
            "type": "object",
            "required": ["version"],
            "properties": {
                "version": {"type": "integer", "minimum": 1},
                "data": ref(f"{name}.Changes"),
            },
            "additionalProperties": False,
        }
        one["patch"] = {
            "operationId": f"{name}.update",
            "summary": f"Change a {title} record",
            "tags": tag,
            "requestBody": request_body(change),
            "responses": responses(200, ref(f"{name}.Record"), WRITE_ERRORS),
        }
    if may["delete"]:
        version = {"type": "integer", "minimum": 1}
        one["delete"] = {
            "operationId": f"{name}.delete",
            "summary": f"Delete a {title} record",
            "tags": tag,
            "parameters": [query_param("version", version, "delete only at this version")],
            "responses": responses(204, None, (401, 403, 404, 409, 422)),
        }
    return one


def _batch(module: Module, tag: list[str]) -> dict[str, Any]:
    key = {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "makes a retry safe: the same key and body replay the first answer",
        "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"},
    }
    answer = {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": ref(f"{module.id}.Record")}},
    }
    return {
        "post": {
            "operationId": f"{module.id}.batch",
            "summary": f"Create or change up to {BATCH_LIMIT:,} records, all or nothing",
            "tags": tag,
            "parameters": [key],
            "requestBody": request_body(batch_body(module.id)),
            "responses": responses(201, answer, WRITE_ERRORS),
        }
    }


def _transition_paths(
    ctx: SpecContext, module: Module, tag: list[str], record_id: dict[str, Any]
) -> None:
    name = module.id
    ctx.paths[f"/modules/{name}/records/{{id}}/transitions"] = {
        "get": {
            "operationId": f"{name}.transitions",
            "summary": "The transitions of a record: available to the caller, or why not",
            "tags": tag,
            "parameters": [record_id],
            "responses": responses(200, ref("TransitionOptions"), (401, 404)),
        }
    }
    assert module.workflow is not None
    answer = engine_abilities(ctx.viewer, module)
    for transition in module.workflow.transitions:
        step = answer.step(transition.id)
        if step is None or not step.available:  # no record where the caller could take it
            continue
        path = f"/modules/{name}/records/{{id}}/transitions/{transition.id}"
        ctx.paths[path] = {"post": _transition(ctx, module, transition, tag, record_id)}


def _transition(
    ctx: SpecContext,
    module: Module,
    transition: Transition,
    tag: list[str],
    record_id: dict[str, Any],
) -> dict[str, Any]:
    comment: dict[str, Any] = {"type": ["string", "null"], "maxLength": MAX_COMMENT}
    if transition.comment == "required":
        comment = {"type": "string", "minLength": 1, "maxLength": MAX_COMMENT}
    body_properties: dict[str, Any] = {"version": {"type": "integer", "minimum": 1}}
    if transition.comment != "none":
        body_properties["comment"] = comment
    body = {
        "type": "object",
        "properties": body_properties,
        "required": ["comment"] if transition.comment == "required" else [],
        "additionalProperties": False,
    }
    vote = " An approval: each call is one vote; it fires at the quorum."
    return {
        "operationId": f"{module.id}.transition.{transition.id}",
        "summary": f"{ctx.text(transition.title)}: {', '.join(transition.sources)} → {transition.target}",
        "description": (
            f"Roles: {', '.join(transition.roles) or '-'}. Comment: {transition.comment}."
            + (vote if transition.approval else "")
        ),
        "tags": tag,
        "parameters": [record_id],
        "x-formwork-transition": {
            "from": list(transition.sources),
            "to": transition.target,
            "roles": list(transition.roles),
            "approval": transition.approval is not None,
        },
        "requestBody": request_body(body, required=transition.comment == "required"),
        "responses": responses(200, transition_result(module.id), WRITE_ERRORS),
    }
