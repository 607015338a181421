"""The administrator's set-up of the channels: e-mail on or off, and each chat robot's URL.

E-mail's server comes from the environment (FORMWORK_SMTP_*), so the page only shows it and
e-mail can be turned on only when FORMWORK_SMTP_HOST is set. A robot (WeCom, DingTalk,
Feishu) is a URL and an optional signing secret, stored in `notification_channels`. The URL
is checked as a webhook's is (engine/webhooks/targets.py): https, and a public address
unless the administrator allows a private one. The secret is never shown again, only its
last four characters; a save that leaves it empty keeps it. Each change is written to the
admin trail in the same transaction; a refused save stores nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.admin_log import log_admin_action
from engine.errors import Problem, ValidationFailed
from engine.models import utcnow
from engine.models_notifications import NotificationChannel
from engine.notifications.vocabulary import CHANNELS

ROBOTS = tuple(c for c in CHANNELS if c != "email")  # the channels that post to a URL
MASK = "••••"
URL_NOT = re.compile(r'[\s<>"{}|\\^`\x00-\x1f\x7f]')  # never in a URL (RFC 3986)


@dataclass(frozen=True)
class SmtpView:
    """What the page may show of the e-mail server: never the user's password."""

    host: str
    port: int
    tls: str  # starttls | ssl | none
    sender: str  # the From address


@dataclass(frozen=True)
class ChannelSetup:
    """One channel as the page shows it: the secret only as its last characters."""

    channel: str
    enabled: bool
    url: str = ""
    secret_hint: str = ""  # "••••abcd", or "" when there is no secret
    allow_private: bool = False
    smtp: SmtpView | None = None  # e-mail: the server from the environment, None when unset
    smtp_error: str | None = None  # e-mail: why the environment could not be read
    updated_by: str | None = None
    updated_at: dt.datetime | None = None

    @property
    def ready(self) -> bool:
        """Whether a message could be sent: e-mail has a server, a robot a URL."""
        return self.smtp is not None if self.channel == "email" else bool(self.url)


def secret_hint(secret: str | None) -> str:
    """The only form in which a stored secret is shown again."""
    return MASK + secret[-4:] if secret else ""


def smtp_view(environ: Mapping[str, str] | None = None) -> tuple[SmtpView | None, str | None]:
    """The e-mail server as the environment sets it, or None and why not."""
    environ = os.environ if environ is None else environ
    if not environ.get("FORMWORK_SMTP_HOST", "").strip():
        return None, None
    from engine.notifications.settings import settings_from_env

    try:
        settings = settings_from_env(environ)
    except ValueError as error:
        return None, str(error)
    if settings.smtp_host is None:
        return None, None
    view = SmtpView(settings.smtp_host, settings.smtp_port, settings.smtp_tls, settings.smtp_from)
    return view, None


def _setup(
    row: NotificationChannel | None, channel: str, environ: Mapping[str, str] | None
) -> ChannelSetup:
    settings: dict[str, Any] = dict(row.settings or {}) if row is not None else {}
    smtp, smtp_error = smtp_view(environ) if channel == "email" else (None, None)
    return ChannelSetup(
        channel=channel,
        enabled=bool(row and row.enabled),
        url=str(settings.get("url") or ""),
        secret_hint=secret_hint(settings.get("secret")),
        allow_private=bool(settings.get("allow_private")),
        smtp=smtp,
        smtp_error=smtp_error,
        updated_by=row.updated_by if row is not None else None,
        updated_at=row.updated_at if row is not None else None,
    )


def channel_setups(
    session: Session, environ: Mapping[str, str] | None = None
) -> dict[str, ChannelSetup]:
    """Every channel in CHANNELS order, set up or not (then off, with nothing set)."""
    rows = {row.channel: row for row in session.query(NotificationChannel)}
    return {channel: _setup(rows.get(channel), channel, environ) for channel in CHANNELS}


def robot_settings(session: Session, channel: str) -> dict[str, Any]:
    """A robot's stored settings, secret included: for its sender only, never for a page."""
    row = session.get(NotificationChannel, channel)
    return dict(row.settings or {}) if row is not None else {}


def _summary(row: NotificationChannel | None) -> dict[str, Any]:
    """What the admin trail keeps of a channel: the secret only as its hint."""
    if row is None:
        return {"active": False}
    settings = dict(row.settings or {})
    kept: dict[str, Any] = {"active": bool(row.enabled)}
    if row.channel != "email":
        kept |= {
            "url": settings.get("url") or "",
            "secret": secret_hint(settings.get("secret")),
            "allow_private": bool(settings.get("allow_private")),
        }
    return kept


def _robot_problems(channel: str, settings: dict[str, Any]) -> list[Problem]:
    """The robots' own check (https, public address, the secret each robot takes), after
    refusing text that cannot be a URL at all: it is shown back on the page and the trail."""
    from engine.notifications.robots import check_robot_settings

    url = settings["url"]
    if URL_NOT.search(url):
        return [Problem("/url", "url_characters", {"value": url})]
    return list(check_robot_settings(channel, settings))


def _problems(
    channel: str, enabled: bool, settings: dict[str, Any], environ: Mapping[str, str] | None
) -> list[Problem]:
    if channel not in CHANNELS:
        params = {"value": channel, "values": ", ".join(CHANNELS)}
        return [Problem("/channel", "unknown_channel", params)]
    if channel == "email":
        smtp, _error = smtp_view(environ)
        return [Problem("/enabled", "smtp_not_set_up")] if enabled and smtp is None else []
    if not settings["url"]:
        return [Problem("/url", "url_required")] if enabled else []
    return _robot_problems(channel, settings)


def save_channel(
    session: Session,
    channel: str,
    *,
    enabled: bool,
    url: str = "",
    secret: str = "",
    forget_secret: bool = False,
    allow_private: bool = False,
    by: str | None,
    environ: Mapping[str, str] | None = None,
) -> ChannelSetup:
    """Turn a channel on or off and set its robot; ValidationFailed names each wrong input.

    An empty `secret` keeps the stored one (`forget_secret` removes it). E-mail takes only
    `enabled`: its server is the environment's.
    """
    row = session.get(NotificationChannel, channel)
    old = dict(row.settings or {}) if row is not None else {}
    settings: dict[str, Any] = {}
    if channel != "email":
        kept = "" if forget_secret else str(old.get("secret") or "")
        settings = {"url": url.strip(), "secret": secret.strip() or kept}
        settings["allow_private"] = allow_private
    problems = _problems(channel, enabled, settings, environ)
    if problems:
        raise ValidationFailed(problems)
    if bool(row and row.enabled) == enabled and old == settings:
        return _setup(row, channel, environ)  # nothing changes, nothing to log
    before = _summary(row)
    if row is None:
        row = NotificationChannel(channel=channel)
        session.add(row)
    row.enabled, row.settings = enabled, settings
    row.updated_by, row.updated_at = by, utcnow()
    session.flush()
    after = _summary(row)
    log_admin_action(session, by, "channel.save", f"channel {channel}", before=before, after=after)
    return _setup(row, channel, environ)
