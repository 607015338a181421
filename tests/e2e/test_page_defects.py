"""Pages that broke in a real browser: a phone-width labour tally form, a payment with tags,
the waiting records of the seed in the approver's inbox, and the API docs under their CSP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_labour_tally_flow import sign_in

PHONE = 390

# elements that reach past the right edge of the screen, outside the tables that scroll
OVERFLOWING = f"""() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > {PHONE}.5 && !e.closest('.table-wrap'))
    .map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + e.getBoundingClientRect().right)"""


def assert_no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE, page.evaluate(OVERFLOWING)


def test_the_labour_tally_form_fits_a_phone(
    live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    for locale in ("en-GB", "zh-CN"):
        page = new_page(locale=locale, width=PHONE, height=844)
        sign_in(page, live_server, "foreman")
        page.goto(live_server.url + "/m/labour_tally/new")
        expect(page.locator("#fld-items-0-hours")).to_be_visible()
        page.fill("#fld-items-0-hours", "9")  # over 8 hours: the overtime reason appears
        expect(page.locator("#fld-overtime_reason")).to_be_visible()
        assert_no_sideways_scroll(page)
        page.screenshot(path=str(screenshots / f"tally-form-phone-{locale}.png"), full_page=True)
    watch.check()


def test_a_payment_with_tags_opens_and_the_seeded_approval_waits_in_the_inbox(
    live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    page = new_page()
    sign_in(page, live_server, "accountant")
    page.goto(live_server.url + "/m/fund/new")
    page.fill("input[name='_q.project']", "Riverside")
    riverside = page.locator("#fld-project option", has_text="Riverside")
    expect(riverside).to_have_count(1)
    page.select_option("#fld-project", value=riverside.get_attribute("value"))
    page.check("input[name='d.direction'][value='out']")
    page.select_option("#fld-category", "material")
    page.fill("#fld-counterparty", "华东建材贸易有限公司")
    page.fill("#fld-amount", "1250.00")
    page.fill("#fld-date", "2026-05-04")
    page.check("input[name='d.tags'][value='urgent']")
    page.check("input[name='d.tags'][value='final']")
    page.click("form.record-form button[type=submit]")
    expect(page.locator("dd", has_text="Urgent, Final account")).to_be_visible()
    page.screenshot(path=str(screenshots / "payment-tags.png"), full_page=True)
    page.click("text=Edit")
    expect(page.locator("input[name='d.tags'][value='urgent']")).to_be_checked()
    expect(page.locator("input[name='d.tags'][value='advance']")).not_to_be_checked()

    manager = new_page()
    sign_in(manager, live_server, "manager")
    manager.goto(live_server.url + "/inbox")
    expect(manager.locator("button[data-step='manager_approve']")).to_have_count(1)
    expect(manager.locator("button[data-step='approve']")).to_have_count(2)
    manager.screenshot(path=str(screenshots / "inbox-seeded.png"), full_page=True)
    watch.check()


def test_the_inbox_buttons_are_on_screen_on_a_phone(
    live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    for locale in ("en-GB", "zh-CN"):
        page = new_page(locale=locale, width=PHONE, height=844)
        sign_in(page, live_server, "manager")
        page.goto(live_server.url + "/inbox")
        approve = page.locator("button[data-step='approve']").first
        expect(approve).to_be_visible()
        box = approve.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE
        assert_no_sideways_scroll(page)
        page.screenshot(path=str(screenshots / f"inbox-phone-{locale}.png"), full_page=True)
    watch.check()


def test_the_api_docs_render_under_their_content_security_policy(
    live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    page = new_page()
    response = page.goto(live_server.url + "/api/docs")
    assert response is not None
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Formwork")
    page.screenshot(path=str(screenshots / "api-docs.png"))
    watch.check()


def test_every_page_fits_a_phone(
    live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    page = new_page(locale="zh-CN", width=PHONE, height=844)
    sign_in(page, live_server, "admin")
    urls = ["/", "/inbox", "/profile"]
    for module in ("project", "cost_centre", "labour_tally", "schedule", "fund"):
        urls += [f"/m/{module}", f"/m/{module}/new"]
    for url in urls:
        page.goto(live_server.url + url)
        assert_no_sideways_scroll(page)
    for module in ("cost_centre", "labour_tally"):  # records with child rows
        page.goto(live_server.url + f"/m/{module}")
        page.locator("table.data tbody a").first.click()
        expect(page.locator(".record-number")).to_be_visible()
        assert_no_sideways_scroll(page)
        page.screenshot(path=str(screenshots / f"{module}-record-phone.png"), full_page=True)
    watch.check()
