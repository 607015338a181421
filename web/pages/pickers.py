"""Placeholder for the pickers pages (built in a later step)."""

from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue
from flask_login import login_required

from web.pages import errors

pickers = Blueprint("pickers", __name__)
errors.install(pickers)


@pickers.get("/m/<module_id>/options/<field>")
@login_required
def options(module_id: str, field: str) -> ResponseReturnValue:
    abort(404)
