"""Placeholder for the files pages (built in a later step)."""

from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue
from flask_login import login_required

from web.pages import errors

files = Blueprint("files", __name__)
errors.install(files)


@files.get("/m/<module_id>/r/<record_id>/files/<field>")
@login_required
def download(module_id: str, record_id: str, field: str) -> ResponseReturnValue:
    abort(404)
