"""A planner reads the demo schedule as a Gantt chart in a browser.

The critical path is marked, zoom widens the chart, dragging a bar moves the task's dates
(and they stay after a reload), a bar dragged after someone else changed the task is refused
with the reason and returns. In Chinese on a 390 px phone the chart scrolls sideways and one
project's S-curve is drawn. No console errors; screenshots at 1280 and 390 px.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from engine.actor import SYSTEM
from engine.db import make_engine, make_session_factory, transaction
from engine.records import ListQuery, list_records, update_record
from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_labour_tally_flow import sign_in

GANTT = "/m/schedule/gantt"
SIDE = ".gantt-task:not(.critical):not(.milestone)"  # Riverside 2.1, beside the critical path


def _schedule(database_url: str, change: str | None = None) -> dict[str, Any]:
    """Riverside's project id and task 2.1 (id, version); `change` sets its notes first."""
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            query = ListQuery(per_page=50, with_children=False)
            items = list_records(session, "schedule", SYSTEM, query).items
            side = next(r for r in items if r.data["wbs_code"] == "2.1")
            if change is not None:
                update_record(session, "schedule", side.id, side.version, {"notes": change}, SYSTEM)
            return {"project": side.data["project"], "id": side.id}
    finally:
        engine.dispose()


def _drag(page: Any, selector: str, dx: float) -> None:
    """Press on the part of the bar in view (a long bar is wider than the window), move."""
    bar = page.locator(selector).first
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    left = max(box["x"], page.locator(".gantt-scroll").bounding_box()["x"]) + 10
    y = box["y"] + box["height"] / 2
    page.mouse.move(left, y)
    page.mouse.down()
    page.mouse.move(left + dx / 2, y, steps=4)
    page.mouse.move(left + dx, y, steps=4)
    page.mouse.up()


def test_the_planner_reads_the_critical_path_zooms_and_drags_a_bar(
    live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path, database_url: str
) -> None:
    page = new_page()
    sign_in(page, live_server, "planner")
    page.goto(live_server.url + GANTT)
    expect(page.locator(".gantt-task.critical")).to_have_count(5)
    expect(page.locator(".gantt-link")).to_have_count(5)
    page.screenshot(path=str(screenshots / "gantt-week-en-1280.png"), full_page=True)
    narrow = page.locator("svg.gantt").bounding_box()["width"]
    page.get_by_role("link", name="Day", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}{GANTT}?zoom=day")
    assert page.locator("svg.gantt").bounding_box()["width"] > 3 * narrow
    task = page.locator(SIDE).first
    before = task.get_attribute("data-start")
    _drag(page, SIDE + " .gantt-bar", 3 * 24)  # three days at 24 px a day
    expect(page.locator("#gantt-notice")).to_contain_text("Moved to")
    expect(page.locator(SIDE).first).not_to_have_attribute("data-start", before or "")
    moved = page.locator(SIDE).first.get_attribute("data-start")
    page.reload()
    expect(page.locator(SIDE).first).to_have_attribute("data-start", moved or "")
    page.screenshot(path=str(screenshots / "gantt-day-en-1280.png"))
    side = _schedule(database_url, change="changed by someone else")  # the page is stale now
    watch.expected_statuses.add((f"{GANTT}/move/{side['id']}", 409))
    _drag(page, SIDE + " .gantt-bar", 5 * 24)
    expect(page.locator("#gantt-notice [role=alert]")).to_be_visible()
    expect(page.locator(SIDE).first).not_to_have_attribute("transform", "translate(120 0)")
    assert page.locator(SIDE).first.get_attribute("data-start") == moved
    page.screenshot(path=str(screenshots / "gantt-refused-en-1280.png"))
    watch.check()


def test_in_chinese_on_a_phone_the_chart_scrolls_and_shows_the_s_curve(
    live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path, database_url: str
) -> None:
    project = _schedule(database_url)["project"]
    page = new_page(locale="zh-CN", width=390, height=844)
    sign_in(page, live_server, "planner")
    page.goto(f"{live_server.url}{GANTT}?filter[project]={project}")
    expect(page.locator("h2")).to_contain_text("S 曲线")
    expect(page.locator(".echart canvas")).to_have_count(1)
    expect(page.locator(".gantt-legend")).to_contain_text("关键线路")
    scroll = page.locator(".gantt-scroll")
    assert scroll.evaluate("e => e.scrollWidth > e.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshots / "gantt-zh-390.png"), full_page=True)
    watch.check()
