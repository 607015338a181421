"""Notifications: one event for one user, shown in the app and sent on the channels they chose.

Whatever causes an event (the workflow, the tick, a comment, a failed import or webhook)
calls `notify` in the transaction of the change (`events`): a notification per recipient who
may read the record, and one outbox row per channel the recipient and the administrator
turned on. The in-app list reads the notifications (`center`); `formwork worker` and
`formwork tick` send the outbox (`delivery`), each send at most once.
"""

from __future__ import annotations

from engine.notifications.center import NotificationPage, mark_read, notifications_of, unread_count
from engine.notifications.events import notify, reader
from engine.notifications.preferences import Preferences, preferences_of, save_preferences
from engine.notifications.vocabulary import CHANNELS, EVENTS

__all__ = [
    "CHANNELS",
    "EVENTS",
    "NotificationPage",
    "Preferences",
    "mark_read",
    "notifications_of",
    "notify",
    "preferences_of",
    "reader",
    "save_preferences",
    "unread_count",
]
