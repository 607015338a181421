"""Webhooks in the admin console: register, test-send, pause, resume, remove, the log.

Each action calls the engine function the command line and the API call, which also
writes the admin trail. A refused registration shows each coded problem beside its input
(422, nothing stored); the signing secret is shown once, on a page that is not cached.
Removing asks for confirmation on a page of its own, so it works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from engine import webhooks
from engine.catalog import load_catalog
from engine.errors import Problem, ValidationFailed
from web.admin.guard import admin_blueprint
from web.i18n import text
from web.pages.context import db
from web.params import whole_number
from web.problems import problem_message

bp = admin_blueprint("admin_webhooks", __name__, url_prefix="/admin/webhooks")

PER_PAGE = 25


def event_labels() -> dict[str, str]:
    """Each event a webhook may receive, as the reader says it."""
    return {
        "created": _("Record created"),
        "updated": _("Record updated"),
        "deleted": _("Record deleted"),
        "transition": _("Transition fired"),
        "state_entered": _("State entered"),
        "ping": _("Test ping"),
    }


def module_titles() -> dict[str, str]:
    """Module id → its title in the reader's language, in pack order."""
    with db() as session:
        return {m.id: text(m.title) or m.id for m in load_catalog(session).modules.values()}


def _form_errors(problems: Sequence[Problem]) -> dict[str, str]:
    """Input name → the translated problems about it ("/events/1" belongs to "events")."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        name = problem.path.strip("/").split("/", 1)[0] or "url"
        errors.setdefault(name, []).append(problem_message(problem))
    return {name: " ".join(messages) for name, messages in errors.items()}


def _render_form(
    values: Mapping[str, object], errors: Mapping[str, str], status: int
) -> tuple[str, int]:
    page = render_template(
        "admin/webhooks/new.html",
        values=values,
        errors=errors,
        titles=module_titles(),
        events=webhooks.EVENTS,
        labels=event_labels(),
    )
    return page, status


@bp.get("/")
def index() -> ResponseReturnValue:
    """The webhooks in use, each with its latest delivery; the removed ones below."""
    with db() as session:
        return render_template(
            "admin/webhooks/index.html",
            hooks=webhooks.list_webhooks(session),
            removed=webhooks.list_webhooks(session, removed=True),
            standings=webhooks.standings(session),
            titles=module_titles(),
            labels=event_labels(),
        )


@bp.get("/new")
def new() -> ResponseReturnValue:
    return _render_form({"events": []}, {}, 200)


@bp.post("/new")
def create() -> ResponseReturnValue:
    """Register; the secret is shown once, on this answer only (never cached)."""
    form = request.form
    values = {
        "url": form.get("url", "").strip(),
        "module": form.get("module", "") or None,
        "events": form.getlist("events"),
        "allow_private": form.get("allow_private") == "1",
    }
    try:
        with db() as session:
            hook = webhooks.add_webhook(
                session,
                str(values["url"]),
                form.getlist("events"),
                module=form.get("module", "") or None,
                allow_private=bool(values["allow_private"]),
                by=current_user.name,
            )
            body = render_template(
                "admin/webhooks/created.html",
                hook=hook,
                titles=module_titles(),
                labels=event_labels(),
            )
    except ValidationFailed as refused:
        return _render_form(values, _form_errors(refused.problems), 422)
    response = make_response(body, 201)
    response.headers["Cache-Control"] = "no-store"
    return response


def _page_number() -> int:
    page = whole_number(request.args.get("page", "1"))
    return page if page is not None and page >= 1 else 1


@bp.get("/<int:webhook_id>")
def show(webhook_id: int) -> ResponseReturnValue:
    """One webhook and its delivery log, a page at a time (`?page=`), newest first."""
    with db() as session:
        hook = webhooks.get_webhook(session, webhook_id)
        log = webhooks.message_log(session, webhook_id, page=_page_number(), per_page=PER_PAGE)
        return render_template(
            "admin/webhooks/show.html",
            hook=hook,
            log=log,
            titles=module_titles(),
            labels=event_labels(),
        )


@bp.post("/<int:webhook_id>/pause")
def pause(webhook_id: int) -> ResponseReturnValue:
    with db() as session:
        webhooks.pause_webhook(session, webhook_id, by=current_user.name)
    flash(_("Webhook %(id)s is paused: its events wait until you resume it.", id=webhook_id))
    return redirect(url_for(".index"), code=303)


@bp.post("/<int:webhook_id>/resume")
def resume(webhook_id: int) -> ResponseReturnValue:
    with db() as session:
        webhooks.resume_webhook(session, webhook_id, by=current_user.name)
    flash(_("Webhook %(id)s is active again: what waited is sent first.", id=webhook_id))
    return redirect(url_for(".index"), code=303)


@bp.route("/<int:webhook_id>/remove", methods=["GET", "POST"])
def remove(webhook_id: int) -> ResponseReturnValue:
    """A confirmation page; only its own button (`confirm=yes`) removes the webhook."""
    if request.method == "POST" and request.form.get("confirm") == "yes":
        with db() as session:
            webhooks.remove_webhook(session, webhook_id, by=current_user.name)
        flash(_("Webhook %(id)s was removed. Its log stays readable.", id=webhook_id))
        return redirect(url_for(".index"), code=303)
    with db() as session:
        hook = webhooks.live_webhook(session, webhook_id)
        waiting = webhooks.standings(session).get(hook.id)
        return render_template(
            "admin/webhooks/remove.html",
            hook=hook,
            waiting=waiting.waiting if waiting else 0,
            titles=module_titles(),
            labels=event_labels(),
        )


@bp.post("/<int:webhook_id>/test")
def test(webhook_id: int) -> ResponseReturnValue:
    """Send a signed ping now, outside the request's transaction, and say what came back."""
    factory = current_app.extensions["formwork"].session_factory
    result = webhooks.send_ping(factory, webhook_id, by=current_user.name)
    answer = result.answer
    if answer.ok:
        flash(_("The receiver answered %(code)s.", code=answer.status), "success")
    elif answer.status is not None:
        flash(_("The receiver answered %(code)s, not a success.", code=answer.status), "error")
    else:
        reason = problem_message(answer.refusal) if answer.refusal else answer.error
        flash(_("No answer: %(error)s", error=reason or ""), "error")
    return redirect(url_for(".show", webhook_id=webhook_id), code=303)


@bp.post("/<int:webhook_id>/events/<int:message_id>/redeliver")
def redeliver(webhook_id: int, message_id: int) -> ResponseReturnValue:
    """Send a delivered or failed event again (one still waiting is left as it is)."""
    with db() as session:
        webhooks.redeliver(session, webhook_id, message_id, by=current_user.name)
    flash(_("Event %(id)s will be sent again by the next delivery round.", id=message_id))
    return redirect(url_for(".show", webhook_id=webhook_id, page=_page_number()), code=303)
