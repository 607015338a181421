"""A notification as the reader reads it in the app: one sentence of what happened, a line
of detail (the comment, the excerpt, the error) and where it leads.

The notification keeps only its event and params (engine/notifications/events.py; pack text
as {"en", "zh-CN"} dicts), so it is worded here, at the edge, in the language of the request
— the page's or the API caller's. Every value is returned as plain text and escaped where it
is shown: a title holding HTML or template braces stays text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import gettext as _

from engine.i18n import localize
from engine.models_notifications import Notification
from web.pages.formatting import moment_text

Params = Mapping[str, Any]


@dataclass(frozen=True)
class Wording:
    headline: str  # what happened, one sentence
    detail: str  # the comment, excerpt, message or error ("" when none)


def _plain(value: Any, language: str) -> str:
    """Pack text or plain text from params as a string, whatever shape it came in."""
    if isinstance(value, Mapping):
        return str(localize(dict(value), language) or "")
    return "" if value is None else str(value)


def _moment(value: Any) -> str:
    return moment_text(value) if isinstance(value, str) and value else ""


def _task(p: Params, who: str, lang: str) -> Wording:
    title, step = _plain(p.get("title"), lang), _plain(p.get("transition_label"), lang)
    if p.get("kind") == "vote":
        headline = _("%(title)s waits for your approval.", title=title)
    else:
        headline = _("%(title)s waits for your step: %(step)s.", title=title, step=step)
    due = _moment(p.get("due_at"))
    state = _plain(p.get("state_label"), lang)
    detail = _("State: %(state)s. Due %(due)s.", state=state, due=due) if due else state
    return Wording(headline, detail)


def _decision(p: Params, who: str, lang: str) -> Wording:
    title, step = _plain(p.get("title"), lang), _plain(p.get("transition_label"), lang)
    outcome = p.get("outcome")
    if outcome == "approved":
        headline = _("%(who)s approved %(title)s.", who=who, title=title)
    elif outcome == "rejected":
        headline = _("%(who)s rejected %(title)s.", who=who, title=title)
    elif outcome == "returned":
        headline = _("%(who)s sent %(title)s back to you.", who=who, title=title)
    else:
        headline = _("%(who)s moved %(title)s: %(step)s.", who=who, title=title, step=step)
    return Wording(headline, _plain(p.get("comment"), lang))


def _copied(p: Params, who: str, lang: str) -> Wording:
    title, step = _plain(p.get("title"), lang), _plain(p.get("transition_label"), lang)
    headline = _("%(who)s copied %(title)s to you (%(step)s).", who=who, title=title, step=step)
    message = _plain(p.get("message"), lang) or _plain(p.get("comment"), lang)
    return Wording(headline, message)


def _due_soon(p: Params, who: str, lang: str) -> Wording:
    title, due = _plain(p.get("title"), lang), _moment(p.get("due_at"))
    return Wording(
        _("%(title)s is due %(due)s.", title=title, due=due), _plain(p.get("state_label"), lang)
    )


def _overdue(p: Params, who: str, lang: str) -> Wording:
    title, due = _plain(p.get("title"), lang), _moment(p.get("due_at"))
    return Wording(
        _("%(title)s is overdue since %(due)s.", title=title, due=due),
        _plain(p.get("state_label"), lang),
    )


def _mention(p: Params, who: str, lang: str) -> Wording:
    title = _plain(p.get("title"), lang)
    headline = _("%(who)s mentioned you on %(title)s.", who=who, title=title)
    return Wording(headline, _plain(p.get("excerpt"), lang))


def _comment(p: Params, who: str, lang: str) -> Wording:
    title = _plain(p.get("title"), lang)
    headline = _("%(who)s commented on %(title)s.", who=who, title=title)
    return Wording(headline, _plain(p.get("excerpt"), lang))


def _import_failed(p: Params, who: str, lang: str) -> Wording:
    headline = _(
        "The import of %(file)s into %(module)s failed.",
        file=_plain(p.get("file_name"), lang),
        module=_plain(p.get("module_title"), lang),
    )
    return Wording(headline, _plain(p.get("error"), lang))


def _webhook_failed(p: Params, who: str, lang: str) -> Wording:
    headline = _(
        "A webhook delivery to %(url)s failed (%(event)s).",
        url=_plain(p.get("url"), lang),
        event=_plain(p.get("event"), lang),
    )
    return Wording(headline, _plain(p.get("error"), lang))


WORDINGS: dict[str, Callable[[Params, str, str], Wording]] = {
    "task": _task,
    "decision": _decision,
    "copied": _copied,
    "due_soon": _due_soon,
    "overdue": _overdue,
    "mention": _mention,
    "comment": _comment,
    "import_failed": _import_failed,
    "webhook_failed": _webhook_failed,
}


def describe(note: Notification, who: str, language: str) -> Wording:
    """The note worded in the current locale; `who` is the actor's display name."""
    params: Params = note.params or {}
    word = WORDINGS.get(note.event)
    if word is None:
        return Wording(note.event, "")
    return word(params, who or _("The system"), language)


def event_sentences() -> dict[str, str]:
    """What each event is, for the reader choosing which they want."""
    return {
        "task": _("A record waits for my approval or my step"),
        "decision": _("My record was approved, rejected, sent back or moved on"),
        "copied": _("A record was copied to me"),
        "due_soon": _("A record of mine is due within a day"),
        "overdue": _("A record of mine is overdue"),
        "mention": _("Someone mentioned me in a comment"),
        "comment": _("Someone commented on a record of mine"),
        "import_failed": _("An import I started or look after failed"),
        "webhook_failed": _("A webhook delivery was given up"),
    }


def channel_titles() -> dict[str, str]:
    return {
        "email": _("E-mail"),
        "wecom": _("WeCom robot"),
        "dingtalk": _("DingTalk robot"),
        "feishu": _("Feishu robot"),
    }


def link_of(note: Notification) -> str | None:
    """The page the note is about (a record, an import, a webhook), or None."""
    params: Params = note.params or {}
    if note.event == "import_failed":
        job_id = params.get("job_id")
        if note.module and isinstance(job_id, int):
            return url_for("imports.job", module_id=note.module, job_id=job_id)
        return None
    if note.event == "webhook_failed":
        webhook_id = params.get("webhook_id")
        if isinstance(webhook_id, int):
            return url_for("admin_webhooks.show", webhook_id=webhook_id)
        return None
    if note.module and note.record_id:
        return url_for("record.show", module_id=note.module, record_id=note.record_id)
    return None
