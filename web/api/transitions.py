"""Workflow through the API: the transitions open on a record, firing one, votes handed on.

A refused transition answers with its reason: 409 when the record is in another state, 403
when the caller lacks the role or is not an approver, 422 when a guard fails or a required
comment is missing (see web/errors.py). An approval records the caller's vote and fires
once the quorum is reached; the answer says which (`fired`) and where the vote stands.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from engine.errors import Problem, ValidationFailed
from engine.records import get_record
from engine.workflow import (
    Progress,
    add_approver,
    apply_transition,
    available_transitions,
    delegate_vote,
)
from web.api.common import json_object, readable_module, text, version_of
from web.api.context import api_session
from web.api.operations import operation
from web.jsonio import record_json

bp = Blueprint("transitions", __name__)


def progress_json(progress: Progress | None) -> dict[str, Any] | None:
    if progress is None:
        return None
    return {
        "eligible": list(progress.eligible),
        "voted": list(progress.voted),
        "needed": progress.needed,
        "waiting_for": list(progress.waiting_for),
        "reached": progress.reached,
    }


def _comment(body: dict[str, Any]) -> str | None:
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise ValidationFailed([Problem("/comment", "not_text")])
    return comment


def _user(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise ValidationFailed([Problem(f"/{key}", "required", {"field": key})])
    return value


@bp.get("/modules/<module_id>/records/<record_id>/transitions")
@operation("transitions.options")
def options(module_id: str, record_id: str) -> ResponseReturnValue:
    """Every transition of the module on this record: available to the caller, or why not."""
    with api_session() as (session, actor):
        module = readable_module(session, actor, module_id)
        items = [
            {
                "id": option.id,
                "title": text(option.title),
                "target": option.target,
                "available": option.available,
                "reason": option.reason.message if option.reason else None,
                "reason_code": option.reason.code if option.reason else None,
                "comment": option.comment,
                "vote": option.vote,
                "progress": progress_json(option.progress),
            }
            for option in available_transitions(session, module.id, record_id, actor)
        ]
        return jsonify({"items": items})


@bp.post("/modules/<module_id>/records/<record_id>/transitions/<transition_id>")
@operation("transitions.fire")
def fire(module_id: str, record_id: str, transition_id: str) -> ResponseReturnValue:
    """Take a transition (or vote on an approval): `{"comment": .., "version": n}`, both optional."""
    with api_session() as (session, actor):
        module = readable_module(session, actor, module_id)
        body = json_object({"comment", "version"}, required=False)
        result = apply_transition(
            session,
            module.id,
            record_id,
            transition_id,
            actor,
            comment=_comment(body),
            version=version_of(body.get("version"), required=False),
        )
        record = get_record(session, module.id, record_id, actor)
        return jsonify(
            {
                "fired": result.fired,
                "transition": result.transition,
                "record": record_json(module, record),
                "progress": progress_json(result.progress),
                "notified": result.notified,
            }
        )


@bp.post("/modules/<module_id>/records/<record_id>/transitions/<transition_id>/delegate")
@operation("transitions.delegate")
def delegate(module_id: str, record_id: str, transition_id: str) -> ResponseReturnValue:
    """转交: hand the caller's vote to another user, `{"to": name, "comment": ..}`."""
    with api_session() as (session, actor):
        module = readable_module(session, actor, module_id)
        body = json_object({"to", "comment"})
        progress = delegate_vote(
            session,
            module.id,
            record_id,
            transition_id,
            actor,
            _user(body, "to"),
            comment=_comment(body),
        )
        return jsonify({"progress": progress_json(progress)})


@bp.post("/modules/<module_id>/records/<record_id>/transitions/<transition_id>/approvers")
@operation("transitions.approvers")
def approvers(module_id: str, record_id: str, transition_id: str) -> ResponseReturnValue:
    """加签: add one more approver to the open approval, `{"user": name, "comment": ..}`."""
    with api_session() as (session, actor):
        module = readable_module(session, actor, module_id)
        body = json_object({"user", "comment"})
        progress = add_approver(
            session,
            module.id,
            record_id,
            transition_id,
            actor,
            _user(body, "user"),
            comment=_comment(body),
        )
        return jsonify({"progress": progress_json(progress)}), 201
