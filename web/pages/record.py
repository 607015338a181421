"""Placeholder for the record pages (built in a later step)."""

from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue
from flask_login import login_required

from web.pages import errors

record = Blueprint("record", __name__)
errors.install(record)


@record.get("/m/<module_id>/r/<record_id>")
@login_required
def show(module_id: str, record_id: str) -> ResponseReturnValue:
    abort(404)
