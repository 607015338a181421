"""The admin console's front page: what is installed, who may sign in, what changed lately."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from engine.admin_log import TrailQuery, admin_events
from engine.models import InstalledPack, User, Webhook
from web.admin.guard import admin_blueprint
from web.pages.context import db

RECENT = 10

bp = admin_blueprint("admin", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    with db() as session:
        counts = {
            "packs": session.scalar(select(func.count()).select_from(InstalledPack)) or 0,
            "users": session.scalar(select(func.count()).select_from(User).where(User.active)) or 0,
            "webhooks": session.scalar(select(func.count()).select_from(Webhook)) or 0,
        }
        recent = admin_events(session, TrailQuery(per_page=RECENT)).events
        return render_template("admin/index.html", counts=counts, recent=recent)
