"""An administrator builds a report in the builder and publishes it.

Starts a draft of the installed pack on the labour tally, opens Reports, starts a new report,
groups it by month of the date with a quick pick, writes a measure — whose check message
changes as it is typed, from an unknown field to a tick — picks a sum, saves, tries it on the
records and publishes the pack. Screenshots at 1280 and 390 px wide go to
tests/e2e/screenshots/ (builder-reports-<language>*.png).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_admin_console import as_admin
from tests.e2e.test_builder_fields import shoot


def open_reports(admin: Any, server: LiveServer) -> None:
    admin.goto(f"{server.url}/admin/builder/packs/construction")
    admin.click("form[action$='/packs/construction'] button[type=submit]")
    expect(admin.locator("#builder-preview")).to_be_visible()
    editor = admin.url.split("?")[0]
    admin.goto(f"{editor}?module=labour_tally")
    admin.click(".builder-actions a[href$='/reports']")
    expect(admin.locator("#report-form")).to_be_visible()
    admin.wait_for_load_state("load")  # htmx listens from then on: typing earlier says nothing


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_an_admin_builds_a_report_by_month_and_publishes_it(
    language: str, live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    admin = as_admin(new_page, live_server, language)
    open_reports(admin, live_server)
    admin.click(".report-list a[href$='report=new']")
    form = admin.locator("#report-form")
    form.locator("input[name=title_en]").fill("Hours by month")
    form.locator("input[name=title_zh]").fill("月度工时")
    expect(form.locator("#report-id-hint")).to_contain_text("hours_by_month")
    group = form.locator("[data-report-row=group]").first
    group.locator("select[data-report-pick]").select_option("month(date)")
    expect(group.locator("[data-expression-state=ok]")).to_be_visible()
    measure = form.locator("[data-report-row=measure]").first
    measure.locator("input[data-report-measure-name]").fill("hours")
    text = measure.locator("textarea")
    text.fill("")
    text.press_sequentially("sum(hourz)", delay=20)
    expect(measure.locator(".expression-problems li")).to_contain_text("hourz")
    text.fill("")
    text.press_sequentially("sum(hours)", delay=20)
    expect(measure.locator("[data-expression-state=ok]")).to_be_visible()
    admin.click("#report-form button[hx-get*='kind=measure']")
    extra = form.locator("[data-report-row=measure]").nth(1)
    expect(extra).to_be_visible()
    extra.locator("select[data-report-pick]").select_option("count()")
    expect(extra.locator("input[data-report-measure-name]")).to_have_value("count")
    form.locator("select[name=chart_type]").select_option("bar")
    expect(form.locator("select[name=chart_x] option[value='month(date)']")).to_have_count(1)
    form.locator("select[name=chart_y]").select_option("hours")
    form.locator(".report-actions button[type=submit]").first.click()
    expect(admin.locator(".report-list a[aria-current=page]")).to_contain_text(
        "Hours by month" if language == "en" else "月度工时"
    )
    admin.locator(".report-actions button[formaction$='/reports/try']").click()
    expect(admin.locator("[data-tried=rows] tbody tr").first).to_be_visible()
    expect(admin.locator("#report-form [data-expression-state=ok]")).to_have_count(3)
    shoot(admin, screenshots, "reports", language)
    admin.locator(".builder-actions form[action$='/publish'] button").click()
    expect(admin.locator("body")).to_contain_text("hours_by_month")
    admin.locator("form[action$='/publish/confirm'] button[type=submit]").click()
    expect(admin.locator(".flash-success").first).to_contain_text("construction")
    watch.check()
