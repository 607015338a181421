"""Notifications in a real browser: the bell's count on a phone in English and Chinese, the
list, marking one read without a reload, following one to its record, and preferences."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session, sessionmaker

from engine import accounts
from engine.actor import SYSTEM
from engine.db import make_engine, make_session_factory, transaction
from engine.notifications import notify
from engine.records import Filter, ListQuery, create_record, list_records
from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_labour_tally_flow import sign_in
from tests.e2e.test_page_defects import PHONE, assert_no_sideways_scroll

TITLE = {"en": "Labour tally", "zh-CN": "点工汇总"}


@pytest.fixture
def factory(live_server: LiveServer, database_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on the live server's database, to raise events as the workflow would."""
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def tally(factory: sessionmaker[Session]) -> str:
    with transaction(factory) as session:
        query = ListQuery(filters=(Filter("code", "eq", "PRJ-2026-001"),))
        project = list_records(session, "project", SYSTEM, query).items[0].id
        foreman = accounts.actor_of(accounts.get_user(session, "foreman"))
        data = {
            "project": project,
            "date": "2026-05-04",
            "worker": "Wang Jianguo",
            "trade": "rebar",
            "items": [{"content": "tying", "hours": "6", "rate": "40"}],
        }
        return create_record(session, "labour_tally", data, foreman).id


def tell_foreman(factory: sessionmaker[Session], record_id: str) -> None:
    """The manager approved the tally, and commented on it <b>with markup</b>."""
    common = {"module_title": TITLE, "title": "LT-1 Wang Jianguo"}
    with transaction(factory) as session:
        notify(
            session,
            "decision",
            ["foreman"],
            key=f"decision:{record_id}",
            module="labour_tally",
            record_id=record_id,
            actor="manager",
            params=common
            | {
                "outcome": "approved",
                "transition": "approve",
                "transition_label": {"en": "Approve", "zh-CN": "批准"},
                "comment": "Checked against the diary",
            },
        )
        notify(
            session,
            "comment",
            ["foreman"],
            key=f"comment:{record_id}",
            module="labour_tally",
            record_id=record_id,
            actor="manager",
            params=common | {"comment_id": 1, "excerpt": "<b>Rain</b> {{ delay }}"},
        )


def test_the_bell_counts_on_a_phone_and_following_one_opens_the_record(
    live_server: LiveServer,
    factory: sessionmaker[Session],
    new_page: Any,
    watch: Watch,
    screenshots: Path,
) -> None:
    record_id = tally(factory)
    tell_foreman(factory, record_id)
    labels = {"en-GB": "2 unread notifications", "zh-CN": "2 条未读通知"}
    for locale, label in labels.items():
        page = new_page(locale=locale, width=PHONE, height=844)
        sign_in(page, live_server, "foreman")
        expect(page.locator("#bell-count")).to_have_text("2")
        expect(page.locator("#bell")).to_have_attribute("aria-label", label)
        assert_no_sideways_scroll(page)
        page.screenshot(path=str(screenshots / f"notifications-bell-{locale}.png"))
        page.click("#bell")
        expect(page.locator("li.note-unread")).to_have_count(2)
        expect(page.locator(".note-detail", has_text="<b>Rain</b> {{ delay }}")).to_be_visible()
        assert_no_sideways_scroll(page)
        page.screenshot(path=str(screenshots / f"notifications-list-{locale}.png"), full_page=True)

    comment = page.locator("li.note", has_text="<b>Rain</b>")
    comment.locator(".note-mark button").click()  # htmx: no reload
    expect(page.locator("li.note-unread")).to_have_count(1)
    expect(page.locator("#bell-count")).to_have_text("1")
    page.locator("li.note-unread .note-headline").click()
    expect(page).to_have_url(re.compile(f"/m/labour_tally/r/{record_id}$"))
    expect(page.locator("h1")).to_contain_text("Wang Jianguo")
    expect(page.locator("#bell-count")).to_have_count(0)
    expect(page.locator("#bell")).to_have_attribute("aria-label", "没有未读通知")
    watch.check()


def test_preferences_are_saved_and_a_wrong_address_is_refused_at_its_field(
    live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    watch.expected_statuses.add(("/notifications/preferences", 422))
    for locale, refused in (("zh-CN", "不是"), ("en-GB", "is not an e-mail address")):
        page = new_page(locale=locale, width=PHONE, height=844)
        sign_in(page, live_server, "foreman")
        page.goto(live_server.url + "/profile")
        page.click("a[href='/notifications/preferences']")
        expect(page.locator("[data-channel-off='email']")).to_be_visible()  # not set up
        page.fill("#pref-email", "wang at example")
        page.fill("#pref-quiet_from", "22:00")
        page.fill("#pref-quiet_to", "07:00")
        page.uncheck("input[name='events'][value='comment']")
        page.click("form.preferences-form button[type=submit]")
        expect(page.locator("#pref-email-error")).to_contain_text(refused)
        expect(page.locator("#pref-email")).to_have_attribute("aria-invalid", "true")
        assert_no_sideways_scroll(page)
        page.screenshot(
            path=str(screenshots / f"notifications-preferences-refused-{locale}.png"),
            full_page=True,
        )
    page.fill("#pref-email", "wang@example.com")
    page.click("form.preferences-form button[type=submit]")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("#pref-email")).to_have_value("wang@example.com")
    expect(page.locator("#pref-quiet_from")).to_have_value("22:00")
    expect(page.locator("input[name='events'][value='comment']")).not_to_be_checked()
    expect(page.locator("input[name='events'][value='task']")).to_be_checked()
    watch.check()
