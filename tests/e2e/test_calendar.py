"""A foreman looks at his labour tallies on the calendar, in a browser.

Month, week and list; a click opens the record; dragging an entry to another day moves it
and it stays there after a reload; a record submitted meanwhile refuses the move with the
reason and stays put, and once reloaded it is no longer offered for dragging. In Chinese on
a 390 px phone the weeks start on Monday and the list's "移到…" control moves a record
without dragging. No console errors; screenshots at 1280 and 390 px.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from engine import accounts
from engine.db import make_engine, make_session_factory, transaction
from engine.records import create_record
from engine.workflow import apply_transition
from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_labour_tally_flow import sign_in

APRIL = "/m/labour_tally/calendar/month/2026-04"


def _tallies(database_url: str, *days: str) -> list[str]:
    """Draft tallies of the foreman's, one on each day."""
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            foreman = accounts.actor_of(accounts.get_user(session, "foreman"))
            project = _project(session)
            return [
                create_record(
                    session,
                    "labour_tally",
                    {
                        "project": project,
                        "date": day,
                        "worker": f"Worker {n}",
                        "trade": "rebar",
                        "items": [{"content": "tying", "hours": "4", "rate": "40"}],
                    },
                    foreman,
                ).id
                for n, day in enumerate(days, start=1)
            ]
    finally:
        engine.dispose()


def _submit(database_url: str, record_id: str) -> None:
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            foreman = accounts.actor_of(accounts.get_user(session, "foreman"))
            apply_transition(session, "labour_tally", record_id, "submit", foreman)
    finally:
        engine.dispose()


def _project(session: Any) -> str:
    from engine.actor import SYSTEM
    from engine.records import ListQuery, list_records

    return list_records(session, "project", SYSTEM, ListQuery(per_page=1)).items[0].id


def _cell(page: Any, day: str) -> Any:
    return page.locator(f'.cal-day[data-date="{day}"]')


def test_the_foreman_moves_a_tally_on_the_calendar(
    live_server: LiveServer, database_url: str, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    first, second = _tallies(database_url, "2026-04-14", "2026-04-15")
    watch.expected_statuses.add((f"/m/labour_tally/calendar/move/{second}", 409))
    page = new_page(height=1200)  # the whole month in view: a drop lands where it is seen
    sign_in(page, live_server, "foreman")
    page.goto(live_server.url + APRIL)
    expect(page.locator(".cal-title")).to_have_text("April 2026")
    expect(_cell(page, "2026-04-14")).to_contain_text("Worker 1")
    expect(page.locator(".cal-weekday").first).to_have_text("Mon")
    page.screenshot(path=str(screenshots / "cal-month-en-1280.png"), full_page=True)

    page.click(".cal-modes >> text=Week")
    expect(page).to_have_url(re.compile(r"/calendar/week/2026-04-\d\d"))
    expect(page.locator(".cal-day")).to_have_count(7)
    page.click(".cal-modes >> text=Agenda")
    expect(page.locator(".cal-agenda-day[data-date='2026-04-14']")).to_contain_text("Worker 1")
    page.screenshot(path=str(screenshots / "cal-list-en-1280.png"), full_page=True)

    page.goto(live_server.url + APRIL)
    page.click(f'.cal-entry[data-id="{first}"]')
    expect(page).to_have_url(re.compile(rf"/m/labour_tally/r/{first}$"))

    page.goto(live_server.url + APRIL)
    page.locator(f'.cal-entry[data-id="{first}"]').drag_to(_cell(page, "2026-04-17"))
    expect(page.locator("#calendar-status")).to_contain_text("Moved to 2026-04-17")
    expect(_cell(page, "2026-04-17")).to_contain_text("Worker 1")
    page.reload()
    expect(_cell(page, "2026-04-17")).to_contain_text("Worker 1")
    expect(_cell(page, "2026-04-14")).not_to_contain_text("Worker 1")

    _submit(database_url, second)  # submitted by someone else while the page was open
    page.locator(f'.cal-entry[data-id="{second}"]').drag_to(_cell(page, "2026-04-20"))
    alert = page.locator("#calendar-status [role=alert]")
    expect(alert).to_contain_text("Someone changed this record meanwhile")
    expect(_cell(page, "2026-04-15")).to_contain_text("Worker 2")  # stays where it was
    expect(_cell(page, "2026-04-20")).not_to_contain_text("Worker 2")
    page.screenshot(path=str(screenshots / "cal-refused-en-1280.png"), full_page=True)
    page.reload()  # a submitted tally is read-only: no longer offered for dragging
    expect(page.locator(f'.cal-entry[data-id="{second}"]')).not_to_have_attribute(
        "draggable", "true"
    )
    watch.check()


def test_in_chinese_on_a_phone_the_list_moves_a_tally_without_dragging(
    live_server: LiveServer, database_url: str, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    _tallies(database_url, "2026-04-14")
    page = new_page(locale="zh-CN", width=390, height=844)
    sign_in(page, live_server, "foreman")
    page.goto(live_server.url + APRIL)
    expect(page.locator(".cal-title")).to_have_text("2026年4月")
    expect(page.locator(".cal-weekday").first).to_have_text("周一")
    expect(_cell(page, "2026-04-14")).to_contain_text("Worker 1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshots / "cal-month-zh-390.png"), full_page=True)

    page.click(".cal-modes >> text=日程")
    day = page.locator(".cal-agenda-day[data-date='2026-04-14']")
    day.locator("summary", has_text="移到…").click()
    day.locator("input[type=date]").fill("2026-04-21")
    page.screenshot(path=str(screenshots / "cal-list-zh-390.png"), full_page=True)
    day.locator("button", has_text="移动").click()
    expect(page.locator(".cal-agenda-day[data-date='2026-04-21']")).to_contain_text("Worker 1")
    expect(page.locator(".cal-agenda-day[data-date='2026-04-14']")).to_have_count(0)
    watch.check()
