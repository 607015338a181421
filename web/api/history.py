"""A record's history: every change, transition and vote, oldest first.

Values of fields hidden from the caller are masked (`engine.audit.visible_history`); a
record outside the caller's scope answers 404, like one that never existed.
"""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from engine.audit import visible_history
from web.api.common import readable_module
from web.api.context import api_session
from web.api.operations import operation

bp = Blueprint("history", __name__)


@bp.get("/modules/<module_id>/records/<record_id>/history")
@operation("records.history")
def history(module_id: str, record_id: str) -> ResponseReturnValue:
    with api_session() as (session, actor):
        module = readable_module(session, actor, module_id)
        items = visible_history(session, module.id, record_id, actor)
        return jsonify({"items": items})
