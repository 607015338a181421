"""A site manager opens a project and reads what links to it, in a browser.

The record page's "Related records" section loads once it is scrolled into view: the
project's costs, tallies, tasks and funds, each with its count, totals and newest records.
"All N →" opens the module's list filtered to the project, showing the same N. In Chinese
on a 390 px phone too. No console errors; screenshots at 1280 and 390 px.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_labour_tally_flow import sign_in

RIVERSIDE = "PRJ-2026-001"
COUNTS = {"cost_centre": "2", "labour_tally": "3", "schedule": "5", "fund": "3"}


def open_project(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/m/project")
    page.get_by_role("link", name=RIVERSIDE).click()
    expect(page.locator("h1")).to_contain_text("Riverside")
    page.locator("#related").scroll_into_view_if_needed()
    expect(page.locator(".related-group")).to_have_count(len(COUNTS))


def group(page: Any, module: str) -> Any:
    return page.locator(f'.related-group[data-module="{module}"]')


def test_the_manager_reads_a_projects_related_records_and_opens_the_filtered_list(
    live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    page = new_page()
    sign_in(page, live_server, "manager")
    open_project(page, live_server)
    expect(page.locator("#related-title")).to_have_text("Related records")
    for module, count in COUNTS.items():
        expect(group(page, module).locator(".related-count")).to_have_text(count)
    tallies = group(page, "labour_tally")
    expect(tallies.locator(".related-totals")).to_contain_text("Total hours")
    expect(tallies.locator(".related-items li")).to_have_count(3)
    page.screenshot(path=str(screenshots / "rel-project-en-1280.png"), full_page=True)

    tallies.get_by_role("link", name="All 3 →").click()
    expect(page).to_have_url(re.compile(r"/m/labour_tally\?filter%5Bproject%5D=\w+$"))
    expect(page.locator(".list-meta").first).to_contain_text("3 records")
    expect(page.locator("table.data tbody tr")).to_have_count(3)
    page.screenshot(path=str(screenshots / "rel-list-en-1280.png"), full_page=True)

    page.go_back()
    page.locator("#related").scroll_into_view_if_needed()
    tasks = group(page, "schedule")
    first = tasks.locator(".related-items a").first
    name = first.inner_text()
    first.click()  # a record of the group opens
    expect(page.locator("h1")).to_contain_text(name.split(" · ")[-1])
    watch.check()


def test_the_related_records_in_chinese_on_a_phone(
    live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    page = new_page(locale="zh-CN", width=390, height=844)
    sign_in(page, live_server, "manager")
    open_project(page, live_server)
    expect(page.locator("#related-title")).to_have_text("关联记录")
    costs = group(page, "cost_centre")
    expect(costs.locator("h3")).to_have_text("项目成本中心")
    box = page.locator("#related").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    widths = page.evaluate(
        "[...document.querySelectorAll('.related-group')].map(e => e.scrollWidth - e.clientWidth)"
    )
    assert max(widths) <= 0  # nothing inside a group sticks out
    costs.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "rel-project-zh-390.png"), full_page=True)

    costs.get_by_role("link", name="全部 2 条 →").click()
    expect(page.locator(".list-meta").first).to_contain_text("2 条记录")
    page.screenshot(path=str(screenshots / "rel-list-zh-390.png"), full_page=True)
    watch.check()
