"""Comments on a record through the API: list, post (with @mentions and files), edit one's own.

The same engine calls as the record page (engine/comments), so a rule holds in both: a
record outside the caller's scope answers 404 for its comments too, a mention of someone who
may not read the record is a 422 naming them, and an edit by anyone but the author is a 403.
Files are uploaded first (multipart, part `file`) to `.../comments/files`; the comment then
lists the answers' `value`s under `attachments`, and each downloads from
`.../comments/{comment_id}/files/{file}` with the same answer as the record page's link.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from engine import comments
from engine.comments import CommentView, RevisionView
from engine.errors import Problem, ValidationFailed
from web.api.common import json_object, readable_module
from web.api.context import api_session
from web.api.operations import operation
from web.pages.comments import comment_file
from web.pages.uploads import default_limit, file_store

bp = Blueprint("comments", __name__)
UPLOAD_SLACK = 64 * 1024  # the multipart envelope around the file


def comment_json(view: CommentView) -> dict[str, Any]:
    return {
        "id": view.id,
        "author": view.author,
        "body": view.body,
        "mentions": list(view.mentions),
        "attachments": [asdict(r) for r in view.attachments],
        "created_at": view.created_at,
        "edited_at": view.edited_at,
        "revisions": view.revisions,
    }


def revision_json(revision: RevisionView) -> dict[str, Any]:
    return {"body": revision.body, "edited_by": revision.edited_by, "edited_at": revision.edited_at}


def _text(body: dict[str, Any]) -> str:
    text = body.get("body")
    if text is not None and not isinstance(text, str):
        raise ValidationFailed([Problem("/body", "not_text")])
    return text or ""


def _files(body: dict[str, Any]) -> list[object]:
    files = body.get("attachments", [])
    if not isinstance(files, list):
        raise ValidationFailed([Problem("/attachments", "not_a_list", {"items": "files"})])
    return files


@bp.get("/modules/<module_id>/records/<record_id>/comments")
@operation("comments.list")
def list_comments(module_id: str, record_id: str) -> ResponseReturnValue:
    with api_session() as (session, actor):
        module = readable_module(session, actor, module_id)
        views = comments.comments_of(session, module.id, record_id, actor)
        return jsonify({"items": [comment_json(v) for v in views]})


@bp.post("/modules/<module_id>/records/<record_id>/comments")
@operation("comments.create")
def create(module_id: str, record_id: str) -> ResponseReturnValue:
    """Post a comment: `{"body": ..., "attachments": [uploaded values]}`; 201 with it."""
    with api_session() as (session, actor):
        module = readable_module(session, actor, module_id)
        body = json_object(("body", "attachments"))
        added = comments.add_comment(
            session, module.id, record_id, actor, _text(body), _files(body)
        )
        view, _earlier = comments.comment_of(session, module.id, record_id, added.id, actor)
        return jsonify(comment_json(view)), 201


@bp.get("/modules/<module_id>/records/<record_id>/comments/<int:comment_id>")
@operation("comments.read")
def read(module_id: str, record_id: str, comment_id: int) -> ResponseReturnValue:
    """One comment with its earlier texts, oldest first."""
    with api_session() as (session, actor):
        module = readable_module(session, actor, module_id)
        view, earlier = comments.comment_of(session, module.id, record_id, comment_id, actor)
        return jsonify({**comment_json(view), "earlier": [revision_json(r) for r in earlier]})


@bp.patch("/modules/<module_id>/records/<record_id>/comments/<int:comment_id>")
@operation("comments.update")
def update(module_id: str, record_id: str, comment_id: int) -> ResponseReturnValue:
    """Change one's own comment's text (`{"body": ...}`); the earlier text is kept."""
    with api_session() as (session, actor):
        module = readable_module(session, actor, module_id)
        text = _text(json_object(("body",)))
        comments.edit_comment(session, comment_id, actor, text, on=(module.id, record_id))
        view, _earlier = comments.comment_of(session, module.id, record_id, comment_id, actor)
        return jsonify(comment_json(view))


@bp.post("/modules/<module_id>/records/<record_id>/comments/files")
@operation("comments.upload")
def upload(module_id: str, record_id: str) -> ResponseReturnValue:
    """Upload a file for a comment on this record (multipart part `file`): 201, its reference."""
    with api_session() as (session, actor):
        module = readable_module(session, actor, module_id)
        request.max_content_length = default_limit() + UPLOAD_SLACK
        sent = request.files.get("file")
        if sent is None or not sent.filename:
            message = "send the file as multipart/form-data in a part named `file`"
            raise ValidationFailed([Problem("/file", message)])
        reference = comments.store_comment_file(
            session,
            file_store(),
            module.id,
            record_id,
            actor,
            sent.stream,
            sent.filename,
            default_limit(),
        )
        return jsonify({"value": reference.as_text(), **asdict(reference)}), 201


@bp.get("/modules/<module_id>/records/<record_id>/comments/<int:comment_id>/files/<file_id>")
@operation("comments.download")
def download(module_id: str, record_id: str, comment_id: int, file_id: str) -> ResponseReturnValue:
    """A comment's file, as the record page sends it; 404 for a reader who may not read it."""
    with api_session() as (session, actor):
        module = readable_module(session, actor, module_id)
        return comment_file(session, module.id, record_id, comment_id, file_id, actor)
