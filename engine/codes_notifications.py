"""Problem codes of notifications: a user's preferences and the administrator's channels.

engine/codes.py merges them into MESSAGES; web/problems_notifications.py words them in the
reader's language.
"""

from __future__ import annotations

CODES: dict[str, str] = {
    "not_an_email": "{value!r} is not an e-mail address",
    "not_a_mobile": "{value!r} is not a mobile number (digits, an optional + in front)",
    "unknown_language": "{value!r} is not a language offered: zh-CN or en",
    "unknown_event": "{value!r} is not an event that notifies; the events are {values}",
    "unknown_channel": "{value!r} is not a channel; the channels are {values}",
    "email_needed": "e-mail needs an address to send to",
    "not_a_time": "{value!r} is not a time of day such as 22:00",
    "both_times_needed": "quiet hours need a time to begin and a time to end",
    "not_an_hour": "{value!r} is not an hour of the day (0 to 23)",
    "smtp_not_set_up": "e-mail cannot be turned on: FORMWORK_SMTP_HOST is not set",
    "robot_url_https": (
        "a robot's URL starts with https:// (http:// only when a private address is allowed)"
    ),
    "notify_message_unknown": (
        "the notify message of transition {transition!r} fills in {token!r}, which is not a "
        "field of {module}{hint}; it may fill in {names}"
    ),
    "notify_message_not_a_value": (
        "the notify message of transition {transition!r} fills in {token!r}, {kind}: use a "
        "stored text, number, date, choice or user field, or $number, $state, $owner"
    ),
    "robot_secret_unused": "a WeCom robot is not signed: its key is in the URL; leave the secret empty",
    "robot_secret_length": "a robot's signing secret has {low} to {high} characters and no spaces",
    "unknown_send_status": "{value!r} is not a delivery status; the statuses are {values}",
    "url_characters": (
        '{value!r} is not a URL: spaces and the characters < > " {{ }} | \\ ^ ` never appear in one'
    ),
    "digest_needs_email": "a daily digest is an e-mail: choose e-mail among your channels",
}
