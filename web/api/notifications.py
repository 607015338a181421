"""The caller's notifications through the API: the list (a page at a time, unread only if
asked), marking some or all read, and their preferences.

Each notification comes with its event, its params (as the event raised them) and a
sentence in the caller's language (`text`, `detail`), worded as the pages word it. A
notification about a record the caller may no longer read is neither listed nor counted.
Preferences are written all or nothing: every wrong value is answered at its place, a 422.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale

from engine.accounts import user_labels
from engine.errors import Problem, ValidationFailed
from engine.models_notifications import Notification
from engine.notifications.center import PAGE, mark_read, notifications_of, unread_count
from engine.notifications.preferences import (
    Preferences,
    check_preferences,
    preferences_of,
    save_preferences,
)
from web.api.common import json_object
from web.api.context import api_session
from web.api.operations import operation
from web.notification_words import describe, link_of
from web.params import shown, whole_number
from web.refusals import api_language, api_locale

bp = Blueprint("notifications", __name__)

MAX_IDS = 1000  # ids one call may mark read
TEXTS = ("email", "mobile", "quiet_from", "quiet_to")
CODES = {  # the code of a value of the wrong type at each place
    "email": "not_an_email",
    "mobile": "not_a_mobile",
    "quiet_from": "not_a_time",
    "quiet_to": "not_a_time",
    "language": "unknown_language",
}
FIELDS = (*TEXTS, "language", "muted", "channels", "digest", "digest_hour")


def _moment(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()


def note_json(note: Notification, names: Mapping[str, str]) -> dict[str, Any]:
    who = names.get(note.actor or "", note.actor or "")
    wording = describe(note, who, api_language())
    return {
        "id": note.id,
        "event": note.event,
        "module": note.module,
        "record_id": note.record_id,
        "actor": note.actor,
        "params": note.params or {},
        "text": wording.headline,
        "detail": wording.detail,
        "link": link_of(note),
        "created_at": _moment(note.created_at),
        "read_at": _moment(note.read_at),
    }


def _list_args() -> tuple[int, bool]:
    problems: list[Problem] = []
    raw_page = request.args.get("page", "1")
    page = whole_number(raw_page)
    if page is None or not 1 <= page <= 10_000_000:
        problems.append(Problem("page", "not_an_integer", {"value": shown(raw_page)}))
    raw_unread = request.args.get("unread", "0").lower()
    if raw_unread not in ("0", "1", "true", "false"):
        problems.append(Problem("unread", "not_a_boolean", {"value": shown(raw_unread)}))
    if problems:
        raise ValidationFailed(problems)
    return page or 1, raw_unread in ("1", "true")


@bp.get("/notifications")
@operation("notifications.list")
def list_() -> ResponseReturnValue:
    page_number, unread_only = _list_args()
    with api_session() as (session, actor):
        page = notifications_of(session, actor, page=page_number, unread_only=unread_only)
        names = {name: display or name for name, display in user_labels(session)}
        with force_locale(api_locale()):
            items = [note_json(note, names) for note in page.items]
        return jsonify(
            {
                "items": items,
                "unread": page.unread,
                "page": page.page,
                "per_page": PAGE,
                "more": page.more,
            }
        )


def _ids(body: Mapping[str, Any]) -> list[int] | None:
    """The ids to mark (None: all), each wrong one refused at its place."""
    if "all" in body and "ids" in body:
        raise ValidationFailed([Problem("/ids", "unknown_key", {"key": "ids"})])
    if "all" in body:
        if body["all"] is not True:
            raise ValidationFailed([Problem("/all", "not_a_boolean", {"value": body["all"]})])
        return None
    ids = body.get("ids")
    if ids is None:
        raise ValidationFailed([Problem("/ids", "required", {"field": "ids"})])
    if not isinstance(ids, list) or len(ids) > MAX_IDS:
        raise ValidationFailed([Problem("/ids", "not_a_list", {"items": "ids"})])
    problems = [
        Problem(f"/ids/{index}", "not_an_integer", {"value": shown(value)})
        for index, value in enumerate(ids)
        if isinstance(value, bool) or whole_number(value) is None
    ]
    if problems:
        raise ValidationFailed(problems)
    return [int(value) for value in ids]


@bp.post("/notifications/read")
@operation("notifications.read")
def read() -> ResponseReturnValue:
    """`{"ids": [..]}` or `{"all": true}` → how many were marked and how many stay unread."""
    with api_session() as (session, actor):
        ids = _ids(json_object({"ids", "all"}))
        marked = mark_read(session, actor, ids)
        return jsonify({"marked": marked, "unread": unread_count(session, actor)})


def preferences_json(prefs: Preferences) -> dict[str, Any]:
    values = asdict(prefs)
    values["muted"] = sorted(prefs.muted)
    values["channels"] = list(prefs.channels)
    return values


@bp.get("/notifications/preferences")
@operation("notifications.preferences")
def preferences() -> ResponseReturnValue:
    with api_session() as (session, actor):
        return jsonify(preferences_json(preferences_of(session, actor.user_id)))


def _typed(body: Mapping[str, Any], current: Preferences) -> tuple[dict[str, Any], list[Problem]]:
    """The body's values over the current ones, each of the wrong JSON type refused."""
    values = asdict(current)
    problems: list[Problem] = []
    for key, value in body.items():
        path = f"/{key}"
        if key in CODES and not isinstance(value, str) and (value is not None or key == "language"):
            problems.append(Problem(path, CODES[key], {"value": shown(value)}))
        elif key in ("muted", "channels") and (
            not isinstance(value, list) or not all(isinstance(v, str) for v in value)
        ):
            problems.append(Problem(path, "not_a_list", {"items": key}))
        elif key == "digest" and not isinstance(value, bool):
            problems.append(Problem(path, "not_a_boolean", {"value": shown(value)}))
        elif key == "digest_hour" and (isinstance(value, bool) or not isinstance(value, int)):
            problems.append(Problem(path, "not_an_hour", {"value": shown(value)}))
        elif key in TEXTS:
            values[key] = value.strip() or None if value else None
        else:
            values[key] = value
    return values, problems


@bp.put("/notifications/preferences")
@operation("notifications.save_preferences")
def save() -> ResponseReturnValue:
    """The caller's preferences; keys left out keep their value. 422 naming each wrong one."""
    with api_session() as (session, actor):
        user_id = actor.user_id
        assert user_id is not None  # a token always belongs to a user
        values, problems = _typed(json_object(FIELDS), preferences_of(session, user_id))
        wanted = Preferences(
            **values | {"muted": frozenset(values["muted"]), "channels": tuple(values["channels"])}
        )
        refused = {p.path for p in problems}  # a value of the wrong type is said once
        for problem in check_preferences(wanted):
            path = "/" + problem.path.removeprefix("/notifications/")
            if path not in refused:
                problems.append(Problem(path, problem.code, problem.params))
        if problems:
            raise ValidationFailed(problems)
        save_preferences(session, user_id, wanted)
        return jsonify(preferences_json(preferences_of(session, user_id)))
