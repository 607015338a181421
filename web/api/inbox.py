"""The caller's inbox: records waiting for their vote or transition, copied to them, overdue."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from engine.catalog import load_catalog
from engine.workflow import inbox as engine_inbox
from web.api.context import api_session
from web.api.operations import operation
from web.jsonio import record_json

bp = Blueprint("inbox", __name__)


@bp.get("/inbox")
@operation("inbox")
def inbox() -> ResponseReturnValue:
    with api_session() as (session, actor):
        catalog = load_catalog(session)
        box = engine_inbox(session, actor)
        items = [
            {
                "record": record_json(catalog.modules[item.record.module], item.record),
                "reason": item.reason,
                "transitions": item.transitions,
                "overdue": item.overdue,
                "due_at": item.due_at,
            }
            for item in box.items
        ]
        return jsonify({"items": items, "counts": box.counts})
