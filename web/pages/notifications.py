"""The user's notifications: the bell in the navigation, the list and their preferences.

The bell is a small partial htmx fetches when a page loads and every minute, so a page's
own statements stay as they were and a count never goes stale for long. Following a
notification is a POST that marks it read and redirects to what it is about; without
JavaScript every button is a plain form. Preferences are saved all or nothing, each problem
shown at its field in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_timedelta, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from engine.errors import Problem
from engine.models import utcnow
from engine.models_notifications import Notification
from engine.notifications.center import (
    mark_read,
    notifications_of,
    open_notification,
    unread_count,
)
from engine.notifications.events import enabled_channels
from engine.notifications.preferences import (
    Preferences,
    check_preferences,
    preferences_of,
    save_preferences,
)
from engine.notifications.vocabulary import CHANNELS, EVENTS
from web.i18n import language
from web.notification_words import (
    Wording,
    channel_titles,
    describe,
    event_sentences,
    link_of,
)
from web.pages.context import actor, db, is_htmx
from web.pages.formatting import moment_text, user_text
from web.params import whole_number
from web.problems import problem_message

bp = Blueprint("notifications", __name__)

SHOWS = ("all", "unread")
ADMIN_ONLY = ("webhook_failed",)


@dataclass(frozen=True)
class Item:
    """One notification as the list shows it."""

    id: int
    event: str
    wording: Wording
    actor: str  # display name, "" for the system
    at: str  # exact, in the reader's time zone
    ago: str  # "3 hours ago"
    at_iso: str
    unread: bool
    link: str | None


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def item_of(note: Notification, now: dt.datetime) -> Item:
    who = user_text(note.actor) if note.actor else ""
    at = _aware(note.created_at)
    return Item(
        id=note.id,
        event=note.event,
        wording=describe(note, who, language()),
        actor=who,
        at=moment_text(at),
        ago=format_timedelta(at - now, add_direction=True),
        at_iso=at.isoformat(),
        unread=note.read_at is None,
        link=link_of(note),
    )


def _page_number() -> int:
    number = whole_number(request.args.get("page", "1"))
    return number if number is not None and 0 < number < 100_000 else 1


@bp.get("/notifications")
@login_required
def index() -> ResponseReturnValue:
    """The user's notifications, newest first (`?show=unread|all`, `?page=`)."""
    show = request.args.get("show", "all")
    show = show if show in SHOWS else "all"
    with db() as session:
        page = notifications_of(session, actor(), page=_page_number(), unread_only=show == "unread")
        now = utcnow()
        items = [item_of(note, now) for note in page.items]
        return render_template("notifications/index.html", items=items, page=page, show=show)


@bp.get("/notifications/bell")
def bell() -> ResponseReturnValue:
    """The bell with the unread count; 204 when signed out, so htmx leaves the page as it is."""
    if not current_user.is_authenticated:
        return "", 204
    with db() as session:
        count = unread_count(session, actor())
    response = render_template("notifications/_bell.html", count=count)
    return response, 200, {"Cache-Control": "no-store"}


@bp.post("/notifications/<int:note_id>/open")
@login_required
def open_(note_id: int) -> ResponseReturnValue:
    """Mark the notification read and go to what it is about (the list when nothing)."""
    with db() as session:
        note = open_notification(session, actor(), note_id)
        if note is None:
            abort(404)
        target = link_of(note)
    return redirect(target or url_for("notifications.index"), 303)


@bp.post("/notifications/<int:note_id>/read")
@login_required
def read(note_id: int) -> ResponseReturnValue:
    """Mark one read: htmx gets the item again (and the bell), a plain form the list."""
    with db() as session:
        note = open_notification(session, actor(), note_id)
        if note is None:
            abort(404)
        if not is_htmx():
            return redirect(_back(), 303)
        item = item_of(note, utcnow())
        count = unread_count(session, actor())
        return render_template("notifications/_read.html", item=item, count=count)


@bp.post("/notifications/read-all")
@login_required
def read_all() -> ResponseReturnValue:
    with db() as session:
        marked = mark_read(session, actor())
    flash(
        ngettext("%(num)s notification marked read.", "%(num)s notifications marked read.", marked),
        "success",
    )
    return redirect(_back(), 303)


