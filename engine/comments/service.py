"""Writing and reading comments on a record, each write telling whom it concerns.

Only someone who may read the record may read or write its comments; to anyone else the
record and its comments do not exist (NotFound, as for the record). A comment is plain text
of at most MAX_BODY characters; its @mentions must all be active users who may read the
record, else nothing is written. Each mentioned user gets a `mention` notification, the
record's owner a `comment` one (unless they wrote it or were mentioned). Comments are never
deleted; an edit, by the author only, keeps the text it replaces as a revision and tells
only the users it newly mentions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.actor import Actor
from engine.attachments import Reference
from engine.catalog import load_catalog
from engine.comments.files import checked_files
from engine.comments.mentions import resolve_mentions
from engine.definitions.model import Module
from engine.errors import NotFound, PermissionDenied, Problem, ValidationFailed
from engine.models import utcnow
from engine.models_notifications import CommentRevision, RecordComment
from engine.notifications import notify
from engine.records import get_record
from engine.records.model import Record

MAX_BODY = 10_000
EXCERPT = 200


@dataclass(frozen=True)
class CommentView:
    """A comment as its readers see it: text, mentions, files, and how often it was edited."""

    id: int
    author: str
    body: str
    mentions: tuple[str, ...]
    attachments: tuple[Reference, ...]
    created_at: dt.datetime
    edited_at: dt.datetime | None
    revisions: int


@dataclass(frozen=True)
class RevisionView:
    """A text a comment had before an edit: who replaced it, and when."""

    id: int
    body: str
    edited_by: str
    edited_at: dt.datetime


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _body_problems(body: object) -> list[Problem]:
    if not isinstance(body, str) or not body.strip():
        return [Problem("/body", "comment_empty")]
    if len(body) > MAX_BODY:
        return [Problem("/body", "comment_too_long", {"limit": MAX_BODY})]
    if "\x00" in body:
        return [Problem("/body", "nul_character")]
    return []


def _title(module: Module, record: Record) -> str:
    """The record's name as plain text: its number and its title field, as far as it has them."""
    value = record.data.get(module.title_field) if module.title_field else None
    parts = [record.number or "", str(value) if value not in (None, "") else ""]
    return " ".join(p for p in parts if p) or record.id[:8]


def _params(module: Module, record: Record, comment: RecordComment, body: str) -> dict[str, Any]:
    title = module.title
    texts = {str(k): str(v) for k, v in title.items()} if isinstance(title, Mapping) else {}
    return {
        "title": _title(module, record),
        "module_title": texts or {"en": str(title or module.id), "zh-CN": str(title or module.id)},
        "comment_id": comment.id,
        "excerpt": body[:EXCERPT],
    }


def add_comment(
    session: Session,
    module_id: str,
    record_id: str,
    actor: Actor,
    body: str,
    attachments: Sequence[object] = (),
) -> RecordComment:
    """Comment on a record the actor may read; ValidationFailed names each problem, and
    nothing is written then. `attachments`: references the actor uploaded for comments."""
    module = load_catalog(session).module(module_id)
    record = get_record(session, module.id, record_id, actor)  # NotFound out of scope
    if actor.name is None:
        raise PermissionDenied(code="not_allowed", detail="the system writes no comments")
    problems = _body_problems(body)
    names: list[str] = []
    if not problems:
        names, problems = resolve_mentions(session, module, record.id, body)
    files, file_problems = checked_files(session, module.id, actor, list(attachments))
    if problems or file_problems:
        raise ValidationFailed([*problems, *file_problems])
    comment = RecordComment(
        module=module.id,
        record_id=record.id,
        author=actor.name,
        body=body,
        mentions=names,
        attachments=[r.__dict__.copy() for r in files],
        created_at=utcnow(),
    )
    session.add(comment)
    session.flush()
    params = _params(module, record, comment, body)
    told = {
        "mention": names,
        "comment": [record.owner] if record.owner and record.owner not in names else [],
    }
    for event, recipients in told.items():
        notify(
            session,
            event,
            recipients,
            key=f"{event}:{comment.id}",
            module=module.id,
            record_id=record.id,
            actor=actor.name,
            params=params,
        )
    return comment


def _comment(session: Session, comment_id: int, on: tuple[str, str] | None) -> RecordComment:
    """The comment `comment_id` (of the record `on` = (module, record id), when given)."""
    comment = session.get(RecordComment, comment_id)
    if comment is None or (on is not None and (comment.module, comment.record_id) != on):
        raise NotFound(code="no_comment", id=comment_id)
    return comment


