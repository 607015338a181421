"""Placeholder for the exports pages (built in a later step)."""

from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue
from flask_login import login_required

from web.pages import errors

exports = Blueprint("exports", __name__)
errors.install(exports)


@exports.get("/m/<module_id>/export")
@login_required
def export(module_id: str) -> ResponseReturnValue:
    abort(404)
