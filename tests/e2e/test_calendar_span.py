"""A planner moves a five-day task on the schedule's calendar, in a browser.

The schedule's calendar runs from planned start to planned finish: the task is one bar from
Friday to Sunday and goes on along the next week row. Dragging it by its fourth day two days
on moves it whole — start and finish two days later — and it stays there after a reload. In
Chinese on a 390 px phone the bar fits the width, the list names each of its days, and the
list's "移到…" control moves it by its start. No console errors; screenshots cal-span-*.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from engine import accounts
from engine.actor import SYSTEM
from engine.db import make_engine, make_session_factory, transaction
from engine.records import ListQuery, create_record, get_record, list_records
from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_labour_tally_flow import sign_in

# June 2026 starts on a Monday; only tasks on hold are shown (the seeded ones are not)
JUNE = "/m/schedule/calendar/month/2026-06?filter%5Bstatus%5D=on_hold"
LIST = "/m/schedule/calendar/list/2026-06?filter%5Bstatus%5D=on_hold"
DAYS = ["2026-06-05", "2026-06-06", "2026-06-07", "2026-06-08", "2026-06-09"]


def _task(database_url: str) -> str:
    """A task on hold from Friday 5 June to Tuesday 9 June, the planner's."""
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            planner = accounts.actor_of(accounts.get_user(session, "planner"))
            project = list_records(session, "project", SYSTEM, ListQuery(per_page=1)).items[0]
            data = {
                "project": project.id,
                "wbs_code": "7.1",
                "task": "Pour the roof slab",
                "planned_start": DAYS[0],
                "planned_finish": DAYS[-1],
                "status": "on_hold",
            }
            return create_record(session, "schedule", data, planner).id
    finally:
        engine.dispose()


def _dates(database_url: str, record_id: str) -> tuple[str, str]:
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            data = get_record(session, "schedule", record_id, SYSTEM).data
            return data["planned_start"].isoformat(), data["planned_finish"].isoformat()
    finally:
        engine.dispose()


def _piece(page: Any, day: str, record_id: str) -> Any:
    return page.locator(f'.cal-day[data-date="{day}"] .cal-entry[data-id="{record_id}"]')


def test_the_planner_drags_a_spanning_task_and_it_keeps_its_length(
    live_server: LiveServer, database_url: str, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    task = _task(database_url)
    page = new_page(height=1200)
    sign_in(page, live_server, "planner")
    page.goto(live_server.url + JUNE)
    for day in DAYS:
        expect(_piece(page, day, task)).to_have_count(1)
    expect(_piece(page, "2026-06-04", task)).to_have_count(0)
    expect(_piece(page, "2026-06-08", task)).to_contain_text("Pour the roof slab")
    page.screenshot(path=str(screenshots / "cal-span-month-en-1280.png"), full_page=True)

    _piece(page, "2026-06-08", task).drag_to(page.locator('.cal-day[data-date="2026-06-10"]'))
    expect(page.locator("#calendar-status")).to_contain_text("Moved to 2026-06-07")
    expect(_piece(page, "2026-06-11", task)).to_have_count(1)  # drawn again, whole
    expect(_piece(page, "2026-06-06", task)).to_have_count(0)
    assert _dates(database_url, task) == ("2026-06-07", "2026-06-11")
    page.screenshot(path=str(screenshots / "cal-span-moved-en-1280.png"), full_page=True)
    page.reload()
    expect(_piece(page, "2026-06-07", task)).to_have_count(1)
    expect(_piece(page, "2026-06-05", task)).to_have_count(0)
    watch.check()


def test_in_chinese_on_a_phone_the_bar_fits_and_the_list_names_its_days(
    live_server: LiveServer, database_url: str, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    task = _task(database_url)
    page = new_page(locale="zh-CN", width=390, height=844)
    sign_in(page, live_server, "planner")
    page.goto(live_server.url + JUNE)
    expect(page.locator(".cal-title")).to_have_text("2026年6月")
    for day in DAYS:
        expect(_piece(page, day, task)).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshots / "cal-span-month-zh-390.png"), full_page=True)

    page.goto(live_server.url + LIST)
    day = page.locator(".cal-agenda-day[data-date='2026-06-08']")
    expect(day).to_contain_text("第 4/5 天")
    day.locator("summary", has_text="移到…").click()
    day.locator("input[type=date]").fill("2026-06-12")
    page.screenshot(path=str(screenshots / "cal-span-list-zh-390.png"), full_page=True)
    day.locator("button", has_text="移动").click()
    moved = page.locator(".cal-agenda-day[data-date='2026-06-16']")
    expect(moved).to_contain_text("第 5/5 天")
    expect(page.locator(".cal-agenda-day[data-date='2026-06-05']")).to_have_count(0)
    assert _dates(database_url, task) == ("2026-06-12", "2026-06-16")
    watch.check()
