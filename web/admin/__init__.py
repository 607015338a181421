"""The admin console: packs, users, roles, webhooks and the audit trail in the browser.

Every page here calls the same engine functions as the command line and the API, and each
blueprint refuses anyone but an administrator before its view runs (web/admin/guard.py).
"""

from __future__ import annotations

from collections.abc import KeysView

from flask import Flask, current_app


def admin_endpoints() -> KeysView[str]:
    """The endpoints the app has, so the console's tabs show only sections that exist."""
    return current_app.view_functions.keys()


def init_app(app: Flask) -> None:
    """Register the admin blueprints (one per file, named `bp` as in web/pages)."""
    from web.admin import (
        audit,
        builder,
        builder_expressions,
        builder_fields,
        builder_layout,
        builder_permissions,
        builder_preview,
        builder_publish,
        builder_reports,
        builder_views,
        builder_workflow,
        guard,
        home,
        notifications,
        pack_history,
        packs,
        roles,
        users,
        webhooks,
        workflow_diagram,
    )

    for page in (
        home,
        packs,
        roles,
        webhooks,
        notifications,
        pack_history,
        audit,
        users,
        builder,
        builder_fields,
        builder_layout,
        builder_permissions,
        builder_preview,
        builder_publish,
        builder_expressions,
        builder_reports,
        builder_workflow,
        builder_views,
        workflow_diagram,
    ):
        app.register_blueprint(page.bp)
    app.before_request(guard.guard_admin_paths)  # before routing errors (405, 404) too
    app.jinja_env.globals["admin_endpoints"] = admin_endpoints
