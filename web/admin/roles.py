"""Roles in the admin console: every role the installed packs declare, who holds it, and
what it may do in each module — read-only here (the builder edits permissions).

The matrix comes from engine/role_matrix.py, which reads the same compiled permissions the
services enforce.
"""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from engine.catalog import load_catalog
from engine.role_matrix import ACTIONS, get_role, list_roles, role_matrix
from web.admin.guard import admin_blueprint
from web.pages.context import db

bp = admin_blueprint("admin_roles", __name__, url_prefix="/admin/roles")


@bp.get("/")
def index() -> ResponseReturnValue:
    """The roles with how many active users hold each."""
    with db() as session:
        return render_template("admin/roles/index.html", roles=list_roles(session))


@bp.get("/<role_id>")
def show(role_id: str) -> ResponseReturnValue:
    """One role: its users and its matrix, a row per module."""
    with db() as session:
        role = get_role(session, role_id)
        rows = role_matrix(load_catalog(session), role.id)
        return render_template("admin/roles/show.html", role=role, rows=rows, actions=ACTIONS)
