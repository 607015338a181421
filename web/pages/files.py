"""Attachment downloads, through the record: whoever may read the record and the field.

The file is sent as an attachment (Content-Disposition with the original name, UTF-8 safe)
and `nosniff`, so even an HTML file uploaded to a field without an accept list is never
shown as a page of this site. The bytes stream from the app's store (a local folder or a
bucket, web/pages/uploads.py), so any server behind the load balancer can answer.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, send_file
from flask.typing import ResponseReturnValue
from flask_login import login_required

from engine.attachments import Reference
from engine.records import get_record
from web.pages import uploads
from web.pages.context import actor, db
from web.pages.uploads import file_store, parse_reference

bp = Blueprint("files", __name__)
# the store is opened with the blueprint, so a bucket that cannot be used stops the app at once
bp.record_once(lambda state: uploads.init_app(state.app))


@bp.get("/m/<module_id>/r/<record_id>/files/<field>")
@login_required
def download(module_id: str, record_id: str, field: str) -> ResponseReturnValue:
    """The file a record's attachment field refers to."""
    with db() as session:
        record = get_record(session, module_id, record_id, actor())
        from engine.catalog import load_catalog

        f = load_catalog(session).module(module_id).field(field)
    if f is None or not f.kind_type.holds_files or field not in record.data:
        abort(404)
    reference = parse_reference(record.data.get(field))
    if reference is None:
        abort(404)
    response = attachment_response(reference)
    if response is None:
        abort(404)
    return response


def attachment_response(reference: Reference) -> Response | None:
    """The stored file of `reference` as a download under its own name, `nosniff` and not
    cached; None when the store no longer has it. Record and comment files both go here."""
    store = file_store()
    size = store.size(reference.file)
    stream = store.open(reference.file) if size is not None else None
    if size is None or stream is None:
        return None
    response = send_file(
        stream,
        mimetype=reference.type or "application/octet-stream",
        as_attachment=True,
        download_name=reference.name,
        max_age=0,
        conditional=False,
    )
    response.content_length = size
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
