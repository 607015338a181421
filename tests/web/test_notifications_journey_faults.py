"""Notifications when things go wrong, from the outside: a worker killed between its claim and
its send (the message goes once, after the lease), a site manager of another project (told
nothing) and one who loses the grant before the send (dropped, and the log says why), an
SMTP server that is down and a robot answering 500 (the user's request is not slowed; the
send is retried with backoff, logged, and shown on the admin delivery log)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.db import transaction
from engine.models import utcnow
from engine.models_notifications import Notification, NotificationAttempt, NotificationSend
from engine.notifications.claims import LEASE, claim_due
from engine.notifications.messages import render
from engine.notifications.settings import settings_from_env
from engine.notifications.worker import deliver_round
from tests.smtpserver import running_smtp
from tests.web.helpers import body, post
from tests.web.journey import OK, Site, running_site, to, who

NONE_MORE = "Notifications: 0 sent, 0 to retry later, 0 given up, 0 dropped."
LOG = "/admin/notifications/"
ZH = {"Accept-Language": "zh-CN"}


@pytest.fixture
def site(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    with running_site(database_url, tmp_path, monkeypatch) as made:
        yield made


def sends(site: Site) -> list[tuple[int, str, str, str, str | None]]:
    """(id, recipient, channel, status, last error) of every send, in order."""
    with transaction(site.api.session_factory) as session:
        rows = session.execute(
            select(
                NotificationSend.id,
                Notification.user_name,
                NotificationSend.channel,
                NotificationSend.status,
                NotificationSend.last_error,
            )
            .join(Notification, Notification.id == NotificationSend.notification_id)
            .order_by(NotificationSend.id)
        )
        return [(i, name, channel, status, error) for i, name, channel, status, error in rows]


def log_row(page: str, send_id: int) -> str:
    """The delivery log's row of one send, as the page shows it."""
    return page.split(f'data-send="{send_id}"', 1)[1].split("</tr>", 1)[0]


def test_a_worker_killed_after_its_claim_sends_nothing_until_the_lease_ends_then_once(
    site: Site,
) -> None:
    site.tally()
    settings = settings_from_env()
    now = utcnow()
    taken = claim_due(site.api.session_factory, now=now, limit=100, render=render,
                      settings=settings)  # fmt: skip
    assert len(taken.claimed) == 4  # ... and the worker dies here, having sent nothing
    assert site.outbox() == {"sending": 4}

    assert site.tick() == NONE_MORE  # the lease still holds: no other run sends them
    assert site.mails() == [] and site.posts() == []

    later = deliver_round(site.api.session_factory, now=now + LEASE + dt.timedelta(seconds=1))
    assert (later.sent, later.retrying, later.dropped) == (4, 0, 0)
    assert sorted(to(m) for m in site.mails()) == ["manager", "zhao"]
    assert sorted(who(p) for p in site.posts()) == ["manager", "zhao"]
    assert site.outbox() == {"sent": 4}
    assert site.tick() == NONE_MORE
    assert (len(site.mails()), len(site.posts())) == (2, 2)


def test_a_scoped_out_manager_hears_nothing_and_a_lost_grant_drops_the_send(
    site: Site,
) -> None:
    first, _number = site.tally()
    assert sorted(site.told()) == [("task", "manager"), ("task", "zhao")]  # qian: not hers
    assert site.tick() == "Notifications: 4 sent, 0 to retry later, 0 given up, 0 dropped."
    qian = site.api.get("/notifications", as_="qian")
    assert qian.status_code == 200 and body(qian)["items"] == []
    url = f"/modules/labour_tally/records/{first}/comments"
    refused = site.api.post(url, as_="manager", json={"body": "@qian see this"})
    assert refused.status_code == 422  # she may not be mentioned into it either

    second, _number = site.tally()  # zhao is told, then loses project one before the send
    removed = post(
        site.admin,
        "/admin/users/zhao/grants/remove",
        {"module": "project", "record_id": site.project},
    )
    assert removed.status_code == 302
    mails, posts = len(site.mails()), len(site.posts())
    assert site.tick() == "Notifications: 2 sent, 0 to retry later, 0 given up, 2 dropped."
    assert [to(m) for m in site.mails(mails)] == ["manager"]
    assert [who(p) for p in site.posts(posts)] == ["manager"]
    reason = f"zhao may no longer read labour_tally {second}"
    dropped = [row for row in sends(site) if row[3] == "dropped"]
    assert sorted((r[1], r[2], r[4]) for r in dropped) == [
        ("zhao", "dingtalk", reason),
        ("zhao", "email", reason),
    ]
    page = site.admin.get(f"{LOG}?status=dropped").text
    for send_id, *_rest in dropped:
        assert reason in log_row(page, send_id)
    assert all(name != "qian" for _i, name, *_rest in sends(site))
    assert site.tick() == NONE_MORE


def test_servers_down_do_not_slow_the_user_and_the_send_is_retried_and_logged(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_smtp() as gone:
        closed = gone.port  # nobody listens there once the block ends
    monkeypatch.setenv("FORMWORK_SMTP_PORT", str(closed))
    site.robot.bodies.clear()
    site.robot.statuses += [500] * 4

    site.tally()
    assert max(site.timings) < 2  # seconds: nothing is sent inside the request
    start = utcnow()
    assert site.tick() == "Notifications: 0 sent, 4 to retry later, 0 given up, 0 dropped."
    assert site.mails() == [] and len(site.robot.received) == 2
    failing = sends(site)
    errors = {(name, channel): error or "" for _i, name, channel, _s, error in failing}
    assert "Connection refused" in errors[("manager", "email")]
    assert errors[("zhao", "dingtalk")] == "dingtalk answered HTTP 500: not now"
    with transaction(site.api.session_factory) as session:
        rows = session.scalars(select(NotificationSend)).all()
        waits = {(row.next_attempt_at.replace(tzinfo=dt.UTC) - start) for row in rows}
        tries = session.scalars(select(NotificationAttempt.ok)).all()
    assert all(dt.timedelta(seconds=50) < wait < dt.timedelta(seconds=70) for wait in waits)
    assert tries == [False] * 4  # every attempt logged

    page = site.admin.get(LOG).text
    for send_id, _name, _channel, status, error in failing:
        assert status == "pending" and (error or "")[:40] in log_row(page, send_id)
    zh = site.admin.get(f"{LOG}?status=pending&channel=dingtalk", headers=ZH).text
    assert "dingtalk answered HTTP 500" in zh and 'data-status="pending">等待' in zh

    factory = site.api.session_factory
    soon = deliver_round(factory, now=start + dt.timedelta(seconds=30))
    assert not soon.any and len(site.robot.received) == 2  # the backoff is still running
    again = deliver_round(factory, now=start + dt.timedelta(seconds=75))
    assert (again.sent, again.retrying) == (0, 4) and len(site.robot.received) == 4

    monkeypatch.setenv("FORMWORK_SMTP_PORT", str(site.smtp.port))  # both servers are back
    site.robot.bodies += [OK] * 2
    early = deliver_round(factory, now=start + dt.timedelta(seconds=150))
    assert not early.any  # the second wait is twice the first
    back = deliver_round(factory, now=start + dt.timedelta(seconds=240))
    assert (back.sent, back.retrying) == (4, 0)
    assert sorted(to(m) for m in site.mails()) == ["manager", "zhao"]
    assert sorted(who(p) for p in site.posts(4)) == ["manager", "zhao"]
    with transaction(factory) as session:
        attempts = session.scalars(select(NotificationSend.attempts)).all()
    assert attempts == [3, 3, 3, 3] and site.outbox() == {"sent": 4}
