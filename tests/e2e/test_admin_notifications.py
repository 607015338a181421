"""An administrator sets up the notification channels on a phone, in English and in Chinese.

Points the DingTalk robot at a local receiver (a private address, allowed on purpose, with
its warning), is refused a plain-http URL at its field, sends a test message that the
receiver gets, then finds a send that was given up in the delivery log, filters the log to
the failed ones and sends it again. Screenshots at 390 px wide go to tests/e2e/screenshots/.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from engine import accounts
from engine.db import transaction
from engine.models_notifications import NotificationSend
from engine.notifications import Preferences, notify, save_preferences
from tests.e2e.conftest import LiveServer, Watch
from tests.receiver import Receiver, running_receiver

PHONE = {"width": 390, "height": 844}
OK = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def sign_in_admin(new_page: Any, server: LiveServer, language: str) -> Any:
    page = new_page(**PHONE)
    page.goto(server.url + "/")
    page.fill("#sign-in-name", "admin")
    page.fill("#sign-in-password", server.password)
    page.click("form[action='/sign-in'] button[type=submit]")
    expect(page.locator("h1")).to_contain_text(re.compile("Good to see you|你好"))
    if language == "zh-CN":
        page.click("button[name='language'][value='zh-CN']")
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    return page


def given_up_send(factory: sessionmaker[Session]) -> int:
    """A comment told to the manager over DingTalk whose every attempt failed."""
    with transaction(factory) as session:
        manager = accounts.get_user(session, "manager")
        save_preferences(session, manager.id, Preferences(channels=("dingtalk",)))
        notify(
            session, "comment", ["manager"], key="comment:e2e", actor="admin",
            params={"title": "<b>P-1</b>"},
        )  # fmt: skip
        send_id = session.scalars(select(NotificationSend.id)).one()
        session.execute(
            update(NotificationSend)
            .where(NotificationSend.id == send_id)
            .values(status="failed", attempts=8, last_error="dingtalk refused: 310000 <b>no</b>")
        )
    return send_id


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_an_administrator_sets_up_a_robot_tests_it_and_reads_the_log(
    live_server: LiveServer,
    new_page: Any,
    watch: Watch,
    screenshots: Path,
    receiver: Receiver,
    session_factory: sessionmaker[Session],
    language: str,
) -> None:
    page = sign_in_admin(new_page, live_server, language)
    page.click("a.admin-link")
    page.click("a[href='/admin/notifications/']")
    expect(page.locator("h1")).to_have_text(re.compile("^(Notifications|通知)$"))
    card = page.locator("#channel-dingtalk")
    expect(card.locator("[data-state=off]")).to_be_visible()

    watch.expected_statuses.add(("/admin/notifications/channels/dingtalk", 422))
    card.locator("input[name=url]").fill("http://93.184.216.34/robot/send")
    card.locator("input[name=enabled]").check()
    card.locator("button[type=submit]", has_text=re.compile("Save|保存")).click()
    error = page.locator("#dingtalk-url-error")
    expect(error).to_contain_text("https://")
    if language == "zh-CN":
        expect(error).to_contain_text("机器人")
    error.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / f"admin-notifications-refused-{language}-390.png"))

    card = page.locator("#channel-dingtalk")
    card.locator("input[name=url]").fill(receiver.url)
    card.locator("input[name=secret]").fill("SECe2e-secret-7788")
    card.locator("input[name=allow_private]").check()
    card.locator("input[name=enabled]").check()
    card.locator("button[type=submit]", has_text=re.compile("Save|保存")).click()
    card = page.locator("#channel-dingtalk")
    expect(card.locator("[data-state=on]")).to_be_visible()
    expect(card.locator("input[name=secret]")).to_have_attribute("placeholder", "••••7788")
    expect(page.locator("body")).not_to_contain_text("SECe2e-secret-7788")

    receiver.bodies.append(OK)
    card.locator("button", has_text=re.compile("Send a test message|发送测试消息")).click()
    expect(page.locator(".flash-success")).to_contain_text(re.compile("test message|测试消息"))
    assert len(receiver.received) == 1
    sent = json.loads(receiver.received[0][1])
    assert "timestamp=" in receiver.paths[0] and "sign=" in receiver.paths[0]  # signed
    assert "Formwork" in json.dumps(sent, ensure_ascii=False)
    page.screenshot(
        path=str(screenshots / f"admin-notifications-{language}-390.png"), full_page=True
    )

    send_id = given_up_send(session_factory)
    page.select_option("#log-status", "failed")
    page.click("form.filters button[type=submit]")
    row = page.locator(f"tr[data-send='{send_id}']")
    expect(row).to_have_attribute("data-status", "failed")
    expect(row).to_contain_text("310000 <b>no</b>")
    row.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / f"admin-notifications-log-{language}-390.png"))
    row.locator("button").click()
    expect(page.locator(".flash-success")).to_contain_text(str(send_id))
    expect(page.locator(f"tr[data-send='{send_id}']")).to_have_count(0)  # no longer failed
    page.goto(live_server.url + "/admin/notifications/?status=pending")
    expect(page.locator(f"tr[data-send='{send_id}']")).to_have_attribute("data-status", "pending")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"
    watch.check()