def _back() -> str:
    """The list as it was shown (its filter and page), never another site."""
    show = request.form.get("show")
    page = whole_number(request.form.get("page", ""))
    args: dict[str, Any] = {}
    if show in SHOWS and show != "all":
        args["show"] = show
    if page is not None and 1 < page < 100_000:
        args["page"] = page
    return url_for("notifications.index", **args)


# -- preferences ---------------------------------------------------------------------------


def _from_form(form: MultiDict[str, str], kept: Preferences) -> tuple[Preferences, list[Problem]]:
    """The choices of the form, and what could not even be read (the hour)."""
    raw_hour = (form.get("digest_hour") or "").strip()
    found: list[Problem] = []
    hour = whole_number(raw_hour)
    if hour is None or hour > 99:
        hour = kept.digest_hour
        found.append(Problem("/notifications/digest_hour", "not_an_hour", {"value": raw_hour}))
    offered = set(enabled_channels_now())
    # a channel the administrator has not set up cannot be chosen (an unknown one is refused)
    chosen = [c for c in form.getlist("channels") if c in offered or c not in CHANNELS]
    kept_off = [c for c in kept.channels if c not in offered]  # not offered: left as they were
    events = shown_events()
    unticked = {e for e in events if e not in form.getlist("events")}
    wanted = Preferences(
        email=(form.get("email") or "").strip() or None,
        mobile=(form.get("mobile") or "").strip() or None,
        language=form.get("language") or "",
        muted=frozenset(unticked | (kept.muted - set(events))),  # not offered: left as they were
        channels=tuple(dict.fromkeys([*chosen, *kept_off])),
        quiet_from=(form.get("quiet_from") or "").strip() or None,
        quiet_to=(form.get("quiet_to") or "").strip() or None,
        digest=form.get("digest") == "on",
        digest_hour=hour,
    )
    return wanted, found


def shown_events() -> tuple[str, ...]:
    """The events offered: a failed webhook is only ever told to administrators."""
    admin_only = () if actor().is_admin else ADMIN_ONLY
    return tuple(e for e in EVENTS if e not in admin_only)


def enabled_channels_now() -> set[str]:
    with db() as session:
        return enabled_channels(session)


def _errors(problems: Sequence[Problem]) -> dict[str, str]:
    """Input name → the problems about it, in the reader's language."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        name = problem.path.removeprefix("/notifications/").split("/", 1)[0]
        errors.setdefault(name, []).append(problem_message(problem))
    return {name: " ".join(messages) for name, messages in errors.items()}


def _preferences_page(
    prefs: Preferences, errors: Mapping[str, str], status: int, raw_hour: str | None = None
) -> ResponseReturnValue:
    body = render_template(
        "notifications/preferences.html",
        prefs=prefs,
        errors=errors,
        raw_hour=str(prefs.digest_hour) if raw_hour is None else raw_hour,
        events=shown_events(),
        sentences=event_sentences(),
        channels=CHANNELS,
        channel_titles=channel_titles(),
        offered=enabled_channels_now(),
    )
    return body, status, {"Cache-Control": "no-store"}


@bp.get("/notifications/preferences")
@login_required
def preferences() -> ResponseReturnValue:
    with db() as session:
        prefs = preferences_of(session, actor().user_id)
    return _preferences_page(prefs, {}, 200)


@bp.post("/notifications/preferences")
@login_required
def save() -> ResponseReturnValue:
    """Save every choice, or none: each problem at its field, a 422."""
    with db() as session:
        user_id = actor().user_id
        if user_id is None:
            abort(403)
        wanted, unread_problems = _from_form(request.form, preferences_of(session, user_id))
        problems = unread_problems + check_preferences(wanted)
        if problems:
            raw = (request.form.get("digest_hour") or "").strip()
            return _preferences_page(wanted, _errors(problems), 422, raw_hour=raw)
        save_preferences(session, user_id, wanted)
    flash(_("Your notification preferences were saved."), "success")
    return redirect(url_for("notifications.preferences"), 303)
