"""The site the notification journey tests run on: the app on the bundled construction pack,
a real SMTP server and a real HTTP receiver standing in for a DingTalk group robot, both set
up by the administrator on the admin page, and people who chose how to be told through the
API — the manager (all projects) in English, zhao (project one) and qian (project two) in
Chinese, the foreman and the accountant. `tick()` runs `formwork tick` as cron would.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from engine import accounts
from engine.db import transaction
from engine.grants import add_grant
from engine.models_notifications import Notification, NotificationSend
from engine.notifications.robots import dingtalk_sign
from tests.receiver import Receiver, running_receiver
from tests.smtpserver import Received, SmtpServer, running_smtp
from tests.web.helpers import (
    PASSWORD,
    Api,
    body,
    labour_data,
    make_api,
    post,
    project_id,
    sign_in_as,
)

BASE = "https://formwork.example.com"
SECRET = "SECjourney0123456789"
OK = b'{"errcode": 0, "errmsg": "ok"}'
MOBILES = {"manager": "13800000001", "zhao": "13800000002", "foreman": "13800000003"}
MOBILES |= {"qian": "13800000004"}
PEOPLE: dict[str, dict[str, Any]] = {
    "manager": {"language": "en", "channels": ["email", "dingtalk"]},
    "zhao": {"language": "zh-CN", "channels": ["email", "dingtalk"]},
    "qian": {"language": "zh-CN", "channels": ["email", "dingtalk"]},
    "foreman": {"language": "en", "channels": ["email", "dingtalk"]},
    "accountant": {"language": "zh-CN", "channels": ["email"]},
}


@dataclass
class Post:
    """One message the robot was sent: to whom (by mobile), its body, and its signature."""

    mobiles: list[str]
    payload: dict[str, Any]
    query: dict[str, list[str]]

    @property
    def text(self) -> str:
        return str(self.payload["markdown"]["text"])

    @property
    def title(self) -> str:
        return str(self.payload["markdown"]["title"])


@dataclass
class Site:
    api: Api
    smtp: SmtpServer
    robot: Receiver
    admin: FlaskClient
    project: str  # PRJ-2026-001: the manager's and zhao's, not qian's
    timings: list[float] = field(default_factory=list)  # seconds each request took

    def call(self, method: str, path: str, as_: str, payload: Any = None) -> Any:
        """One API request as a user, timed; it must succeed."""
        started = time.monotonic()
        answer = self.api.call(method, path, as_=as_, json=payload)
        self.timings.append(time.monotonic() - started)
        assert answer.status_code in (200, 201), answer.text
        return body(answer)

    def tally(self, as_: str = "foreman") -> tuple[str, str]:
        """A labour tally of project one, written by the foreman and submitted: id, number."""
        data = labour_data(self.project, worker="王伟")
        made = self.call("POST", "/modules/labour_tally/records", as_, {"data": data})
        self.fire(made["id"], "submit", as_)
        return str(made["id"]), str(made["number"])

    def fire(self, record: str, transition: str, as_: str, comment: str | None = None) -> Any:
        url = f"/modules/labour_tally/records/{record}/transitions/{transition}"
        return self.call("POST", url, as_, {"comment": comment} if comment else {})

    def tick(self) -> str:
        """`formwork tick`, as cron runs it: its notifications line."""
        result = self.api.app.test_cli_runner().invoke(args=["tick"])
        assert result.exit_code == 0, result.output
        (line,) = [ln for ln in result.stdout.splitlines() if ln.startswith("Notifications:")]
        return line

    def work(self) -> str:
        """One round of `formwork worker`: what it printed (nothing when nothing was due)."""
        args = ["worker", "--interval", "0.1", "--rounds", "1", "--no-imports"]
        result = self.api.app.test_cli_runner().invoke(args=args)
        assert result.exit_code == 0, result.output
        return str(result.stdout)

    def mails(self, start: int = 0) -> list[Received]:
        return self.smtp.received[start:]

    def posts(self, start: int = 0) -> list[Post]:
        found = []
        for _headers, raw in self.robot.received[start:]:
            payload = json.loads(raw)
            found.append(Post(payload["at"]["atMobiles"], payload, {}))
        for post_, path in zip(found, self.robot.paths[start:], strict=True):
            post_.query = parse_qs(urlsplit(path).query)
        return found

    def outbox(self) -> dict[str, int]:
        """How many sends are in each status."""
        with transaction(self.api.session_factory) as session:
            rows = session.execute(
                select(NotificationSend.status, func.count()).group_by(NotificationSend.status)
            )
            return {status: count for status, count in rows}

    def told(self, event: str | None = None) -> list[tuple[str, str]]:
        """(event, user) of every notification written, in order."""
        with transaction(self.api.session_factory) as session:
            statement = select(Notification.event, Notification.user_name)
            if event is not None:
                statement = statement.where(Notification.event == event)
            return [(e, u) for e, u in session.execute(statement.order_by(Notification.id))]


def to(mail: Received) -> str:
    (address,) = mail.rcpt_tos
    return address.split("@", 1)[0]


def subject(mail: Received) -> str:
    return str(mail.message["Subject"])


def html_of(mail: Received) -> str:
    part = mail.message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


def text_of(mail: Received) -> str:
    part = mail.message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def who(post_: Post) -> str:
    """The user a robot message @mentions."""
    (mobile,) = post_.mobiles
    return {number: name for name, number in MOBILES.items()}[mobile]


def signed(post_: Post) -> bool:
    """Whether a post carries DingTalk's signature of its timestamp, as DingTalk checks it."""
    (stamp,) = post_.query["timestamp"]
    (sign,) = post_.query["sign"]
    return sign == dingtalk_sign(SECRET, int(stamp))


