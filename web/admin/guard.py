"""Only administrators past this point: every admin blueprint is made here.

The check runs before any view of the blueprint, so a page added later cannot forget it.
Visitors are sent to sign in; signed-in users who are not administrators get a plain 403
that does not say what is behind it.
"""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from web.auth import login_manager


def _require_admin() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.actor.is_admin:
        abort(403)
    return None


def guard_admin_paths() -> ResponseReturnValue | None:
    """The same check for every path under /admin/, matched or not, so that a method or a
    page that does not exist answers a non-administrator 403 too (never 405 or 404)."""
    if request.path == "/admin" or request.path.startswith("/admin/"):
        return _require_admin()
    return None


def admin_blueprint(name: str, import_name: str, url_prefix: str = "/admin") -> Blueprint:
    """A blueprint whose every view is for administrators only."""
    bp = Blueprint(name, import_name, url_prefix=url_prefix)
    bp.before_request(_require_admin)
    return bp
