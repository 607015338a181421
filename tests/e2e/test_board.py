"""A site manager moves cost centres on the board, in a browser.

From the list's Board tab: dragging his own draft to Submitted takes the Submit step and the
card stays there after a reload; dragging a draft he does not own is refused with the
reason and the card goes back to Draft. In Chinese on a 390 px phone the card's "move to"
select does the same without dragging. No console errors; screenshots at 1280 and 390 px.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from engine import accounts
from engine.db import make_engine, make_session_factory, transaction
from engine.records import create_record
from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_builder_fields import drag
from tests.e2e.test_labour_tally_flow import sign_in

BOARD = "/m/cost_centre/board"
MOVE = "/m/cost_centre/board/move"
SCAFFOLD = "Scaffold rental"  # a seeded draft, owned by no one who signs in


def _own_draft(database_url: str, subject: str) -> str:
    """A cost centre the site manager drafted, with a cost line (Submit's condition)."""
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            manager = accounts.actor_of(accounts.get_user(session, "manager"))
            from engine.actor import SYSTEM
            from engine.records import Filter, ListQuery, list_records

            riverside = list_records(
                session, "project", SYSTEM, ListQuery((Filter("code", "eq", "PRJ-2026-001"),))
            ).items[0]
            data = {
                "project": riverside.id,
                "category": "materials",
                "period": "2026-05",
                "subject": subject,
                "budget": "5000",
                "lines": [{"item": "Sand", "unit": "t", "qty": "10", "unit_price": "80"}],
            }
            return create_record(session, "cost_centre", data, manager).id
    finally:
        engine.dispose()


def column(page: Any, key: str) -> Any:
    return page.locator(f'.board-cards[data-column="{key}"]')


def card(page: Any, text: str) -> Any:
    return page.locator(".board-card", has_text=text)


def test_a_manager_drags_cards_to_states_he_may_and_may_not_enter(
    live_server: LiveServer, database_url: str, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    own = _own_draft(database_url, "Site sand, May")
    watch.expected_statuses.add((MOVE, 403))
    page = new_page()
    sign_in(page, live_server, "manager")
    page.goto(live_server.url + "/m/cost_centre")
    page.click(".views-nav a:has-text('Board')")
    expect(page).to_have_url(live_server.url + BOARD)
    expect(column(page, "draft").locator(".board-card")).to_have_count(2)
    page.screenshot(path=str(screenshots / "board-en-1280.png"), full_page=True)

    # his own draft to Awaiting approval: the Submit step is taken, the card moves and stays
    mine = card(page, "Site sand, May")
    drag(page, mine.locator(".board-card-number"), column(page, "submitted"))
    expect(page.locator("#board-notice")).to_contain_text("moved to Awaiting approval")
    expect(column(page, "submitted").locator(f'[data-record="{own}"]')).to_have_count(1)
    page.reload()
    expect(column(page, "submitted").locator(f'[data-record="{own}"]')).to_have_count(1)
    page.click(f'[data-record="{own}"] .board-card-title')
    expect(page.locator(".record-meta .badge")).to_have_text("Awaiting approval")
    page.go_back()

    # a draft he does not own: refused with the reason, the card is back in Draft
    scaffold = card(page, SCAFFOLD)
    drag(page, scaffold.locator(".board-card-number"), column(page, "submitted"))
    notice = page.locator("#board-notice")
    expect(notice).to_contain_text("Submit: Only the record's owner may do this.")
    expect(notice).to_have_class("notice notice-error board-notice")
    expect(column(page, "draft").locator(".board-card", has_text=SCAFFOLD)).to_have_count(1)
    expect(column(page, "submitted").locator(".board-card", has_text=SCAFFOLD)).to_have_count(0)
    page.screenshot(path=str(screenshots / "board-en-refused-1280.png"), full_page=True)
    watch.check()


def test_on_a_phone_in_chinese_the_move_to_select_does_what_a_drag_does(
    live_server: LiveServer, database_url: str, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    own = _own_draft(database_url, "钢筋 五月")
    watch.expected_statuses.add((MOVE, 403))
    page = new_page(locale="zh-CN", width=390, height=844)
    sign_in(page, live_server, "manager")
    page.goto(live_server.url + BOARD)
    if page.locator("html[lang='en']").count():
        page.click(".language-switch button")
    expect(page.locator(".views-nav a[aria-current='page']")).to_have_text("看板")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the board is {width} px wide on a 390 px phone"

    mine = page.locator(f'[data-record="{own}"]')
    mine.locator("select[name=to]").select_option("submitted")
    mine.locator("button[type=submit]").click()
    expect(page.locator("#board-notice")).to_contain_text("已移到")
    expect(column(page, "submitted").locator(f'[data-record="{own}"]')).to_have_count(1)

    scaffold = card(page, SCAFFOLD)
    scaffold.locator("select[name=to]").select_option("submitted")
    scaffold.locator("button[type=submit]").click()
    expect(page.locator("#board-notice")).to_contain_text("只有记录的创建人可以执行此操作。")
    expect(column(page, "draft").locator(".board-card", has_text=SCAFFOLD)).to_have_count(1)
    page.screenshot(path=str(screenshots / "board-zh-390.png"), full_page=True)
    watch.check()
