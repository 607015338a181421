"""`/api/docs`: Swagger UI over the generated OpenAPI document.

Swagger UI comes from the npm registry (swagger-ui-dist in package.json) and is served
from node_modules: through the pages' `/static/vendor/` route when that is registered
(web/assets.py), else by this blueprint's own route, which serves only the three files the
page needs. The page has no inline script: web/static/api/docs.js starts Swagger UI with
the document's URL from a data attribute.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, send_from_directory, url_for
from flask.typing import ResponseReturnValue

bp = Blueprint("api_docs", __name__)

PACKAGE = "swagger-ui-dist"
FILES = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js")
ROOT = Path(__file__).resolve().parents[2]


def _folder() -> Path:
    configured = current_app.config.get("FORMWORK_NODE_MODULES")
    return (Path(configured) if configured else ROOT / "node_modules") / PACKAGE


def asset_url(name: str) -> str:
    """The URL of a Swagger UI file: the shared vendor route if present, else ours."""
    if "assets.vendor" in current_app.view_functions:
        return url_for("assets.vendor", path=f"{PACKAGE}/{name}")
    return url_for("api_docs.asset", name=name)


@bp.get("/api/docs")
def docs() -> ResponseReturnValue:
    return render_template(
        "api/docs.html",
        spec_url=url_for("api.openapi.openapi"),
        css=asset_url("swagger-ui.css"),
        scripts=[asset_url("swagger-ui-bundle.js"), asset_url("swagger-ui-standalone-preset.js")],
    )


@bp.get("/api/docs/assets/<name>")
def asset(name: str) -> ResponseReturnValue:
    if name not in FILES:
        abort(404)
    return send_from_directory(_folder(), name, max_age=7 * 24 * 3600)
