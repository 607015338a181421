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


LONG_ZH = "钢筋绑扎六小时模板支设四小时" * 143  # 2,002 characters, not one space
LONG_URL = "https://example.com/s?id=" + "0123456789abcdef" * 123  # 1,993, no break
HOSTILE = (
    "Sheet at https://example.com/sheet?a=1&b=2.\n"
    'javascript:alert(1) <a href="javascript:alert(2)">click</a> [x](javascript:alert(3))\n'
    "{{ 7*7 }} <img src=x onerror=alert(4)> **bold**"
)


def long_comments(database_url: str, record_id: str) -> None:
    """A long paragraph, a long address, and a comment edited twice, by the manager."""
    from engine import comments

    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            manager = accounts.actor_of(accounts.get_user(session, "manager"))
            comments.add_comment(session, "labour_tally", record_id, manager, LONG_ZH)
            comments.add_comment(session, "labour_tally", record_id, manager, LONG_URL)
            edited = comments.add_comment(
                session, "labour_tally", record_id, manager, "第一版：" + LONG_ZH
            )
            for text in ("第二版：" + LONG_URL, "第三版：以此为准"):
                comments.edit_comment(session, edited.id, manager, text)
    finally:
        engine.dispose()


def fits(page: Any, width: int) -> None:
    """Nothing scrolls sideways: not the page, not a comment's own box."""
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"the page scrolls sideways at {width} px: {scrolled}"
    wider = page.evaluate(
        "[...document.querySelectorAll('.timeline .comment')]"
        ".filter(e => e.scrollWidth > e.clientWidth || e.getBoundingClientRect().right > "
        f"{width}).length"
    )
    assert wider == 0, f"{wider} comments are wider than their box"


def test_hostile_text_links_and_long_comments_on_a_phone(
    live_server: LiveServer,
    database_url: str,
    new_page: Any,
    watch: Watch,
    screenshots: Path,
) -> None:
    tally = new_tally(database_url)
    long_comments(database_url, tally)
    url = f"{live_server.url}/m/labour_tally/r/{tally}"

    manager = new_page(width=390, height=844)
    sign_in(manager, live_server, "manager")
    manager.goto(url)
    manager.fill("#comment-body", HOSTILE)
    manager.click("button:has-text('Post comment')")
    expect(manager.locator("#activity-title")).to_contain_text("4 comments")
    posted = manager.locator(".comment-entry > .comment").first
    assert posted.inner_text() == HOSTILE  # every line as typed, every character as text
    link = posted.locator("a")
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", "https://example.com/sheet?a=1&b=2")
    expect(link).to_have_attribute("rel", "noopener nofollow ugc")
    expect(posted.locator("img")).to_have_count(0)
    expect(manager.locator("#activity a[href^='javascript' i]")).to_have_count(0)
    fits(manager, 390)
    manager.screenshot(path=str(screenshots / "comments-long-en-390.png"), full_page=True)

    foreman = new_page(locale="zh-CN", width=390, height=844)
    sign_in(foreman, live_server, "foreman")
    foreman.goto(url)
    expect(foreman.locator("#activity-title")).to_contain_text("4 条评论")
    expect(foreman.locator(".comment-entry > .comment a")).to_have_count(
        2
    )  # the sheet, the long one
    fits(foreman, 390)
    earlier = foreman.locator("details.revisions")
    expect(earlier.locator("summary")).to_have_text("2 个早先版本")
    earlier.locator("summary").click()
    versions = earlier.locator(".revision-list .comment")
    expect(versions).to_have_count(2)
    expect(versions.nth(0)).to_be_visible()
    assert versions.nth(0).inner_text() == "第二版：" + LONG_URL  # newest first
    assert versions.nth(1).inner_text() == "第一版：" + LONG_ZH
    expect(versions.nth(0).locator("a")).to_have_attribute("href", LONG_URL)
    fits(foreman, 390)
    foreman.screenshot(path=str(screenshots / "comments-long-zh-390.png"), full_page=True)
    watch.check()
