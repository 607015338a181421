"""The end-user pages: home, module lists, forms, records, inbox, exports and attachments.

`init_app` wires everything the pages need onto the app in one call from create_app():
languages (Flask-Babel), sign-in (Flask-Login, CSRF, the sign-in limit), flask-htmx, the
front-end packages from node_modules, the page blueprints (one per file), their error
pages and the security headers of every response.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_htmx import HTMX
from werkzeug.wrappers import Response

from engine.definitions.model import Module

API_PREFIX = "/api/"

htmx = HTMX()

# Scripts only from our own origin; htmx's eval features are off (see base.html), so a
# hostile `hx-on` attribute could not run even if one slipped through escaping.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


# API answers that are not HTML (JSON, CSV, XLSX): nothing in them may load, run or be
# framed. Attachments keep their own headers (web/pages/files.py): a PDF shown in the
# browser needs its viewer, which this policy would block.
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'"


def _security_headers(response: Response) -> Response:
    """The security headers of every response, pages and API alike (the API docs page too)."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if not request.path.startswith(API_PREFIX):
            response.vary.add("HX-Request")
    elif request.path.startswith(API_PREFIX):
        headers.setdefault("Content-Security-Policy", OTHER_POLICY)
    return response


def drawn_views(module: Module) -> list[str]:
    """The view types of `module` that a page draws (blueprint `views_<type>`, endpoint
    `show`), each once, in the pack's order: the tabs beside the module's list."""
    functions = current_app.view_functions
    types = dict.fromkeys(view.type for view in module.ui.views)
    return [t for t in types if f"views_{t}.show" in functions]


def init_app(app: Flask) -> None:
    """Register the pages and their extensions on `app`."""
    from web import assets, auth, i18n, profile
    from web.pages import (
        comments,
        errors,
        exports,
        files,
        formatting,
        forms,
        home,
        imports,
        inbox,
        lists,
        notifications,
        pickers,
        prints,
        record,
        related,
        reports,
        views_calendar,
        views_gantt,
        views_kanban,
    )

    i18n.init_app(app)
    auth.init_app(app)
    profile.init_app(app)  # the profile page: own API tokens and password
    assets.init_app(app)
    htmx.init_app(app)
    formatting.init_app(app)
    for page in (
        home,
        reports,
        lists,
        exports,
        imports,
        forms,
        record,
        comments,
        related,
        inbox,
        notifications,
        pickers,
        files,
        prints,
        views_calendar,
        views_kanban,
        views_gantt,
    ):
        app.register_blueprint(page.bp)  # one blueprint per file, named `bp` as in web/api
    errors.init_app(app)
    app.jinja_env.globals["drawn_views"] = drawn_views
    app.after_request(_security_headers)
