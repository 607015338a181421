"""The audit trail in the admin console: every administrator's action, newest first.

The events are the rows engine/admin_log.py appends in the same transaction as the change
(from the pages, the API and the command line alike); this page only reads them. Filters
travel in the query string, so a filtered trail is a link one can share. A filter that
cannot be read is said beside its input with a 422, never guessed at.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.accounts import user_labels
from engine.admin_log import ACTIONS, ALL_ACTIONS, TrailPage, TrailQuery, admin_events
from engine.errors import Problem
from web.admin.guard import admin_blueprint
from web.pages.context import db
from web.pages.formatting import moment_text
from web.pages.formdata import timezone
from web.pages.lists import page_numbers
from web.params import text_problem, whole_number
from web.problems import problem_message

bp = admin_blueprint("admin_audit", __name__, url_prefix="/admin/audit")

# The query-string parameters the page reads, in the order of its form.
PARAMS = ("actor", "action", "target", "from", "to", "page")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
MAX_TEXT = 200
MAX_PAGE = 1_000_000  # any page past the trail's last reads the last; the offset stays small
MISSING = object()


def action_labels() -> dict[str, str]:
    """Each action of the trail as people name it, in the reader's language."""
    return {
        "pack.import": _("Pack imported"),
        "pack.restore": _("Pack version restored"),
        "user.create": _("User created"),
        "user.deactivate": _("User deactivated"),
        "user.reactivate": _("User reactivated"),
        "user.password": _("Password changed"),
        "user.roles": _("User roles changed"),
        "user.update": _("User details changed"),
        "grant.add": _("Grant added"),
        "grant.remove": _("Grant removed"),
        "token.create": _("API token created"),
        "token.revoke": _("API token revoked"),
        "webhook.add": _("Webhook registered"),
        "webhook.pause": _("Webhook paused"),
        "webhook.resume": _("Webhook resumed"),
        "webhook.remove": _("Webhook removed"),
        "webhook.redeliver": _("Webhook delivery sent again"),
        "channel.save": _("Notification channel changed"),
        "notification.resend": _("Notification sent again"),
    }


def group_labels() -> dict[str, str]:
    """The groups of ACTIONS (what an action acts on), for the action filter."""
    return {
        "pack": _("Every pack change"),
        "user": _("Every user change"),
        "grant": _("Every grant change"),
        "token": _("Every API token change"),
        "webhook": _("Every webhook change"),
        "channel": _("Every notification channel change"),
        "notification": _("Every notification sent again"),
    }


def key_labels() -> dict[str, str]:
    """The keys the engine writes in before/after values, named for people."""
    return {
        "name": _("User name"),
        "display_name": _("Display name"),
        "roles": _("Roles"),
        "grants": _("Grants"),
        "active": _("Active"),
        "sessions_ended": _("Sessions ended"),
        "tokens_revoked": _("Tokens revoked"),
        "version": _("Version"),
        "changes": _("Changes"),
        "url": _("Address"),
        "module": _("Module"),
        "record_id": _("Record"),
        "events": _("Events"),
        "allow_private": _("Private addresses allowed"),
        "id": _("Id"),
        "secret": _("Secret"),
        "status": _("Status"),
        "attempts": _("Attempts"),
    }


# -- filters ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The filters as given (to fill the form again), as a query, and what was wrong."""

    values: dict[str, str]
    query: TrailQuery
    errors: dict[str, str] = field(default_factory=dict)  # parameter → message


def _date(raw: str) -> dt.date | None:
    if not ISO_DATE.fullmatch(raw):
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def read_filters(args: Mapping[str, str]) -> Filters:
    """The trail's filters from the query string; every unreadable one is reported."""
    values = {k: args.get(k, "").strip() for k in PARAMS if args.get(k, "").strip()}
    problems: dict[str, Problem] = {}
    for name in ("actor", "target"):
        code = text_problem(values.get(name, ""))
        if code is not None:
            problems[name] = Problem(f"/{name}", code)
        elif len(values.get(name, "")) > MAX_TEXT:
            problems[name] = Problem(f"/{name}", "too_many_characters", {"limit": MAX_TEXT})
    action = values.get("action")
    if action and action not in ACTIONS and action not in ALL_ACTIONS:
        problems["action"] = Problem(
            "/action", "not_a_choice", {"value": action[:40], "choices": "…"}
        )
    dates = {name: _date(values[name]) for name in ("from", "to") if name in values}
    for name, day in dates.items():
        if day is None:
            problems[name] = Problem(f"/{name}", "not_a_date")
    page = whole_number(values.get("page", "1"))
    if page is None or page < 1:
        problems["page"] = Problem("/page", "not_an_integer")
    query = TrailQuery(
        actor=values.get("actor") or None,
        action=action or None,
        target=values.get("target") or None,
        since=dates.get("from"),
        until=dates.get("to"),
        page=min(page or 1, MAX_PAGE),  # past the last page is the last page
        zone=timezone(),
    )
    errors = {name: problem_message(p) for name, p in problems.items()}
    return Filters(values, query, errors)


