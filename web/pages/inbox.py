"""Placeholder for the inbox pages (built in a later step)."""

from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue
from flask_login import login_required

from web.pages import errors

inbox = Blueprint("inbox", __name__)
errors.install(inbox)


@inbox.get("/inbox")
@login_required
def index() -> ResponseReturnValue:
    abort(404)
