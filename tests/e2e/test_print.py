"""An accountant prints a payment voucher from the record page, in a browser.

The voucher carries the amount in Chinese capitals and the approval history as signature
blocks; on paper (print media) only the sheet shows. In Chinese on a 390 px phone the sheet
fits the screen. No console errors; screenshots at 1280 and 390 px, screen and print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from engine import accounts
from engine.db import make_engine, make_session_factory, transaction
from engine.records import create_record
from engine.workflow import apply_transition
from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_labour_tally_flow import sign_in


def _payment(database_url: str) -> str:
    """A payment submitted by the accountant and sent back by the site manager."""
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            lin = accounts.actor_of(accounts.get_user(session, "accountant"))
            manager = accounts.actor_of(accounts.get_user(session, "manager"))
            data = {
                "project": _project(session),
                "direction": "out",
                "category": "material",
                "counterparty": "华信钢筋有限公司",
                "amount": "10020.30",
                "date": "2026-04-08",
                "invoice_no": "33012600051234",
                "summary": "3#楼钢筋 第2批 Rebar lot 2",
            }
            record = create_record(session, "fund", data, lin).id
            apply_transition(session, "fund", record, "submit", lin)
            apply_transition(session, "fund", record, "reject", manager, comment="缺发票原件")
            return record
    finally:
        engine.dispose()


def _project(session: Any) -> str:
    from engine.actor import SYSTEM
    from engine.records import ListQuery, list_records

    return list_records(session, "project", SYSTEM, ListQuery(per_page=1)).items[0].id


def test_an_accountant_prints_a_voucher(
    live_server: LiveServer, database_url: str, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    record = _payment(database_url)
    page = new_page()
    sign_in(page, live_server, "accountant")
    page.goto(f"{live_server.url}/m/fund/r/{record}")
    page.click("a.print-link")
    expect(page.locator(".print-sheet h1")).to_have_text("Payment voucher")
    expect(page.locator(".print-sheet")).to_contain_text("壹万零贰拾元叁角整")
    expect(page.locator(".print-sheet .signature")).to_have_count(2)
    expect(page.locator(".print-sheet .signature").last).to_contain_text("缺发票原件")
    page.screenshot(path=str(screenshots / "print-voucher-1280.png"), full_page=True)
    page.emulate_media(media="print")
    expect(page.locator(".print-toolbar")).to_be_hidden()
    expect(page.locator("body > header")).to_be_hidden()
    page.screenshot(path=str(screenshots / "print-voucher-paper.png"), full_page=True)
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.click("text=Download PDF")
    assert download.value.suggested_filename.endswith("-voucher.pdf")
    # the Print button opens the browser's dialog (stubbed: a headless browser has none)
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.click("[data-print-page]")
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")
    page.click("a.print-back")
    expect(page.locator("a.print-link")).to_be_visible()
    watch.check()


def test_a_voucher_in_chinese_on_a_phone(
    live_server: LiveServer, database_url: str, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    record = _payment(database_url)
    page = new_page(locale="zh-CN", width=390, height=844)
    sign_in(page, live_server, "accountant")
    page.goto(f"{live_server.url}/m/fund/r/{record}")
    expect(page.locator("a.print-link")).to_have_text("打印")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshots / "print-record-zh-390.png"), full_page=True)
    page.click("a.print-link")
    expect(page.locator(".print-sheet h1")).to_have_text("付款凭证")
    expect(page.locator(".print-sheet")).to_contain_text("金额（大写）")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    page.screenshot(path=str(screenshots / "print-voucher-zh-390.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(screenshots / "print-voucher-zh-paper.png"), full_page=True)
    watch.check()
