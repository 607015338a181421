"""The events that notify and the channels besides the app: the words every part shares."""

from __future__ import annotations

# what can notify (the parameters each carries are in docs/notifications.md)
EVENTS = (
    "task",  # a record waits for my vote or transition
    "decision",  # my record was approved, rejected or sent back
    "copied",  # a record copied to me (抄送)
    "due_soon",  # a record of mine (or waiting for me) is due within a day
    "overdue",  # ... is past its due time
    "mention",  # someone @mentioned me in a comment
    "comment",  # a comment on a record I own
    "import_failed",  # for administrators
    "webhook_failed",  # for administrators
)
CHANNELS = ("email", "wecom", "dingtalk", "feishu")  # in-app is the notification itself
