"""Records of a module: list with filters, create, read, change and delete.

Each route is one engine call (engine.records) inside the request's transaction; the engine
enforces every permission, row scope and hidden field, so a record outside the caller's
scope answers 404 exactly like one that does not exist.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from engine import attachments
from engine.definitions.model import Module
from engine.errors import Problem, ValidationFailed
from engine.exactjson import dumps, loads
from engine.records import (
    create_record,
    delete_record,
    get_record,
    list_records,
    parse_list_params,
    update_record,
)
from engine.records.create_from import prefill_from
from engine.records.model import RecordPage
from engine.records.query import ListQuery
from web.api.common import json_object, query_params, readable_module, version_of
from web.api.context import api_session
from web.api.operations import operation
from web.jsonio import record_json
from web.pages.uploads import default_limit, file_store

UPLOAD_SLACK = 64 * 1024  # room for the multipart envelope around the file

bp = Blueprint("records", __name__)


def page_json(module: Module, page: RecordPage) -> dict[str, Any]:
    return {
        "items": [record_json(module, record) for record in page.items],
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages,
        "totals": page.totals,
    }


@bp.get("/modules/<module_id>/records")
@operation("records.list")
def list_(module_id: str) -> ResponseReturnValue:
    """One page of records: `q`, `sort`, `page`, `per_page`, `filter[field][op]`."""
    with api_session() as (session, actor):
        module = readable_module(session, actor, module_id)
        query: ListQuery = parse_list_params(module, query_params(), actor)
        page = list_records(session, module.id, actor, query)
        return jsonify(page_json(module, page))


def _location(module_id: str, record_id: str) -> str:
    return url_for("api.records.read", module_id=module_id, record_id=record_id)


@bp.post("/modules/<module_id>/records")
@operation("records.create")
def create(module_id: str) -> ResponseReturnValue:
    """Create a record from `{"data": {...}}`: 201 with the record, 422 naming each problem.

    `?from=module:id` starts from that record's values as the module's `create_from` maps
    them (lines and the link back included); the body's own values win."""
    with api_session() as (session, actor):
        module = readable_module(session, actor, module_id)
        body = json_object({"data"})
        data = body.get("data", {})
        source = request.args.get("from", "")
        if source and isinstance(data, dict):
            source_module, _colon, source_id = source.partition(":")
            values = prefill_from(session, module.id, source_module, source_id, actor)
            data = {**loads(dumps(values)), **data}  # as JSON would send them
        record = create_record(session, module.id, data, actor)
        return (
            jsonify(record_json(module, record)),
            201,
            {"Location": _location(module.id, record.id)},
        )


@bp.get("/modules/<module_id>/records/<record_id>")
@operation("records.read")
def read(module_id: str, record_id: str) -> ResponseReturnValue:
    with api_session() as (session, actor):
        module = readable_module(session, actor, module_id)
        record = get_record(session, module.id, record_id, actor)
        return jsonify(record_json(module, record))


@bp.patch("/modules/<module_id>/records/<record_id>")
@operation("records.update")
def change(module_id: str, record_id: str) -> ResponseReturnValue:
    """Change fields from `{"version": n, "data": {...}}`; 409 when `version` is stale."""
    with api_session() as (session, actor):
        module = readable_module(session, actor, module_id)
        body = json_object({"version", "data"})
        version = version_of(body.get("version"))
        assert version is not None
        record = update_record(session, module.id, record_id, version, body.get("data", {}), actor)
        return jsonify(record_json(module, record))


@bp.delete("/modules/<module_id>/records/<record_id>")
@operation("records.delete")
def delete(module_id: str, record_id: str) -> ResponseReturnValue:
    """Delete a record (`?version=n` makes it conditional); 204, its history stays."""
    with api_session() as (session, actor):
        module = readable_module(session, actor, module_id)
        version = version_of(request.args.get("version"), "version", required=False)
        delete_record(session, module.id, record_id, actor, version=version)
        return "", 204


@bp.post("/modules/<module_id>/files/<field>")
@operation("records.upload")
def upload(module_id: str, field: str) -> ResponseReturnValue:
    """Upload a file for an attachment field (multipart part `file`): 201 with its reference.

    The same size and type checks as the form; the answer's `value` is what the record's
    field takes, and a record accepts only references its writer uploaded for that field.
    """
    with api_session() as (session, actor):
        module = readable_module(session, actor, module_id)
        target = attachments.writable_field(module, field, actor)
        request.max_content_length = (target.max_bytes or default_limit()) + UPLOAD_SLACK
        sent = request.files.get("file")
        if sent is None or not sent.filename:
            message = "send the file as multipart/form-data in a part named `file`"
            raise ValidationFailed([Problem("/file", message)])
        reference = attachments.store_upload(
            session, file_store(), module, field, actor, sent.stream, sent.filename, default_limit()
        )
        return jsonify({"value": reference.as_text(), **asdict(reference)}), 201
