"""`GET /api/v1/openapi.json`: the OpenAPI 3.1 document, generated per request (web/api/spec.py).

Its paths are the API blueprint's routes (web/api/operations.py). With a token it describes
what that caller may read and do; a browser signed in to the pages (the docs page) gets what
its user may read; an anonymous caller gets the routes only, never the modules and fields a
firm has installed. It is rebuilt on every request, so a pack installed a moment ago shows at
once.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from engine.actor import Actor
from engine.catalog import load_catalog
from web.api.common import PREFIX, language
from web.api.context import optional_session
from web.api.operations import api_routes, operation
from web.api.spec import build_spec

bp = Blueprint("openapi", __name__)


def _browser_actor() -> Actor | None:
    """The user signed in to the pages, for the docs page; anonymous otherwise (reads only)."""
    from flask_login import current_user

    if getattr(current_user, "is_authenticated", False):
        return current_user.actor
    return None


@bp.get("/openapi.json")
@operation("openapi")
def openapi() -> ResponseReturnValue:
    with optional_session() as (session, actor):
        if actor is None:
            actor = _browser_actor()
        server = request.script_root + PREFIX
        routes = api_routes(current_app)
        document = build_spec(load_catalog(session), actor, server, routes, language())
    response = jsonify(document)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Authorization, Accept-Language"
    return response
