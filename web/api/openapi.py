"""`GET /api/v1/openapi.json`: the OpenAPI 3.1 document, generated per request (web/api/spec.py).

With a token it describes what that caller may read and do; without one, every installed
module (a description of the API, not data). It is rebuilt on every request, so a pack
installed a moment ago shows at once.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from engine.catalog import load_catalog
from web.api import PREFIX
from web.api.common import language
from web.api.context import optional_session
from web.api.spec import build_spec

bp = Blueprint("openapi", __name__)


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    with optional_session() as (session, actor):
        document = build_spec(
            load_catalog(session), actor, request.script_root + PREFIX, language()
        )
    response = jsonify(document)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Authorization, Accept-Language"
    return response
