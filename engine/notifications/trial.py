"""A test message from the channels page: one message, sent now, to check a channel's set-up.

The administrator sends it to their own e-mail address (from their preferences) or to the
robot's group, its link on FORMWORK_BASE_URL like every other message (not the address the
page was reached by). It goes out in the administrator's request, with the sender's own
timeouts (about 15 s for a robot, FORMWORK_SMTP_TIMEOUT for each step of an e-mail):
acceptable for one check by hand, and the answer is what the page shows. Nothing of it is stored: it is not a notification, and the outbox never sees it.
The database is read first and closed before the message leaves.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from engine.errors import Problem, ValidationFailed
from engine.notifications.channels import channel_setups, robot_settings
from engine.notifications.outgoing import Outgoing, Sender, SendFailed
from engine.notifications.preferences import preferences_of

WORDS = {
    "en": ("Formwork: test message", "This is a test message from Formwork. {channel} works."),
    "zh-CN": ("Formwork：测试消息", "这是一条来自 Formwork 的测试消息。{channel} 已可用。"),
}
NAMES = {"email": "E-mail", "wecom": "WeCom", "dingtalk": "DingTalk", "feishu": "Feishu"}
NAMES_ZH = {"email": "电子邮件", "wecom": "企业微信", "dingtalk": "钉钉", "feishu": "飞书"}


@dataclass(frozen=True)
class Trial:
    """What is needed to send a test, read from the database before anything is sent."""

    message: Outgoing
    settings: dict[str, Any]  # a robot's stored settings (secret included); {} for e-mail


def trial_message(
    channel: str,
    *,
    language: str,
    link: str,
    to_email: str | None = None,
    to_mobile: str | None = None,
    to_name: str = "",
) -> Outgoing:
    """The test message in the administrator's language, plain words only."""
    subject, body = WORDS.get(language, WORDS["en"])
    names = NAMES_ZH if language == "zh-CN" else NAMES
    text = body.format(channel=names.get(channel, channel))
    return Outgoing(
        send_id=0,
        channel=channel,
        language=language,
        subject=subject,
        text=f"{text}\n{link}",
        html=f'<p>{text}</p><p><a href="{html.escape(link)}">{html.escape(link)}</a></p>',
        link=link,
        to_email=to_email,
        to_mobile=to_mobile,
        to_name=to_name,
    )


def prepare_trial(
    session: Session,
    channel: str,
    *,
    user_id: int,
    user_name: str,
    path: str,
    environ: Mapping[str, str] | None = None,
) -> Trial:
    """The test for `channel`, linking to `path` on the base URL; ValidationFailed when it
    cannot be sent (no address...), SendFailed when a setting is wrong."""
    setup = channel_setups(session, environ).get(channel)
    if setup is None:
        values = ", ".join(channel_setups(session, environ))
        raise ValidationFailed(
            [Problem("/channel", "unknown_channel", {"value": channel, "values": values})]
        )
    wanted = preferences_of(session, user_id)
    if not setup.ready:
        code = "smtp_not_set_up" if channel == "email" else "url_required"
        raise ValidationFailed([Problem(f"/{channel}", code)])
    if channel == "email" and not wanted.email:
        raise ValidationFailed([Problem("/email", "email_needed")])
    message = trial_message(
        channel,
        language=wanted.language,
        link=_base_url(environ) + path,
        to_email=wanted.email,
        to_mobile=wanted.mobile,
        to_name=user_name,
    )
    settings = robot_settings(session, channel) if channel != "email" else {}
    return Trial(message, settings)


def _base_url(environ: Mapping[str, str] | None) -> str:
    """FORMWORK_BASE_URL (checked as the worker checks it), where every message links to."""
    from engine.notifications.settings import settings_from_env

    try:
        return settings_from_env(os.environ if environ is None else environ).base_url
    except ValueError as error:
        raise SendFailed(str(error)) from None


def sender_for(
    channel: str, settings: dict[str, Any], environ: Mapping[str, str] | None = None
) -> Sender:
    """The channel's real sender, as the delivery loop uses it (its timeouts included)."""
    from engine.notifications.email import email_sender
    from engine.notifications.robots import robot_sender
    from engine.notifications.settings import settings_from_env

    if channel == "email":
        try:
            smtp = settings_from_env(os.environ if environ is None else environ)
        except ValueError as error:
            raise SendFailed(str(error)) from None
        return email_sender(smtp)
    return robot_sender(channel, settings)


def send_trial(
    factory: sessionmaker[Session],
    channel: str,
    *,
    user_id: int,
    user_name: str,
    path: str,
    environ: Mapping[str, str] | None = None,
    sender: Sender | None = None,
) -> Outgoing:
    """Send the test now; SendFailed says what the far end answered, ValidationFailed why
    it could not be tried. Returns the message sent."""
    with factory() as session:
        trial = prepare_trial(
            session, channel, user_id=user_id, user_name=user_name, path=path, environ=environ
        )
    send = sender or sender_for(channel, trial.settings, environ)
    send(trial.message)
    return trial.message