def trail_url(values: Mapping[str, str], **changes: Any) -> str:
    """The trail's URL with these filters and some of them changed (None drops one)."""
    merged = {**values, **{k: str(v) for k, v in changes.items() if v not in (None, "")}}
    for key, value in changes.items():
        if value in (None, ""):
            merged.pop(key, None)
    query = urlencode([(k, merged[k]) for k in PARAMS if k in merged])
    base = url_for("admin_audit.index")
    return f"{base}?{query}" if query else base


# -- before and after ---------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One line of an event's before → after: what went, what came, what stayed."""

    label: str | None
    removed: list[str]
    added: list[str]
    kept: list[str]
    link: str | None = None  # the record a grant names


def value_text(value: Any) -> str:
    """A stored before/after value as a short text (no JSON punctuation)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict):
        labels = key_labels()
        return ", ".join(f"{labels.get(k, k)}: {value_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value) or "—"
    return str(value)


def _change(label: str | None, before: Any, after: Any) -> Change | None:
    """How one value went from `before` to `after` (MISSING: it was not there)."""
    if isinstance(before, list) and isinstance(after, list):
        gone = [value_text(v) for v in before if v not in after]
        came = [value_text(v) for v in after if v not in before]
        stayed = [value_text(v) for v in after if v in before]
        return Change(label, gone, came, stayed or ([] if gone or came else ["—"]))
    if before is MISSING and after is MISSING:
        return None
    if before == after:
        return Change(label, [], [], [value_text(after)])
    removed = [] if before is MISSING or before is None else [value_text(before)]
    added = [] if after is MISSING or after is None else [value_text(after)]
    return Change(label, removed, added, [])


def _record_link(value: Mapping[str, Any]) -> str | None:
    """The record page of a grant's `{"module", "record_id"}`, if the value is one."""
    module, record_id = value.get("module"), value.get("record_id")
    if isinstance(module, str) and isinstance(record_id, str) and module and record_id:
        return url_for("record.show", module_id=module, record_id=record_id)
    return None


def event_changes(before: Any, after: Any) -> list[Change]:
    """The lines of an event's before → after: key by key for objects, item by item for
    lists (removed struck through, added highlighted), else the old value and the new."""
    if isinstance(before, dict) or isinstance(after, dict):
        old = before if isinstance(before, dict) else {}
        new = after if isinstance(after, dict) else {}
        labels = key_labels()
        keys = list(dict.fromkeys([*old, *new]))
        lines = {
            k: _change(labels.get(k, k), old.get(k, MISSING), new.get(k, MISSING)) for k in keys
        }
        record, line = _record_link({**old, **new}), lines.get("record_id")
        if record is not None and line is not None:
            lines["record_id"] = replace(line, link=record)
        return [line for line in lines.values() if line is not None]
    if before is None and after is None:
        return []
    line = _change(None, [] if before is None and isinstance(after, list) else before, after)
    return [line] if line is not None else []


# -- the page -----------------------------------------------------------------------------


def _run(filters: Filters) -> tuple[TrailPage | None, list[str]]:
    """One page of matching events (the last one when asked past it) and the actor names."""
    with db() as session:
        actors = [name for name, _display in user_labels(session)]
        if filters.errors:
            return None, actors
        trail = admin_events(session, filters.query)
        if not trail.events and trail.page > trail.pages:
            trail = admin_events(session, replace(filters.query, page=trail.pages))
        return trail, actors


@bp.get("/")
def index() -> ResponseReturnValue:
    """The trail, filtered by the query string, a page at a time.

    The form sends its empty fields too; they are dropped with a redirect, so the address
    to share names only the filters in use.
    """
    filters = read_filters(request.args)
    if any(not value.strip() for value in request.args.values()):
        return redirect(trail_url(filters.values))
    trail, actors = _run(filters)
    context = {
        "filters": filters,
        "trail": trail,
        "actors": actors,
        "actions": ACTIONS,
        "labels": action_labels(),
        "groups": group_labels(),
        "changes": event_changes,
        "moment_text": moment_text,
        "url_with": lambda **changes: trail_url(filters.values, **changes),
        "page_numbers": page_numbers(trail.page, trail.pages) if trail else [],
        "filtered": any(k != "page" for k in filters.values),
    }
    status = 422 if filters.errors else 200
    return render_template("admin/audit/index.html", **context), status
