"""Notifications in the admin console: the channels' set-up and the delivery log.

A card per channel: e-mail (its server comes from the environment and is only shown) and
the WeCom, DingTalk and Feishu robots (URL, secret, private address allowed or not). A save
calls engine/notifications/channels.py, which checks it and writes the admin trail; a refused
one shows each problem beside its input (422, nothing stored). "Send a test message" sends
one message in this request, with the sender's timeouts, to the administrator's own address
or the robot's group, and says what came back. Below, the log of every send, filtered by
status and channel, a page at a time; a failed send can be sent again (kept in the audit
trail).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from engine.admin_log import log_admin_action
from engine.errors import Problem, ValidationFailed
from engine.models_notifications import Notification, NotificationSend
from engine.notifications import CHANNELS
from engine.notifications.channels import channel_setups, save_channel
from engine.notifications.delivery import STATUSES, delivery_log, retry_send
from engine.notifications.outgoing import SendFailed
from web.admin.guard import admin_blueprint
from web.admin.webhooks import module_titles
from web.notification_words import channel_titles
from web.pages.context import db
from web.params import whole_number
from web.problems import problem_message

bp = admin_blueprint("admin_notifications", __name__, url_prefix="/admin/notifications")

FILTERS = ("page", "status", "channel")  # the log's query arguments


def status_labels() -> dict[str, str]:
    return {
        "pending": _("Waiting"),
        "sending": _("Sending"),
        "sent": _("Sent"),
        "failed": _("Failed"),
        "dropped": _("Dropped"),
        "digest": _("In the daily digest"),
    }


def event_labels() -> dict[str, str]:
    return {
        "task": _("Waiting for you"),
        "decision": _("Decision"),
        "copied": _("Copied to you"),
        "due_soon": _("Due soon"),
        "overdue": _("Overdue"),
        "mention": _("Mention"),
        "comment": _("Comment"),
        "import_failed": _("Import failed"),
        "webhook_failed": _("Webhook failed"),
    }


def _filters() -> dict[str, Any]:
    """The log's filters from the query string; an unknown value is ignored, not an error."""
    page = whole_number(request.args.get("page", "1"))
    status = request.args.get("status", "")
    channel = request.args.get("channel", "")
    return {
        "page": page if page is not None and page >= 1 else 1,
        "status": status if status in STATUSES else None,
        "channel": channel if channel in CHANNELS else None,
    }


def _form_errors(problems: Sequence[Problem]) -> dict[str, str]:
    """Input name → the translated problems about it ("/url" belongs to "url")."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        name = problem.path.strip("/").split("/", 1)[0] or "enabled"
        errors.setdefault(name, []).append(problem_message(problem))
    return {name: " ".join(messages) for name, messages in errors.items()}


def _smtp_timeout() -> str:
    """FORMWORK_SMTP_TIMEOUT in seconds as the e-mail sender reads it (its default when the
    settings cannot be read: the e-mail card says what is wrong)."""
    from engine.notifications.settings import NotificationSettings, settings_from_env

    try:
        seconds = settings_from_env().smtp_timeout
    except ValueError:
        seconds = NotificationSettings().smtp_timeout
    return f"{seconds:g}"


def _render(
    errors: Mapping[str, Mapping[str, str]] | None = None,
    values: Mapping[str, Mapping[str, Any]] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    filters = _filters()
    with db() as session:
        page = render_template(
            "admin/notifications/index.html",
            setups=channel_setups(session),
            errors=errors or {},
            values=values or {},
            log=delivery_log(session, **filters),
            filters=filters,
            statuses=STATUSES,
            channels=CHANNELS,
            channel_names=channel_titles(),
            status_names=status_labels(),
            event_names=event_labels(),
            titles=module_titles(),
            smtp_timeout=_smtp_timeout(),
        )
    return page, status


@bp.get("/")
def index() -> ResponseReturnValue:
    return _render()


@bp.post("/channels/<channel>")
def save(channel: str) -> ResponseReturnValue:
    """Save one channel's card; a refusal shows the page again with its problems in place."""
    if channel not in CHANNELS:
        abort(404)
    form = request.form
    enabled, url = form.get("enabled") == "1", form.get("url", "").strip()
    allow_private, forget_secret = (
        form.get("allow_private") == "1",
        form.get("forget_secret") == "1",
    )
    values = {"enabled": enabled, "url": url, "allow_private": allow_private}
    values["forget_secret"] = forget_secret
    try:
        with db() as session:
            save_channel(
                session,
                channel,
                enabled=enabled,
                url=url,
                secret=form.get("secret", ""),
                forget_secret=forget_secret,
                allow_private=allow_private,
                by=current_user.name,
            )
    except ValidationFailed as refused:
        return _render({channel: _form_errors(refused.problems)}, {channel: values}, 422)
    flash(_("%(channel)s: saved.", channel=channel_titles()[channel]), "success")
    return redirect(url_for(".index", _anchor=f"channel-{channel}"), code=303)


@bp.post("/channels/<channel>/test")
def test(channel: str) -> ResponseReturnValue:
    """Send one test message now (in this request) and say what came back."""
    if channel not in CHANNELS:
        abort(404)
    from engine.notifications.trial import send_trial

    factory = current_app.extensions["formwork"].session_factory
    name = channel_titles()[channel]
    try:
        message = send_trial(
            factory,
            channel,
            user_id=current_user.actor.user_id,
            user_name=current_user.name,
            path=url_for(".index")[len(request.script_root) :],  # on FORMWORK_BASE_URL
        )
    except ValidationFailed as refused:
        reason = " ".join(problem_message(p) for p in refused.problems)
        flash(_("%(channel)s: no test was sent. %(reason)s", channel=name, reason=reason), "error")
    except SendFailed as failed:
        flash(
            _("%(channel)s: the test failed: %(error)s", channel=name, error=str(failed)), "error"
        )
    else:
        where = message.to_email if channel == "email" else _("the robot's group")
        flash(
            _("%(channel)s: a test message was sent to %(to)s.", channel=name, to=where), "success"
        )
    return redirect(url_for(".index", _anchor=f"channel-{channel}"), code=303)


@bp.post("/sends/<int:send_id>/retry")
def retry(send_id: int) -> ResponseReturnValue:
    """Send a failed one again with the next delivery round; an administrator's action, so
    the audit trail keeps who sent which again (one already waiting leaves no row)."""
    with db() as session:
        found = session.get(NotificationSend, send_id) if send_id < 2**63 else None
        before = {"status": found.status, "attempts": found.attempts} if found else None
        send = retry_send(session, send_id)
        if before is not None and send.status != before["status"]:
            note = session.get(Notification, send.notification_id)
            target = f"send {send.id}: {send.channel} to {note.user_name if note else '—'}"
            after = {"status": send.status, "attempts": send.attempts}
            by = current_user.name
            log_admin_action(session, by, "notification.resend", target, before=before, after=after)
    flash(_("Send %(id)s will be tried again by the next delivery round.", id=send_id), "success")
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k in FILTERS}
    return redirect(url_for(".index", _anchor="log", **args), code=303)
