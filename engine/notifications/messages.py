"""Wording a notification: the subject, the plain text and the HTML e-mail a channel sends,
in the recipient's language, with an absolute link back to what it is about.

The sentences live here, one {"en", "zh-CN"} pair per event, because the worker has no
request and no Flask-Babel. Every value a user or a pack wrote (a title, a comment, a file
name) goes into the sentences with `str.format` and into the HTML through Jinja with
autoescape on: it is shown as text, never read as markup or as a template.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from engine.i18n import localize
from engine.models_notifications import Notification
from engine.notifications.outgoing import Outgoing
from engine.notifications.preferences import Preferences
from engine.notifications.settings import NotificationSettings

Text = dict[str, str]  # {"en": ..., "zh-CN": ...}

# the first line of a message and the subject of its e-mail, per event (and outcome / kind)
HEADLINES: dict[str, Text] = {
    "task": {"en": "{title} is waiting for you: {transition}", "zh-CN": "{title} 等待您处理：{transition}"},
    "task:vote": {"en": "{title} is waiting for your approval", "zh-CN": "{title} 等待您审批"},
    "decision:approved": {"en": "{actor} approved {title}", "zh-CN": "{actor} 批准了 {title}"},
    "decision:rejected": {"en": "{actor} rejected {title}", "zh-CN": "{actor} 驳回了 {title}"},
    "decision:returned": {"en": "{actor} sent {title} back to you", "zh-CN": "{actor} 退回了 {title}"},
    "decision": {"en": "{actor} moved {title} on: {transition}", "zh-CN": "{actor} 对 {title} 执行了：{transition}"},
    "copied": {"en": "{actor} copied {title} to you", "zh-CN": "{actor} 抄送给您：{title}"},
    "due_soon": {"en": "{title} is due {due}", "zh-CN": "{title} 将于 {due} 到期"},
    "overdue": {"en": "{title} is overdue: it was due {due}", "zh-CN": "{title} 已逾期：截止时间为 {due}"},
    "mention": {"en": "{actor} mentioned you on {title}", "zh-CN": "{actor} 在 {title} 中提到了您"},
    "comment": {"en": "{actor} commented on {title}", "zh-CN": "{actor} 评论了 {title}"},
    "import_failed": {"en": "The import of {file} into {module} failed", "zh-CN": "{file} 导入 {module} 失败"},
    "webhook_failed": {"en": "A webhook could not deliver {event} to {url}", "zh-CN": "Webhook 未能将 {event} 发送到 {url}"},
}  # fmt: skip
LABELS: dict[str, Text] = {
    "module": {"en": "Module", "zh-CN": "模块"},
    "state": {"en": "State", "zh-CN": "状态"},
    "due": {"en": "Due", "zh-CN": "截止时间"},
    "comment": {"en": "Comment", "zh-CN": "意见"},
    "file": {"en": "File", "zh-CN": "文件"},
    "error": {"en": "Error", "zh-CN": "错误"},
    "url": {"en": "Address", "zh-CN": "地址"},
}
BUTTONS: dict[str, Text] = {
    "record": {"en": "Open the record", "zh-CN": "查看记录"},
    "import": {"en": "Open the import", "zh-CN": "查看导入"},
    "webhook": {"en": "Open the webhook", "zh-CN": "查看 Webhook"},
    "digest": {"en": "Open my notifications", "zh-CN": "查看我的通知"},
}
WORDS: dict[str, Text] = {
    "system": {"en": "Formwork", "zh-CN": "系统"},
    "colon": {"en": ": ", "zh-CN": "："},
    "greeting": {"en": "Hello {name},", "zh-CN": "{name}，您好："},
    "footer": {
        "en": "You receive this message because of your notification settings in Formwork.",
        "zh-CN": "您收到此消息，是因为您在 Formwork 中的通知设置。",
    },
    "digest": {"en": "Formwork: {count} notifications", "zh-CN": "Formwork：{count} 条通知"},
    "digest:1": {"en": "Formwork: 1 notification", "zh-CN": "Formwork：1 条通知"},
    "digest_intro": {
        "en": "What happened since your last summary:",
        "zh-CN": "自上次汇总以来的通知：",
    },
}
SUBJECT_LIMIT = 200  # characters of a subject line
CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def say(table: dict[str, Text], key: str, language: str, **values: Any) -> str:
    """A sentence of `table` in `language`, its placeholders filled (the values stay text)."""
    return table[key].get(language, table[key]["en"]).format(**values)


def one_line(text: str, limit: int = SUBJECT_LIMIT) -> str:
    """`text` on one line (no header can be slipped into a subject), cut at `limit`."""
    flat = CONTROL.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def local_time(value: Any, settings: NotificationSettings) -> str:
    """An ISO moment as the firm reads it: "2026-03-01 17:00" in its time zone."""
    if not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M")


def link_of(note: Notification, settings: NotificationSettings) -> tuple[str, str]:
    """The absolute address a message links back to, and which button names it."""
    base, params = settings.base_url, note.params or {}
    module = quote(note.module or "", safe="")
    if note.event == "import_failed" and note.module:
        return (
            f"{base}/m/{module}/imports/{quote(str(params.get('job_id', '')), safe='')}",
            "import",
        )
    if note.event == "webhook_failed":
        return (
            f"{base}/admin/webhooks/{quote(str(params.get('webhook_id', '')), safe='')}",
            "webhook",
        )
    if note.module and note.record_id:
        return f"{base}/m/{module}/r/{quote(note.record_id, safe='')}", "record"
    return f"{base}/notifications", "digest"


def _headline_key(note: Notification) -> str:
    params = note.params or {}
    if note.event == "task" and params.get("kind") == "vote":
        return "task:vote"
    if note.event == "decision" and f"decision:{params.get('outcome')}" in HEADLINES:
        return f"decision:{params.get('outcome')}"
    return note.event if note.event in HEADLINES else "comment"


def headline(note: Notification, language: str, settings: NotificationSettings) -> str:
    """The notification in one sentence: what happened to what, and who did it."""
    params = note.params or {}
    values = {
        "title": one_line(str(params.get("title") or note.record_id or ""), 120),
        "actor": note.actor or say(WORDS, "system", language),
        "transition": localize(
            params.get("transition_label") or params.get("transition"), language
        ),
        "due": local_time(params.get("due_at"), settings),
        "module": localize(params.get("module_title") or note.module, language),
        "file": str(params.get("file_name") or ""),
        "event": str(params.get("event") or ""),
        "url": str(params.get("url") or ""),
    }
    return one_line(say(HEADLINES, _headline_key(note), language, **values))


def details(
    note: Notification, language: str, settings: NotificationSettings
) -> tuple[list[tuple[str, str]], str]:
    """The facts under the headline as (label, value) rows, and a quoted text (a pack's
    message for a copy, or the comment's excerpt) — each only when the event carries it."""
    params = note.params or {}
    rows: list[tuple[str, Any]] = [
        ("module", localize(params.get("module_title"), language)),
        ("state", localize(params.get("state_label"), language)),
        ("due", local_time(params.get("due_at"), settings)),
        ("comment", params.get("comment")),
        ("file", params.get("file_name")),
        ("url", params.get("url") if note.event == "webhook_failed" else None),
        ("error", params.get("error")),
    ]
    if note.event in ("due_soon", "overdue"):
        rows = [row for row in rows if row[0] != "due"]  # the headline says it
    shown = [(say(LABELS, key, language), str(value)) for key, value in rows if value]
    quoted = localize(params.get("message"), language) if note.event == "copied" else ""
    if note.event in ("mention", "comment"):
        quoted = str(params.get("excerpt") or "")
    return shown, quoted


def _plain(parts: dict[str, Any], *, with_link: bool) -> str:
    lines = [parts["greeting"], "", parts["headline"], ""] if with_link else [parts["headline"]]
    colon = say(WORDS, "colon", parts["language"])
    lines += [f"{label}{colon}{value}" for label, value in parts["rows"]]
    if parts["quote"]:
        lines += ["", *(f"> {line}" for line in parts["quote"].splitlines())]
    if with_link:
        lines += ["", f"{parts['button']}{colon}{parts['link']}", "", "-- ", parts["footer"]]
    return "\n".join(lines).strip() + "\n"


def render(
    note: Notification,
    *,
    channel: str,
    send_id: int,
    prefs: Preferences,
    settings: NotificationSettings,
) -> Outgoing:
    """The message of one notification on one channel, in the recipient's language.

    E-mail gets a greeting, the link and a footer in its text; a robot's text is the
    headline and the facts only, since the robot shows the link as a button of its own.
    """
    language = prefs.language
    link, target = link_of(note, settings)
    rows, quoted = details(note, language, settings)
    parts: dict[str, Any] = {
        "language": language,
        "greeting": say(WORDS, "greeting", language, name=note.user_name),
        "headline": headline(note, language, settings),
        "rows": rows,
        "quote": quoted,
        "button": say(BUTTONS, target, language),
        "link": link,
        "footer": say(WORDS, "footer", language),
        "items": [],
    }
    return Outgoing(
        send_id=send_id,
        channel=channel,
        language=language,
        subject=parts["headline"],
        text=_plain(parts, with_link=channel == "email"),
        html=_templates.get_template("message.html").render(**parts),
        link=link,
        to_email=prefs.email,
        to_mobile=prefs.mobile,
        to_name=note.user_name,
    )


def render_digest(
    notes: Sequence[Notification],
    *,
    send_id: int,
    prefs: Preferences,
    settings: NotificationSettings,
) -> Outgoing:
    """One e-mail listing several notifications, each with its time and its link."""
    language = prefs.language
    items = [
        {
            "headline": headline(note, language, settings),
            "link": link_of(note, settings)[0],
            "at": local_time(note.created_at.isoformat(), settings),
        }
        for note in notes
    ]
    count = len(items)
    subject = say(WORDS, "digest:1" if count == 1 else "digest", language, count=count)
    link = f"{settings.base_url}/notifications"
    name = notes[0].user_name if notes else ""
    parts: dict[str, Any] = {
        "language": language,
        "greeting": say(WORDS, "greeting", language, name=name),
        "headline": say(WORDS, "digest_intro", language),
        "rows": [],
        "quote": "",
        "button": say(BUTTONS, "digest", language),
        "link": link,
        "footer": say(WORDS, "footer", language),
        "items": items,
    }
    text = [parts["greeting"], "", parts["headline"], ""]
    for item in items:
        text += [f"- {item['at']}  {item['headline']}", f"  {item['link']}"]
    colon = say(WORDS, "colon", language)
    text += ["", f"{parts['button']}{colon}{link}", "", "-- ", parts["footer"]]
    return Outgoing(
        send_id=send_id,
        channel="email",
        language=language,
        subject=subject,
        text="\n".join(text) + "\n",
        html=_templates.get_template("message.html").render(**parts),
        link=link,
        to_email=prefs.email,
        to_mobile=prefs.mobile,
        to_name=name,
    )
