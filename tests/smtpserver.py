"""A real SMTP server on 127.0.0.1 for e-mail tests (aiosmtpd): records every message it
accepts, parsed, and can require a login, offer STARTTLS or refuse recipients."""

from __future__ import annotations

import email
import email.policy
import ssl
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class SmtpServer:
    host: str = "127.0.0.1"
    port: int = 0
    received: list[Received] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)  # user names that logged in
    refuse: set[str] = field(default_factory=set)  # recipients answered 550


class _Handler:
    def __init__(self, state: SmtpServer):
        self.state = state

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook names
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.state.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = bytes(envelope.original_content or envelope.content)
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        self.state.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), cast(EmailMessage, parsed), raw)
        )
        return "250 Message accepted"


class _AnyPort(Controller):
    """aiosmtpd's controller on a port the system chooses (port 0), told back after binding."""

    def _create_server(self) -> Awaitable[Any]:
        async def create() -> Any:
            server = await Controller._create_server(self)
            self.port = server.sockets[0].getsockname()[1]
            return server

        return create()


@contextmanager
def running_smtp(
    *,
    users: dict[str, str] | None = None,
    tls_context: ssl.SSLContext | None = None,
) -> Iterator[SmtpServer]:
    """An SMTP server in a thread until the block ends.

    `users` (name → password) makes it require a login; `tls_context` makes it offer
    STARTTLS with that certificate.
    """
    state = SmtpServer()

    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword) and users is not None:
            name, password = data.login.decode(), data.password.decode()
            if users.get(name) == password:
                state.logins.append(name)
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    options: dict[str, Any] = {"hostname": "127.0.0.1", "port": 0}
    if users is not None:
        # a login is required only over TLS (aiosmtpd warns otherwise); offered either way
        secure = tls_context is not None
        options |= {"authenticator": authenticate, "auth_required": secure}
        options["auth_require_tls"] = secure
    if tls_context is not None:
        options |= {"tls_context": tls_context, "require_starttls": True}
    controller = _AnyPort(_Handler(state), **options)
    controller.start()
    state.port = controller.port
    try:
        yield state
    finally:
        controller.stop()
