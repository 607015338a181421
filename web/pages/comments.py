"""Comments on the record page: one Activity timeline of the conversation and the changes.

The record page includes records/_comments.html, which asks `record_activity` for the
record's comments merged with its history, newest first like the history. Posting a comment
or an edit answers htmx with that panel alone (no reload) and a plain form with a redirect,
so the page works without scripts; a refusal keeps what was typed and says why beside the
form, with a 4xx status. Files attached to a comment download through the record's read
check; the @ picker asks `mentions` for the users who may read the record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask import (
    Blueprint,
    Response,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import login_required
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from engine import comments as engine_comments
from engine.actor import Actor
from engine.attachments import Reference
from engine.audit import visible_history
from engine.catalog import load_catalog
from engine.comments import CommentView, RevisionView
from engine.definitions.model import Module
from engine.errors import NotFound, PermissionDenied, ValidationFailed
from engine.records import get_record
from engine.records.model import Record
from web import errors
from web.pages.comment_text import comment_html
from web.pages.context import actor, db, is_htmx
from web.pages.files import attachment_response
from web.pages.messages import message_text
from web.pages.uploads import default_limit, file_store

bp = Blueprint("comments", __name__)
MAX_PICKS = 8


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: a comment (with its earlier texts) or a history entry."""

    at: dt.datetime
    comment: CommentView | None = None
    revisions: list[RevisionView] = field(default_factory=list)
    change: dict[str, Any] | None = None


@dataclass(frozen=True)
class Activity:
    entries: list[Entry]
    count: int  # comments
    draft: str  # the text of a refused comment, typed again for the user
    problem: str | None  # why a new comment was refused
    editing: int | None  # the comment whose edit was refused
    edit_draft: str
    edit_problem: str | None


def record_activity(module: Module, record: Record, history: list[dict[str, Any]]) -> Activity:
    """The record's comments and history in one list, newest first (the history's order)."""
    with db() as session:
        views = engine_comments.comments_of(
            session,
            module.id,
            record.id,
            actor(),
            in_scope=True,  # the page has read it
        )
        earlier = engine_comments.revisions_of(session, views)
    entries = [Entry(v.created_at, v, earlier.get(v.id, [])) for v in views]
    entries += [Entry(h["at"], change=h) for h in history]
    entries.sort(key=lambda e: e.at, reverse=True)
    refused = g.get("comment_refused") or {}
    return Activity(
        entries,
        len(views),
        refused.get("draft", ""),
        refused.get("problem"),
        refused.get("editing"),
        refused.get("edit_draft", ""),
        refused.get("edit_problem"),
    )


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {"record_activity": record_activity}


bp.add_app_template_filter(comment_html, "comment_html")


def _history(module: Module, record: Record) -> list[dict[str, Any]]:
    with db() as session:
        entries = visible_history(session, module.id, record.id, actor(), in_scope=True)
    entries.reverse()
    return entries


def _answer(module_id: str, record_id: str, status: int = 200) -> ResponseReturnValue:
    """The Activity panel for htmx; else the record page (a refusal) or a redirect to it."""
    if not is_htmx() and status < 400:
        target = url_for("record.show", module_id=module_id, record_id=record_id)
        return redirect(f"{target}#activity", code=303)
    with db() as session:
        module = load_catalog(session).module(module_id)
        item = get_record(session, module_id, record_id, actor())
        if not is_htmx():
            from web.pages.record import render_record

            return render_record(session, module, item, actor(), status)
        html = render_template(
            "records/_comments.html", module=module, record=item, history=_history(module, item)
        )
    return html, status


def _refusal(error: ValidationFailed | PermissionDenied) -> str:
    return "; ".join(message_text(p) for p in error.problems)


def _store_files(
    session: Session, module_id: str, record_id: str, sent: list[FileStorage], into: list[Reference]
) -> None:
    """Store the files sent with a comment (checked like an attachment field's uploads)."""
    for part in sent:
        if part.filename:
            into.append(
                engine_comments.store_comment_file(
                    session,
                    file_store(),
                    module_id,
                    record_id,
                    actor(),
                    part.stream,
                    part.filename,
                    default_limit(),
                )
            )


@bp.post("/m/<module_id>/r/<record_id>/comments")
@login_required
def add(module_id: str, record_id: str) -> ResponseReturnValue:
    """Post a comment (body, and files in `files`)."""
    body = request.form.get("body", "")
    stored: list[Reference] = []
    try:
        with db() as session:  # the files' registration is undone with a refused comment
            _store_files(session, module_id, record_id, request.files.getlist("files"), stored)
            references = [r.as_text() for r in stored]
            engine_comments.add_comment(session, module_id, record_id, actor(), body, references)
    except (ValidationFailed, PermissionDenied) as error:
        for reference in stored:
            file_store().delete(reference.file)
        g.comment_refused = {"draft": body, "problem": _refusal(error)}
        return _answer(module_id, record_id, errors.status_of(error))
    return _answer(module_id, record_id)


@bp.post("/m/<module_id>/r/<record_id>/comments/<int:comment_id>")
@login_required
def edit(module_id: str, record_id: str, comment_id: int) -> ResponseReturnValue:
    """Change the text of one's own comment; the earlier text stays readable."""
    body = request.form.get("body", "")
    try:
        with db() as session:
            engine_comments.edit_comment(
                session, comment_id, actor(), body, on=(module_id, record_id)
            )
    except (ValidationFailed, PermissionDenied) as error:
        g.comment_refused = {
            "editing": comment_id,
            "edit_draft": body,
            "edit_problem": _refusal(error),
        }
        return _answer(module_id, record_id, errors.status_of(error))
    return _answer(module_id, record_id)


def comment_file(
    session: Session, module_id: str, record_id: str, comment_id: int, file_id: str, reader: Actor
) -> Response:
    """A comment's file as a download (NotFound unless the reader may read the record).

    Sent like a record's attachment (web/pages/files.py): its own name in Content-Disposition
    and `nosniff`, so an HTML file is never shown as a page of this site. The API's download
    answers with the same, so both say the same of one file.
    """
    view, _earlier = engine_comments.comment_of(session, module_id, record_id, comment_id, reader)
    reference = next((r for r in view.attachments if r.file == file_id), None)
    response = attachment_response(reference) if reference is not None else None
    if response is None:
        raise NotFound(code="no_comment_file", id=comment_id)
    return response


@bp.get("/m/<module_id>/r/<record_id>/comments/<int:comment_id>/files/<file_id>")
@login_required
def download(module_id: str, record_id: str, comment_id: int, file_id: str) -> ResponseReturnValue:
    """A file attached to a comment, to whoever may read the record."""
    with db() as session:
        return comment_file(session, module_id, record_id, comment_id, file_id, actor())


@bp.get("/m/<module_id>/r/<record_id>/mentions")
@login_required
def mentions(module_id: str, record_id: str) -> ResponseReturnValue:
    """Users who may read the record, matching `q` in their name or display name (JSON)."""
    query = request.args.get("q", "")[:64]
    with db() as session:
        module = load_catalog(session).module(module_id)
        item = get_record(session, module.id, record_id, actor())
        found = engine_comments.mention_candidates(session, module, item.id, query, MAX_PICKS)
    return jsonify({"items": [{"name": name, "display": display} for name, display in found]})
