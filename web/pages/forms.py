"""Placeholder for the forms pages (built in a later step)."""

from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue
from flask_login import login_required

from web.pages import errors

forms = Blueprint("forms", __name__)
errors.install(forms)


@forms.get("/m/<module_id>/new")
@login_required
def new(module_id: str) -> ResponseReturnValue:
    abort(404)
