"""Files attached to a comment: stored and checked like an attachment field's uploads.

A comment's file passes the checks of engine/attachments.py (not empty, its type sniffed
from the content, at most the upload limit) and is registered in `uploads` for the writer,
under the module and the pseudo-field `$comment`; a comment accepts only references its
author uploaded there, unchanged. Downloads go through the record's read check.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import attachments
from engine.actor import Actor
from engine.attachments import FileStore, Reference, parse_reference
from engine.errors import PermissionDenied, Problem
from engine.models import Upload
from engine.records import get_record

FIELD = "$comment"  # the uploads' field of files attached to comments
MAX_FILES = 10


def store_comment_file(
    session: Session,
    store: FileStore,
    module_id: str,
    record_id: str,
    actor: Actor,
    stream: IO[bytes],
    filename: str,
    limit: int = attachments.DEFAULT_MAX_BYTES,
) -> Reference:
    """Check and store a file for a comment on a record the actor may read; NotFound else."""
    record = get_record(session, module_id, record_id, actor)
    if actor.user_id is None:
        raise PermissionDenied(code="sign_in_to_upload")
    return attachments.save_upload(
        session, store, actor, record.module, FIELD, "/files", stream, filename, limit
    )


def checked_files(
    session: Session, module_id: str, actor: Actor, values: Sequence[object]
) -> tuple[list[Reference], list[Problem]]:
    """The references `values` give, if each is an upload of the actor for comments here."""
    if len(values) > MAX_FILES:
        return [], [Problem("/attachments", "too_many_files", {"limit": MAX_FILES})]
    references: list[Reference] = []
    problems: list[Problem] = []
    parsed = [parse_reference(v) for v in values]
    ids = [r.file for r in parsed if r is not None]
    uploads = {
        u.id: u
        for u in session.scalars(select(Upload).where(Upload.id.in_(ids)))
        if u.user_id == actor.user_id and u.module == module_id and u.field == FIELD
    }
    for index, reference in enumerate(parsed):
        upload = uploads.get(reference.file) if reference is not None else None
        if reference is None or upload is None:
            problems.append(Problem(f"/attachments/{index}", "not_uploaded"))
        elif (upload.name, upload.type, upload.size) != (
            reference.name,
            reference.type,
            reference.size,
        ):
            problems.append(Problem(f"/attachments/{index}", "upload_changed"))
        else:
            references.append(reference)
    return references, problems
