"""Messages, in the reader's language, of the codes in engine/codes_notifications.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

Params = Mapping[str, Any]

CODES: dict[str, Callable[[Params], str]] = {
    "not_an_email": lambda p: _("%(value)s is not an e-mail address.", value=p.get("value")),
    "not_a_mobile": lambda p: _(
        "%(value)s is not a mobile number (digits, an optional + in front).", value=p.get("value")
    ),
    "unknown_language": lambda p: _(
        "%(value)s is not a language offered: zh-CN or en.", value=p.get("value")
    ),
    "unknown_event": lambda p: _(
        "%(value)s is not an event that notifies; the events are %(values)s.",
        value=p.get("value"),
        values=p.get("values"),
    ),
    "unknown_channel": lambda p: _(
        "%(value)s is not a channel; the channels are %(values)s.",
        value=p.get("value"),
        values=p.get("values"),
    ),
    "email_needed": lambda p: _("E-mail needs an address to send to."),
    "not_a_time": lambda p: _(
        "%(value)s is not a time of day such as 22:00.", value=p.get("value")
    ),
    "both_times_needed": lambda p: _("Quiet hours need a time to begin and a time to end."),
    "not_an_hour": lambda p: _(
        "%(value)s is not an hour of the day (0 to 23).", value=p.get("value")
    ),
    "smtp_not_set_up": lambda p: _(
        "E-mail cannot be turned on: the server has no FORMWORK_SMTP_HOST set."
    ),
    "robot_url_https": lambda p: _(
        "A robot's URL starts with https:// (http:// only when a private address is allowed)."
    ),
    "notify_message_unknown": lambda p: _(
        "The notify message of transition %(transition)s fills in %(token)s, which is not a "
        "field of %(module)s; it may fill in %(names)s.",
        transition=p.get("transition"),
        token=p.get("token"),
        module=p.get("module"),
        names=p.get("names"),
    ),
    "notify_message_not_a_value": lambda p: _(
        "The notify message of transition %(transition)s cannot fill in %(token)s: use a "
        "stored text, number, date, choice or user field, or $number, $state, $owner.",
        transition=p.get("transition"),
        token=p.get("token"),
    ),
    "robot_secret_unused": lambda p: _(
        "A WeCom robot is not signed: its key is in the URL; leave the secret empty."
    ),
    "robot_secret_length": lambda p: _(
        "A robot's signing secret has %(low)s to %(high)s characters and no spaces.",
        low=p.get("low"),
        high=p.get("high"),
    ),
    "unknown_send_status": lambda p: _(
        "%(value)s is not a delivery status; the statuses are %(values)s.",
        value=p.get("value"),
        values=p.get("values"),
    ),
    "url_characters": lambda p: _(
        '%(value)s is not a URL: spaces and the characters < > " { } | \\ ^ ` never appear in one.',
        value=p.get("value"),
    ),
    "digest_needs_email": lambda p: _(
        "A daily digest is an e-mail: choose e-mail among your channels."
    ),
}
