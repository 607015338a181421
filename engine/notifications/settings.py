"""How notifications leave the server: the links' base address, the firm's time zone and the
SMTP server, read from the environment once (when the worker starts) and checked then.

A wrong value stops the start with a sentence naming the variable, rather than every e-mail
failing later. Without FORMWORK_SMTP_HOST there is no e-mail at all; the robots' addresses
are set by the administrator in the app (notification_channels), not here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TLS_MODES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class NotificationSettings:
    base_url: str = "http://127.0.0.1:5000"  # no trailing slash
    timezone: str = "UTC"
    smtp_host: str | None = None  # None: e-mail is off
    smtp_port: int = 587
    smtp_tls: str = "starttls"  # starttls | ssl | none
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)  # never in a log line
    smtp_from: str = "Formwork <noreply@localhost>"
    smtp_timeout: float = 10.0

    @property
    def email_on(self) -> bool:
        return bool(self.smtp_host)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _base_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"FORMWORK_BASE_URL={value!r} is not an address such as https://formwork.example.com"
        )
    return value.rstrip("/")


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"FORMWORK_TIMEZONE={value!r} is not a time zone such as Asia/Shanghai or UTC"
        ) from None
    return value


def _number(
    environ: Mapping[str, str], name: str, default: float, low: float, high: float
) -> float:
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:
        raise ValueError(f"{name}={text!r} is not a number from {low:g} to {high:g}")
    return value


def settings_from_env(environ: Mapping[str, str] = os.environ) -> NotificationSettings:
    """The settings the environment gives; ValueError naming the variable when one is wrong."""

    def get(name: str) -> str | None:
        return environ.get(name, "").strip() or None

    tls = (get("FORMWORK_SMTP_TLS") or "starttls").lower()
    if tls not in TLS_MODES:
        raise ValueError(f"FORMWORK_SMTP_TLS={tls!r} is not one of {', '.join(TLS_MODES)}")
    port = _number(environ, "FORMWORK_SMTP_PORT", DEFAULT_PORTS[tls], 1, 65535)
    if port != int(port):
        raise ValueError(f"FORMWORK_SMTP_PORT={port!r} is not a whole number from 1 to 65535")
    sender = get("FORMWORK_SMTP_FROM") or "Formwork <noreply@localhost>"
    if "@" not in sender or "\n" in sender or "\r" in sender:
        raise ValueError(
            f"FORMWORK_SMTP_FROM={sender!r} is not an address such as "
            "'Formwork <noreply@example.com>'"
        )
    user, password = get("FORMWORK_SMTP_USER"), environ.get("FORMWORK_SMTP_PASSWORD") or None
    if password and not user:
        raise ValueError("FORMWORK_SMTP_PASSWORD is set without FORMWORK_SMTP_USER")
    return NotificationSettings(
        base_url=_base_url(get("FORMWORK_BASE_URL") or "http://127.0.0.1:5000"),
        timezone=_timezone(get("FORMWORK_TIMEZONE") or "UTC"),
        smtp_host=get("FORMWORK_SMTP_HOST"),
        smtp_port=int(port),
        smtp_tls=tls,
        smtp_user=user,
        smtp_password=password,
        smtp_from=sender,
        smtp_timeout=_number(environ, "FORMWORK_SMTP_TIMEOUT", 10.0, 0.1, 600),
    )
