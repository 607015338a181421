"""A foreman records a day's labour, a site manager approves it from the inbox, in a browser."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, Watch


def sign_in(page: Any, server: LiveServer, name: str) -> None:
    page.goto(server.url + "/")
    page.fill("#sign-in-name", name)
    page.fill("#sign-in-password", server.password)
    page.click("form[action='/sign-in'] button[type=submit]")
    expect(page.locator("h1")).to_contain_text(re.compile("Good to see you|你好"))


def test_foreman_records_labour_and_the_manager_approves_it_from_the_inbox(
    live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    watch.expected_statuses.add(("/m/labour_tally/new", 422))  # the form sent back with errors
    foreman = new_page()
    sign_in(foreman, live_server, "foreman")

    # the list of his labour tallies
    foreman.click("text=Modules")
    foreman.click("a[href='/m/labour_tally']")
    expect(foreman.locator("h1")).to_have_text("Labour tally")
    foreman.screenshot(path=str(screenshots / "list.png"), full_page=True)

    # a new record with two child rows; the totals follow as he types
    foreman.click("text=+ New record")
    expect(foreman.locator("h1")).to_have_text("New Labour tally")
    foreman.fill("input[name='_q.project']", "Riverside")
    riverside = foreman.locator("#fld-project option", has_text="Riverside")
    expect(riverside).to_have_count(1)
    foreman.select_option("#fld-project", value=riverside.get_attribute("value"))
    foreman.fill("#fld-date", "2026-05-04")
    foreman.fill("#fld-worker", "王建国")
    foreman.select_option("#fld-trade", "rebar")
    foreman.fill("#fld-items-0-content", "3#楼 12层梁板钢筋绑扎")
    foreman.fill("#fld-items-0-hours", "8")
    foreman.fill("#fld-items-0-rate", "42.50")
    expect(foreman.locator("#calc-items-0-amount")).to_have_text("340.00")
    foreman.click("button:has-text('Add row')")
    expect(foreman.locator("#fld-items-1-content")).to_be_visible()
    foreman.fill("#fld-items-1-content", "加班：楼梯模板")
    foreman.fill("#fld-items-1-hours", "2")
    foreman.fill("#fld-items-1-rate", "67.50")
    expect(foreman.locator("#calc-amount")).to_have_text("475.00")
    expect(foreman.locator("#calc-hours")).to_have_text("10.0")
    # over 8 hours: the overtime reason appears, required
    expect(foreman.locator("#fld-overtime_reason")).to_be_visible()
    foreman.screenshot(path=str(screenshots / "form.png"), full_page=True)

    # saving without it: the error comes back beside the field, nothing typed is lost
    foreman.click("form.record-form button[type=submit]:has-text('Save')")
    expect(foreman.locator("#err-overtime_reason")).to_have_text("This field is required.")
    expect(foreman.locator("#fld-items-1-content")).to_have_value("加班：楼梯模板")
    foreman.fill("#fld-overtime_reason", "赶浇筑节点")
    foreman.click("form.record-form button[type=submit]:has-text('Save')")
    expect(foreman.locator(".flash")).to_have_text("Saved.")
    expect(foreman.locator(".record-meta .badge")).to_have_text("Draft")
    expect(foreman.locator("body")).to_contain_text("475.00")

    # submit (a comment is optional: the dialog asks for one)
    foreman.click("button[data-step='submit']")
    foreman.click("#dlg-submit button[type=submit]")
    expect(foreman.locator(".record-meta .badge")).to_have_text("Submitted")
    foreman.screenshot(path=str(screenshots / "record.png"), full_page=True)
    number = foreman.locator(".record-number").inner_text()

    # the site manager sees it in the inbox and approves it there
    manager = new_page()
    sign_in(manager, live_server, "manager")
    # his tally beside the three records the bundled pack seeds waiting for the manager
    expect(manager.locator("#inbox-count")).to_have_text("4")
    manager.click("a.inbox-link")
    row = manager.locator("tr", has_text=number)
    expect(row).to_contain_text("王建国")
    manager.screenshot(path=str(screenshots / "inbox.png"), full_page=True)
    row.locator("button[data-step='approve']").click()
    expect(manager.locator(".flash")).to_have_text("Done: Approve.")
    expect(manager.locator("tr", has_text=number)).to_have_count(0)
    expect(manager.locator("#inbox-count")).to_have_text("3")

    # the pages switch to Chinese
    manager.click("button[name='language'][value='zh-CN']")
    expect(manager.locator("h1")).to_have_text("待办")
    expect(manager.locator("html")).to_have_attribute("lang", "zh-CN")
    manager.click("text=抄送我的")
    manager.goto(live_server.url + "/m/labour_tally?filter[$state]=approved")
    expect(manager.locator("h1")).to_have_text("点工汇总")
    manager.click(f"text={number}")
    expect(manager.locator(".record-meta .badge")).to_have_text("已审批")
    expect(manager.locator("#activity-title")).to_contain_text("动态")
    manager.screenshot(path=str(screenshots / "record-zh.png"), full_page=True)
    foreman.reload()
    expect(foreman.locator(".record-meta .badge")).to_have_text("Approved")

    watch.check()


def test_the_pages_work_at_phone_width_and_from_the_keyboard(
    live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    page = new_page(locale="zh-CN", width=390, height=844)
    page.goto(live_server.url + "/")
    expect(page.locator("h1")).to_have_text("登录 Formwork")
    page.keyboard.press("Tab")  # the skip link comes first
    page.fill("#sign-in-name", "accountant")
    page.fill("#sign-in-password", live_server.password)
    page.press("#sign-in-password", "Enter")
    expect(page.locator("h1")).to_contain_text("你好")
    page.goto(live_server.url + "/m/fund")
    expect(page.locator("h1")).to_have_text("资金数据中心")
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 390.5 && !e.closest('.table-wrap'))
            .map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)"""
    )
    assert width <= 390, wide  # the page itself never scrolls sideways; wide tables scroll inside
    page.screenshot(path=str(screenshots / "list-phone-zh.png"), full_page=True)
    page.goto(live_server.url + "/m/fund/new")
    expect(page.locator("#fld-amount")).to_be_visible()
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
            .map(e => e.name)"""
    )
    assert unlabelled == []
    page.screenshot(path=str(screenshots / "form-phone-zh.png"), full_page=True)
    watch.check()
