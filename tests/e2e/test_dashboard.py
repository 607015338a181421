"""A site manager reads the home dashboard and clicks through a card to the records it counts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_labour_tally_flow import sign_in

CARD = "article.dash-number:has(h3:text-is('{title}'))"


def test_the_dashboard_opens_the_list_of_what_a_card_counts(
    live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    page = new_page()
    sign_in(page, live_server, "manager")
    expect(page.locator("#dashboard-title")).to_have_text("Project overview")
    expect(page.locator(".dash-card")).to_have_count(7)
    expect(page.locator(".echart canvas")).to_have_count(2)  # both charts drawn by ECharts
    page.screenshot(path=str(screenshots / "dash-home-en.png"), full_page=True)

    card = page.locator(CARD.format(title="Overdue tasks"))
    figure = card.locator("[data-figure]").inner_text().strip()
    card.locator("a.dash-link").click()
    expect(page).to_have_url(re.compile(r"/m/schedule\?filter"))
    expect(page.locator("h1")).to_have_text("Schedule and progress")
    records = f"{figure} record" + ("" if figure == "1" else "s")
    expect(page.locator("main")).to_contain_text(records)
    page.screenshot(path=str(screenshots / "dash-overdue-list-en.png"), full_page=True)
    watch.check()


def test_the_dashboard_on_a_phone_in_chinese(
    live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    page = new_page(locale="zh-CN", width=390, height=844)
    sign_in(page, live_server, "manager")
    expect(page.locator("#dashboard-title")).to_have_text("项目概览")
    cards = page.locator(".dash-card")
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    assert first and second and second["y"] > first["y"] + first["height"] - 1  # one column
    assert first["width"] <= 390
    expect(page.locator(".echart canvas")).to_have_count(2)
    page.screenshot(path=str(screenshots / "dash-home-zh-CN-phone.png"), full_page=True)
    page.locator(CARD.format(title="待审批成本")).locator("a.dash-link").click()
    expect(page).to_have_url(re.compile(r"/m/cost_centre\?filter"))
    page.screenshot(path=str(screenshots / "dash-waiting-list-zh-CN-phone.png"), full_page=True)
    watch.check()