def edit_comment(
    session: Session,
    comment_id: int,
    actor: Actor,
    body: str,
    *,
    on: tuple[str, str] | None = None,
) -> RecordComment:
    """Change the text of one's own comment, keeping the text it had as a revision.

    A reader who may not read its record gets NotFound, as for the record; `on` (module,
    record id) refuses a comment of another record the same way.
    """
    comment = _comment(session, comment_id, on)
    module = load_catalog(session).module(comment.module)
    record = get_record(session, module.id, comment.record_id, actor)
    if comment.author != actor.name:
        raise PermissionDenied(code="not_comment_author")
    problems = _body_problems(body)
    names: list[str] = []
    if not problems:
        names, problems = resolve_mentions(session, module, record.id, body)
    if problems:
        raise ValidationFailed(problems)
    if body == comment.body:
        return comment
    now = utcnow()
    revision = CommentRevision(
        comment_id=comment.id, body=comment.body, edited_by=actor.name, edited_at=now
    )
    session.add(revision)
    session.flush()
    new = [n for n in names if n not in (comment.mentions or [])]
    comment.body, comment.edited_at = body, now
    comment.mentions = list(dict.fromkeys([*(comment.mentions or []), *names]))
    session.flush()
    notify(
        session,
        "mention",
        new,
        key=f"mention:{comment.id}:{revision.id}",
        module=module.id,
        record_id=record.id,
        actor=actor.name,
        params=_params(module, record, comment, body),
    )
    return comment


def _view(comment: RecordComment, revisions: int) -> CommentView:
    files = tuple(
        Reference(str(a["file"]), str(a["name"]), str(a["type"]), int(a["size"]))
        for a in comment.attachments or ()
        if isinstance(a, dict)
    )
    return CommentView(
        id=comment.id,
        author=comment.author,
        body=comment.body,
        mentions=tuple(comment.mentions or ()),
        attachments=files,
        created_at=_utc(comment.created_at),
        edited_at=_utc(comment.edited_at) if comment.edited_at else None,
        revisions=revisions,
    )


def comments_of(
    session: Session, module_id: str, record_id: str, reader: Actor, *, in_scope: bool = False
) -> list[CommentView]:
    """A record's comments, oldest first, with how many times each was edited.

    NotFound when `reader` may not read the record; `in_scope` says the caller has just read
    it as `reader` in this transaction (the record page), so it is not read again.
    """
    module = load_catalog(session).module(module_id)
    if not in_scope:
        record_id = get_record(session, module.id, record_id, reader).id
    counts = (
        select(CommentRevision.comment_id, func.count().label("n"))
        .group_by(CommentRevision.comment_id)
        .subquery()
    )
    rows = session.execute(
        select(RecordComment, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.comment_id == RecordComment.id)
        .where(RecordComment.module == module.id, RecordComment.record_id == record_id)
        .order_by(RecordComment.id)
    )
    return [_view(comment, int(n)) for comment, n in rows]


def comment_of(
    session: Session, module_id: str, record_id: str, comment_id: int, reader: Actor
) -> tuple[CommentView, list[RevisionView]]:
    """One comment and its earlier texts, oldest first."""
    module = load_catalog(session).module(module_id)
    record = get_record(session, module.id, record_id, reader)
    comment = _comment(session, comment_id, (module.id, record.id))
    revisions = [
        RevisionView(r.id, r.body, r.edited_by, _utc(r.edited_at))
        for r in session.scalars(
            select(CommentRevision)
            .where(CommentRevision.comment_id == comment.id)
            .order_by(CommentRevision.id)
        )
    ]
    return _view(comment, len(revisions)), revisions


def revisions_of(
    session: Session, comments: Sequence[CommentView]
) -> dict[int, list[RevisionView]]:
    """The earlier texts of comments already read (edited ones only), oldest first, by comment."""
    ids = [c.id for c in comments if c.revisions]
    found: dict[int, list[RevisionView]] = {i: [] for i in ids}
    if ids:
        rows = session.scalars(
            select(CommentRevision)
            .where(CommentRevision.comment_id.in_(ids))
            .order_by(CommentRevision.id)
        )
        for r in rows:
            found[r.comment_id].append(RevisionView(r.id, r.body, r.edited_by, _utc(r.edited_at)))
    return found
