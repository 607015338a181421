"""A contractor's day on the bundled packs beside construction, in a browser.

A site manager opens a rectification notice on a phone in Chinese: the finding select offers
the rows of the chosen inspection only and the deadline counts from the inspection date. A
foreman's issue beyond the stock on hand is refused at the line's quantity. The accountant
reads the workers owed wages in Chinese. The live server's database holds construction (from
make_app) and the packs imported here, with the demo users of the roles they declare.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from engine import accounts
from engine.db import make_engine, make_session_factory, transaction
from engine.packs import import_pack
from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_labour_tally_flow import sign_in
from web.cli_users import DEMO_PACK_USERS

MODULES = Path(__file__).resolve().parents[2] / "modules"
PACKS = ("inspections", "materials", "labour")  # each requires construction, installed first


@pytest.fixture
def server(live_server: LiveServer, database_url: str) -> LiveServer:
    """The live server once the packs and their demo users are in its database."""
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            for pack in PACKS:
                import_pack(session, (MODULES / f"{pack}.json").read_text("utf-8"))
            declared = accounts.declared_roles(session)
            for name, role, display in DEMO_PACK_USERS:
                if role in declared:
                    accounts.create_user(
                        session, name, live_server.password, roles=[role], display_name=display
                    )
    finally:
        engine.dispose()
    return live_server


def value_of(page: Any, label: str) -> Any:
    """The value a record page shows under a label."""
    term = page.locator("dt", has_text=re.compile(f"^{re.escape(label)}$"))
    return page.locator("dl.values > div").filter(has=term).locator("dd")


def choose_inspection(page: Any, typed: str, number: str) -> None:
    """Search the inspection link as a user types, then pick the one found."""
    page.fill("input[name='_q.inspection']", typed)
    found = page.locator("#fld-inspection option", has_text=number)
    expect(found).to_have_count(1)
    # the search has answered: an inspection neither typed nor chosen is no longer offered
    expect(page.locator("#fld-inspection option", has_text="INS-0002")).to_have_count(0)
    page.select_option("#fld-inspection", value=found.get_attribute("value"))


FIRE_WATCH = "动火作业无看火人 Hot work without a fire watch"


def test_a_notice_offers_the_findings_of_its_inspection_only_on_a_phone_in_chinese(
    server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    page = new_page(locale="zh-CN", width=390, height=844)
    sign_in(page, server, "manager")
    page.goto(server.url + "/m/rectification/new")
    expect(page.locator("h1")).to_have_text("新建整改通知")
    findings = page.locator("#fld-finding option")
    expect(findings).to_have_text(["— 请先选择关联记录 —"])

    choose_inspection(page, "塔吊", "INS-0004")  # the crane and excavation-edge inspection
    expect(findings).to_have_text(
        [
            "— 请选择 —",
            "1 · 塔吊高度限位器失灵 Tower-crane height limiter faulty",
            "2 · 基坑边材料堆放过近 Materials stacked too close to the excavation",
            f"3 · {FIRE_WATCH}",
        ]
    )
    choose_inspection(page, "底板", "INS-0001")  # another inspection: its one finding only
    expect(findings).to_have_text(["— 请选择 —", "1 · 底板局部蜂窝麻面 Honeycombing on the raft"])
    choose_inspection(page, "塔吊", "INS-0004")
    expect(findings).to_have_count(4)
    page.select_option("#fld-finding", "3")
    expect(page.locator("#calc-deadline")).to_have_text("2026-11-25")  # the form works it out
    expect(page.locator("#calc-category")).to_have_text("消防与动火")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshots / "contractor-notice-form-zh-390.png"), full_page=True)

    page.click("form.record-form button[type=submit]")
    expect(page.locator(".flash")).to_have_text("已保存。")
    expect(page.locator(".record-meta .badge")).to_have_text("草稿")
    expect(value_of(page, "检查问题")).to_have_text(f"INS-0004 · 3 · {FIRE_WATCH}")
    expect(value_of(page, "问题类别")).to_have_text("消防与动火")
    expect(value_of(page, "严重程度")).to_have_text("一般")
    expect(value_of(page, "整改期限")).to_have_text("2026-11-25")  # 24 November + 1 day
    expect(value_of(page, "所属项目")).to_contain_text("Riverside Garden")  # the inspection's
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshots / "contractor-notice-record-zh-390.png"), full_page=True)
    watch.check()


CARDS = {  # stock card → on hand: received − issued (tests/engine/test_pack_materials.py)
    "PRJ-2026-001-KC-001": "12.00",  # rebar Φ16: 60 − 48
    "PRJ-2026-001-KC-002": "15.00",  # rebar Φ25: 40 − 25
    "PRJ-2026-001-KC-003": "25.00",  # cement: 80 − 55
    "PRJ-2026-001-KC-004": "350.00",  # plywood: 800 − 450
}


def on_hand(page: Any) -> dict[str, str]:
    """Stock card number → the on-hand cell of the stock cards list."""
    column = page.locator("table.data thead th").all_inner_texts().index("On hand")
    rows = page.locator("table.data tbody tr")
    return {
        rows.nth(i).locator("td").nth(0).inner_text(): rows.nth(i)
        .locator("td")
        .nth(column)
        .inner_text()
        for i in range(rows.count())
    }


def test_a_lines_stock_card_is_picked_by_title_on_a_phone_in_chinese(
    server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    page = new_page(locale="zh-CN", width=390, height=844)
    sign_in(page, server, "foreman")
    page.goto(server.url + "/m/stock_issue/new")
    page.wait_for_load_state("networkidle")
    page.fill("input[name='_q.lines.0.card']", "水泥")  # searched by the card's title
    options = page.locator("#fld-lines-0-card option")
    expect(options).to_have_count(2)  # "— none —" and the cement card
    expect(options.nth(1)).to_contain_text("PRJ-2026-001-KC-003")
    page.wait_for_load_state("networkidle")  # the live preview of what was typed has answered
    page.select_option("#fld-lines-0-card", index=1)
    expect(page.locator("#fld-lines-0-unit")).to_have_value("t")  # the card's unit fills in
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the table scrolls
    page.screenshot(path=str(screenshots / "contractor-issue-line-zh-390.png"), full_page=True)
    watch.check()


def test_an_issue_beyond_the_stock_on_hand_is_refused_at_the_lines_quantity(
    server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    watch.expected_statuses.add(("/m/stock_issue/new", 422))  # the form sent back refused
    page = new_page()
    sign_in(page, server, "foreman")
    page.goto(server.url + "/m/stock_card")
    expect(page.locator("h1")).to_have_text("Stock cards")
    expect(page.locator("table.data tbody tr")).to_have_count(len(CARDS))
    assert on_hand(page) == CARDS
    expect(page.locator("table.data tfoot")).to_contain_text("980.00")  # received
    expect(page.locator("table.data tfoot")).to_contain_text("578.00")  # issued
    page.screenshot(path=str(screenshots / "contractor-stock-cards-en-1280.png"), full_page=True)
    cement = page.get_by_role("link", name="PRJ-2026-001-KC-003")
    cement_id = cement.get_attribute("href").rsplit("/", 1)[-1]

    page.goto(server.url + "/m/stock_issue/new")
    page.fill("input[name='_q.project']", "Riverside")
    riverside = page.locator("#fld-project option", has_text="Riverside")
    expect(page.locator("#fld-project option")).to_have_count(2)
    page.select_option("#fld-project", value=riverside.get_attribute("value"))
    page.fill("#fld-crew", "抹灰三班 Plaster crew 3")
    page.wait_for_load_state("networkidle")  # the live preview of what was typed has answered
    page.fill("input[name='_q.lines.0.card']", "cement")  # a line's card is searched by title
    cards = page.locator("#fld-lines-0-card option", has_text="Portland cement")
    expect(cards).to_have_count(1)
    expect(page.locator("#fld-lines-0-card option")).to_have_count(2)  # and "— none —"
    page.select_option("#fld-lines-0-card", value=cement_id)
    expect(page.locator("#fld-lines-0-unit")).to_have_value("t")  # the card's unit fills in
    page.fill("#fld-lines-0-qty", "26")  # one tonne more than the 25 on hand
    page.click("form.record-form button[type=submit]:has-text('Save')")
    expect(page.locator("#err-fld-lines-0-qty")).to_have_text("More than the stock on hand.")
    expect(page.locator("#fld-lines-0-qty")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#fld-lines-0-qty")).to_have_value("26")  # nothing typed is lost
    page.screenshot(path=str(screenshots / "contractor-issue-refused-en-1280.png"), full_page=True)

    page.goto(server.url + "/m/stock_issue")  # nothing saved, the stock untouched
    expect(page.locator("h1")).to_have_text("Issues to site")
    expect(page.locator("table.data tbody")).not_to_contain_text("Plaster crew 3")
    page.goto(server.url + "/m/stock_card")
    assert on_hand(page) == CARDS
    watch.check()


def test_the_accountant_reads_the_workers_owed_wages_in_chinese(
    server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    page = new_page(locale="zh-CN")
    sign_in(page, server, "accountant")
    page.goto(server.url + "/reports")
    page.get_by_role("link", name="欠薪人员清单").click()
    expect(page.locator("h1")).to_have_text("欠薪人员清单")
    rows = page.locator("table.report-table tbody tr")
    expect(rows).to_have_count(1)  # 李明 alone: March 1,350.00 earned, 1,000.00 paid
    expect(rows.first.locator("td")).to_have_text(
        ["滨江花园二期住宅楼 Riverside Garden Phase II", "木工二班", "李明", "511025198509230015",
         "1,350.00", "0.00", "1,000.00", "350.00"]
    )  # fmt: skip
    page.screenshot(path=str(screenshots / "contractor-wage-arrears-zh.png"), full_page=True)

    page.goto(server.url + "/m/worker")  # the roster totals what all four earned and are owed
    expect(page.locator("h1")).to_have_text("实名制花名册")
    expect(page.locator("table.data tbody tr")).to_have_count(4)
    expect(page.locator("table.data tfoot")).to_contain_text("2,710.00")  # 1,360 + 1,350
    expect(page.locator("table.data tfoot")).to_contain_text("350.00")
    watch.check()
