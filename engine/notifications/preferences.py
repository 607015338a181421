"""What each user wants to be told, and where: address, language, muted events, channels,
quiet hours (in the firm's time zone) and a daily digest of e-mail instead of one each.

A user who never chose gets the defaults: everything in-app, nothing sent elsewhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Problem, ValidationFailed
from engine.models import utcnow
from engine.models_notifications import NotificationPreference
from engine.notifications.vocabulary import CHANNELS, EVENTS

LANGUAGES = ("zh-CN", "en")
EMAIL = re.compile(r"^[^@\s<>\"',;]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$")
MOBILE = re.compile(r"^\+?[0-9]{5,20}$")
CLOCK = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


@dataclass(frozen=True)
class Preferences:
    email: str | None = None
    mobile: str | None = None
    language: str = "zh-CN"
    muted: frozenset[str] = frozenset()
    channels: tuple[str, ...] = ()
    quiet_from: str | None = None
    quiet_to: str | None = None
    digest: bool = False
    digest_hour: int = 8

    def quiet_at(self, moment: dt.time) -> bool:
        """Whether `moment` (the firm's local time) falls in the user's quiet hours."""
        if not self.quiet_from or not self.quiet_to or self.quiet_from == self.quiet_to:
            return False
        start, end = dt.time.fromisoformat(self.quiet_from), dt.time.fromisoformat(self.quiet_to)
        if start < end:
            return start <= moment < end
        return moment >= start or moment < end  # over midnight: 22:00–07:00


def preferences_of(session: Session, user_id: int | None) -> Preferences:
    if user_id is None:
        return Preferences()
    return preferences_for(session, [user_id])[user_id]


def preferences_for(session: Session, user_ids: Iterable[int | None]) -> dict[int, Preferences]:
    """Each user's choices in one query; the defaults for a user who never chose."""
    ids = sorted({i for i in user_ids if i is not None})
    rows = session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id.in_(ids))
    )
    found = {row.user_id: _from_row(row) for row in rows}
    return {i: found.get(i, Preferences()) for i in ids}


def _from_row(row: NotificationPreference) -> Preferences:
    return Preferences(
        email=row.email,
        mobile=row.mobile,
        language=row.language if row.language in LANGUAGES else "zh-CN",
        muted=frozenset(row.muted or ()),
        channels=tuple(row.channels or ()),
        quiet_from=row.quiet_from,
        quiet_to=row.quiet_to,
        digest=bool(row.digest),
        digest_hour=row.digest_hour,
    )


def _problems(
    wanted: Preferences, events: tuple[str, ...], channels: tuple[str, ...]
) -> list[Problem]:
    found: list[Problem] = []

    def refuse(name: str, code: str, value: object = None, values: object = None) -> None:
        found.append(Problem(f"/notifications/{name}", code, {"value": value, "values": values}))

    if wanted.email and not EMAIL.match(wanted.email):
        refuse("email", "not_an_email", wanted.email)
    if wanted.mobile and not MOBILE.match(wanted.mobile):
        refuse("mobile", "not_a_mobile", wanted.mobile)
    if wanted.language not in LANGUAGES:
        refuse("language", "unknown_language", wanted.language)
    for event in sorted(set(wanted.muted) - set(events)):
        refuse("muted", "unknown_event", event, ", ".join(events))
    for channel in sorted(set(wanted.channels) - set(channels)):
        refuse("channels", "unknown_channel", channel, ", ".join(channels))
    if "email" in wanted.channels and not wanted.email:
        refuse("email", "email_needed")
    for name in ("quiet_from", "quiet_to"):
        value = getattr(wanted, name)
        if value and not CLOCK.match(value):
            refuse(name, "not_a_time", value)
    if bool(wanted.quiet_from) != bool(wanted.quiet_to):
        refuse("quiet_to" if wanted.quiet_from else "quiet_from", "both_times_needed")
    if wanted.digest and "email" not in wanted.channels:
        refuse("digest", "digest_needs_email")
    if not 0 <= wanted.digest_hour <= 23:
        refuse("digest_hour", "not_an_hour", wanted.digest_hour)
    return found


def check_preferences(wanted: Preferences) -> list[Problem]:
    """Each wrong choice at its field (`/notifications/<field>`); empty when all are right."""
    return _problems(wanted, EVENTS, CHANNELS)


def save_preferences(session: Session, user_id: int, wanted: Preferences) -> None:
    """Store a user's choices, all or nothing: ValidationFailed names each wrong field."""
    problems = check_preferences(wanted)
    if problems:
        raise ValidationFailed(problems)
    row = session.get(NotificationPreference, user_id) or NotificationPreference(user_id=user_id)
    row.email, row.mobile, row.language = (
        wanted.email or None,
        wanted.mobile or None,
        wanted.language,
    )
    row.muted, row.channels = sorted(wanted.muted), [c for c in CHANNELS if c in wanted.channels]
    row.quiet_from, row.quiet_to = wanted.quiet_from or None, wanted.quiet_to or None
    row.digest, row.digest_hour, row.updated_at = wanted.digest, wanted.digest_hour, utcnow()
    session.add(row)
    session.flush()
