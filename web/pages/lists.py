"""Placeholder for the lists pages (built in a later step)."""

from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue
from flask_login import login_required

from web.pages import errors

lists = Blueprint("lists", __name__)
errors.install(lists)


@lists.get("/m/<module_id>")
@login_required
def records(module_id: str) -> ResponseReturnValue:
    abort(404)
