"""What a channel sends: one message, already worded in the recipient's language.

`messages.render` makes it from a notification; each channel's sender (`email`, `robots`)
takes it and either returns or raises `SendFailed` with what went wrong, which the delivery
loop logs and retries. A sender never touches the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Outgoing:
    send_id: int  # the outbox row: the e-mail's Message-ID, so a resend is recognisable
    channel: str  # email | wecom | dingtalk | feishu
    language: str  # "en" | "zh-CN"
    subject: str  # one line, plain text
    text: str  # the body as plain text (e-mail's text part, the base of chat messages)
    html: str  # the e-mail's HTML part; every value in it escaped
    link: str  # absolute URL of the record (or the page) it is about
    to_email: str | None = None
    to_mobile: str | None = None  # a robot @mentions this number when it has one
    to_name: str = ""


class SendFailed(Exception):
    """The far end refused or could not be reached: the message, short, for the log."""


Sender = Callable[[Outgoing], None]
