"""E-mail: one message through the SMTP server of the environment (FORMWORK_SMTP_*).

Each message has a plain-text part and an HTML alternative, in UTF-8, its headers encoded
so that a Chinese subject or name arrives intact. The Message-ID is made from the outbox
row and the sending host, so a message sent again after a lost answer carries the same id
and a mail client shows it once. Any failure of the connection, TLS, login or the server's
answer becomes SendFailed with a short reason — the password never appears in it.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from engine.notifications.outgoing import Outgoing, Sender, SendFailed
from engine.notifications.settings import NotificationSettings


def message_id(send_id: int, sender: str) -> str:
    """`<formwork.notification.<id>@<host of the From address>>`: the same for a resend."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or socket.getfqdn() or "localhost"
    return f"<formwork.notification.{send_id}@{domain}>"


def build_message(outgoing: Outgoing, settings: NotificationSettings) -> EmailMessage:
    """The e-mail of one message: text and HTML parts, From/To/Subject/Date/Message-ID."""
    if not outgoing.to_email:
        raise SendFailed("the recipient has no e-mail address")
    message = EmailMessage()
    message["From"] = settings.smtp_from
    name = outgoing.to_name.replace("\r", " ").replace("\n", " ")
    try:
        message["To"] = Address(display_name=name, addr_spec=outgoing.to_email)
    except (ValueError, IndexError) as error:
        raise SendFailed(f"{outgoing.to_email!r} is not an e-mail address: {error}") from None
    message["Subject"] = outgoing.subject.replace("\r", " ").replace("\n", " ")
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = message_id(outgoing.send_id, settings.smtp_from)
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies, please
    message.set_content(outgoing.text, charset="utf-8")
    message.add_alternative(outgoing.html, subtype="html", charset="utf-8")
    return message


def _connect(settings: NotificationSettings) -> smtplib.SMTP:
    host, port, timeout = settings.smtp_host or "", settings.smtp_port, settings.smtp_timeout
    if settings.smtp_tls == "ssl":
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    server = smtplib.SMTP(host, port, timeout=timeout)
    if settings.smtp_tls == "starttls":
        try:
            server.starttls(context=ssl.create_default_context())
        except BaseException:
            server.close()
            raise
    return server


def _reason(error: BaseException) -> str:
    """A short sentence for the log: what failed, without the credentials."""
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return f"the SMTP server refused the login ({error.smtp_code})"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = ", ".join(
            f"{code} {text.decode(errors='replace')}" for code, text in error.recipients.values()
        )
        return f"the SMTP server refused the recipient: {codes}"
    if isinstance(error, smtplib.SMTPResponseException):
        said = (
            error.smtp_error.decode(errors="replace")
            if isinstance(error.smtp_error, bytes)
            else str(error.smtp_error)
        )
        return f"the SMTP server answered {error.smtp_code}: {said}"
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return f"the SMTP server does not support it: {error}"
    if isinstance(error, ssl.SSLError):
        return f"TLS failed: {error.reason or error}"
    if isinstance(error, (TimeoutError, socket.timeout)):
        return "the SMTP server did not answer in time"
    return f"{type(error).__name__}: {error}"


def email_sender(settings: NotificationSettings) -> Sender:
    """The sender of e-mail through the configured server; one connection per message."""

    def post(outgoing: Outgoing) -> None:
        if not settings.smtp_host:
            raise SendFailed("e-mail is off: FORMWORK_SMTP_HOST is not set")
        message = build_message(outgoing, settings)
        try:
            with _connect(settings) as server:
                if settings.smtp_user:
                    server.login(settings.smtp_user, settings.smtp_password or "")
                server.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            reason = _reason(error)
            if settings.smtp_password:
                reason = reason.replace(settings.smtp_password, "***")
            raise SendFailed(reason[:300]) from None

    return post