def _people(api: Api, project: str, other: str) -> None:
    with transaction(api.session_factory) as session:
        for name, granted in (("zhao", project), ("qian", other)):
            accounts.create_user(session, name, PASSWORD, roles=["site_manager"])
            add_grant(session, name, "project", granted)
            api.tokens[name] = accounts.create_token(session, name, "tests")
    for name, wanted in PEOPLE.items():
        chosen = wanted | {"email": f"{name}@example.com", "mobile": MOBILES.get(name)}
        saved = api.call("PUT", "/notifications/preferences", as_=name, json=chosen)
        assert saved.status_code == 200, saved.text


def _channels(admin: FlaskClient, robot: Receiver) -> None:
    page = "/admin/notifications/channels"
    assert post(admin, f"{page}/email", {"enabled": "1"}).status_code == 303
    dingtalk = {"url": robot.url, "secret": SECRET, "allow_private": "1", "enabled": "1"}
    assert post(admin, f"{page}/dingtalk", dingtalk).status_code == 303


@contextmanager
def running_site(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Site]:
    """The site, its servers running until the block ends."""
    with ExitStack() as stack:
        smtp = stack.enter_context(running_smtp())
        robot = stack.enter_context(running_receiver())
        robot.bodies += [OK] * 100
        for name, value in {
            "FORMWORK_SMTP_HOST": smtp.host, "FORMWORK_SMTP_PORT": str(smtp.port),
            "FORMWORK_SMTP_TLS": "none", "FORMWORK_SMTP_FROM": "Formwork <noreply@example.com>",
            "FORMWORK_BASE_URL": BASE, "FORMWORK_TIMEZONE": "Asia/Shanghai",
        }.items():  # fmt: skip
            monkeypatch.setenv(name, value)
        api = make_api(database_url, tmp_path)
        stack.callback(api.app.extensions["formwork"].engine.dispose)
        admin = api.app.test_client()
        assert sign_in_as(admin, "admin").status_code == 302
        project, other = project_id(api.app), project_id(api.app, "PRJ-2026-002")
        _people(api, project, other)
        _channels(admin, robot)
        yield Site(api, smtp, robot, admin, project)
