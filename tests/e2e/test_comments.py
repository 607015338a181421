"""A site manager and a foreman talk about a tally on its page, in English and in Chinese on
a phone, each @mentioning the other's colleague picked from the list; the mentioned
accountant sees the count on the bell."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from engine import accounts
from engine.db import make_engine, make_session_factory, transaction
from engine.records import create_record
from tests.e2e.conftest import LiveServer, Watch
from tests.web.helpers import labour_data


def sign_in(page: Any, server: LiveServer, name: str) -> None:
    page.goto(server.url + "/")
    page.fill("#sign-in-name", name)
    page.fill("#sign-in-password", server.password)
    page.click("form[action='/sign-in'] button[type=submit]")
    expect(page.locator("h1")).to_contain_text(re.compile("Good to see you|你好"))


def new_tally(database_url: str) -> str:
    from engine.actor import SYSTEM
    from engine.records import Filter, ListQuery, list_records

    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            query = ListQuery(filters=(Filter("code", "eq", "PRJ-2026-001"),))
            project = list_records(session, "project", SYSTEM, query).items[0].id
            foreman = accounts.actor_of(accounts.get_user(session, "foreman"))
            return create_record(session, "labour_tally", labour_data(project), foreman).id
    finally:
        engine.dispose()


def test_comments_with_a_mention_picked_from_the_list_in_english_and_chinese(
    live_server: LiveServer,
    database_url: str,
    new_page: Any,
    watch: Watch,
    screenshots: Path,
) -> None:
    # screenshots keep the caret: hiding it injects a style, which the pages' CSP refuses
    tally = new_tally(database_url)
    url = f"{live_server.url}/m/labour_tally/r/{tally}"

    manager = new_page()
    sign_in(manager, live_server, "manager")
    manager.goto(url)
    expect(manager.locator("#activity-title")).to_contain_text("Activity")
    box = manager.locator("#comment-body")
    box.click()
    box.press_sequentially("Six hours at 40? <b>check</b> @acc")
    picks = manager.locator("#comment-body-mentions [role=option]")
    expect(picks).to_have_count(1)
    expect(picks.first).to_contain_text("Accountant")
    manager.screenshot(
        path=str(screenshots / "comments-picker-en.png"), full_page=True, caret="initial"
    )
    box.press("Enter")  # the keyboard picks the highlighted user
    expect(box).to_have_value("Six hours at 40? <b>check</b> @accountant ")
    manager.click("button:has-text('Post comment')")
    first = manager.locator(".comment-entry .comment").first
    expect(first).to_have_text("Six hours at 40? <b>check</b> @accountant")
    expect(box).to_have_value("")
    expect(manager.locator("#activity-title")).to_contain_text("1 comment")
    manager.screenshot(path=str(screenshots / "comments-en.png"), full_page=True, caret="initial")

    foreman = new_page(locale="zh-CN", width=390, height=844)
    sign_in(foreman, live_server, "foreman")
    foreman.goto(url)
    expect(foreman.locator("#activity-title")).to_contain_text("动态")
    expect(foreman.locator(".comment-entry .comment").first).to_contain_text("<b>check</b>")
    reply = foreman.locator("#comment-body")
    reply.click()
    reply.press_sequentially("两个班次，共六小时 @Site")
    option = foreman.locator("#comment-body-mentions [role=option]", has_text="manager")
    expect(option).to_have_count(1)
    foreman.screenshot(
        path=str(screenshots / "comments-picker-zh-390.png"), full_page=True, caret="initial"
    )
    option.click()  # the pointer picks too
    expect(reply).to_have_value("两个班次，共六小时 @manager ")
    foreman.click("button:has-text('发表评论')")
    expect(foreman.locator(".comment-entry .comment").first).to_have_text(
        "两个班次，共六小时 @manager"
    )
    expect(foreman.locator("#activity-title")).to_contain_text("2 条评论")
    width = foreman.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px: {width}"
    foreman.screenshot(
        path=str(screenshots / "comments-zh-390.png"), full_page=True, caret="initial"
    )

    accountant = new_page()
    sign_in(accountant, live_server, "accountant")
    expect(accountant.locator("#bell-count")).to_have_text("1")
    manager.goto(url)
    expect(manager.locator("#bell-count")).to_have_text("1")
    watch.check()
