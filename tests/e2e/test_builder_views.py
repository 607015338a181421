"""An administrator sets a module's list and views in the builder, in English and Chinese.

Starts a blank module with a text, a money and a date field and a workflow, opens List and
views, ticks the columns and drags the date to the front, totals the money, sorts by the
date, switches on a board by state and a calendar by the date, publishes through the
review, enters a record, and sees the list page draw the columns in that order with the
total. Screenshots at 1280 and 390 px wide go to tests/e2e/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_admin_console import as_admin
from tests.e2e.test_builder_fields import add_field, drag, shoot


def _start(admin: Any, language: str) -> None:
    admin.click("p.builder-entry a")
    admin.click("a[href='/admin/builder/new']")
    admin.fill("#b-pack-id", "works")
    admin.fill("#b-pack-en", "Works")
    admin.fill("#b-module-id", "visit")
    admin.fill("#b-title-en", "Site visit")
    admin.fill("#b-title-zh", "现场巡检")
    admin.click("form.builder-start button[type=submit]")
    expect(admin.locator("#builder-preview")).to_be_visible()
    add_field(admin, "text", "Inspector")
    add_field(admin, "money", "Amount")
    add_field(admin, "date", "Visit date")
    admin.click("a[href$='/workflow']")
    admin.click("form[action$='/workflow/start'] button[type=submit]")
    expect(admin.locator("#wf-drawing svg")).to_be_visible()
    admin.goto(admin.url.split("/workflow")[0])  # the editor links to List and views
    admin.click(".builder-actions a[href$='/views']")
    expect(admin.locator("#list-settings")).to_be_visible()


def _columns(page: Any) -> list[str]:
    return page.locator(".bv-columns input[name=columns]:checked").evaluate_all(
        "els => els.map(e => e.value)"
    )


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_an_admin_sets_the_list_and_views_and_the_list_follows(
    language: str, live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    admin = as_admin(new_page, live_server, language)
    _start(admin, language)
    expect(admin.locator("#view-calendar select[name='calendar.date'] option")).to_have_count(2)
    for name in ("$number", "inspector", "amount", "visit_date"):
        admin.check(f".bv-columns input[name=columns][value='{name}']")
    handle = admin.locator(".bv-columns li[data-name=visit_date] .drag-handle")
    drag(admin, handle, admin.locator(".bv-columns li[data-name='$number'] .drag-handle"))
    assert _columns(admin) == ["visit_date", "$number", "inspector", "amount"]
    admin.click(".bv-columns li[data-name=amount] button[value='up:amount']")  # keyboard path
    assert _columns(admin) == ["visit_date", "$number", "amount", "inspector"]
    expect(
        admin.locator(".bv-columns li[data-name=amount] button[value='up:amount']")
    ).to_be_focused()
    admin.check("#bv-totals input[value=amount]")
    admin.check("#bv-search input[value=inspector]")
    admin.select_option("#bv-sort", "visit_date")
    admin.select_option("#bv-direction", "desc")
    admin.click("form.bv-list-form button:not([name=move])[type=submit]")
    expect(admin.locator("#bv-preview tfoot")).to_be_visible()
    assert _columns(admin) == ["visit_date", "$number", "amount", "inspector"]

    admin.check("#view-kanban input[name=enable]")
    admin.select_option("#kanban-by", "$state")
    admin.check("#view-calendar input[name=enable]")
    admin.select_option("#calendar-date", "visit_date")
    admin.click("#view-settings button[type=submit]")
    expect(admin.locator("#view-calendar input[name=enable]")).to_be_checked()
    expect(admin.locator("#calendar-date")).to_have_value("visit_date")
    shoot(admin, screenshots, "list-views", language)

    admin.click("form[action$='/publish'] button[type=submit]")
    expect(admin.locator(".pack-summary")).to_contain_text("1.0.0")
    admin.click("form.confirm-publish button[type=submit]")
    expect(admin.locator("#pack-works")).to_contain_text("1.0.0")
    views = admin.request.get(f"{live_server.url}/admin/packs/works/export").json()
    assert views["modules"][0]["ui"]["views"] == [
        {"type": "kanban", "by": "$state"},
        {"type": "calendar", "date": "visit_date"},
    ]

    admin.goto(live_server.url + "/m/visit/new")
    admin.fill("[name='d.inspector']", "Ann")
    admin.fill("[name='d.amount']", "12.50")
    admin.fill("[name='d.visit_date']", "2026-03-02")
    admin.click("form.record-form button[type=submit]")
    admin.goto(live_server.url + "/m/visit")
    heads = admin.locator("table.data thead th")
    expect(heads).to_have_count(4)
    expect(heads.nth(0)).to_contain_text("Visit date")
    expect(heads.nth(2)).to_contain_text(re.compile("Amount"))
    expect(heads.first).to_have_attribute("aria-sort", "descending")
    expect(admin.locator("table.data tfoot")).to_contain_text("12.50")
    shoot(admin, screenshots, "list-views-published", language)
    watch.check()
