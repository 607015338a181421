"""A site manager reads reports in a browser: the chart draws, filters and sorting redraw
the table, a point of the chart opens the records behind it, Excel downloads; in English
at 1280 px and in Chinese at 390 px, with no console error (tooltips included)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_labour_tally_flow import sign_in

LABOUR = "/reports/labour_by_worker_month"


def chart_drawn(page: Any) -> None:
    chart = page.locator(".echart[data-drawn='1']")
    expect(chart).to_have_count(1)
    expect(chart.locator("canvas").first).to_be_visible()
    expect(page.locator(".echart[data-finished='1']")).to_have_count(1)  # drawn, animation done


def hover_chart(page: Any) -> None:
    """Move over the chart so its tooltip shows (a CSP violation would be a console error)."""
    box = page.locator(".echart").bounding_box()
    for fraction in (0.3, 0.5, 0.7):
        page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] * 0.6)
        page.wait_for_timeout(150)


def test_manager_reads_filters_sorts_and_downloads_a_report(
    live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    page = new_page()
    sign_in(page, live_server, "manager")
    page.click("a.reports-link")
    expect(page.locator("h1")).to_have_text("Reports")
    page.click("text=Labour by worker and month")
    expect(page.locator("h1")).to_have_text("Labour by worker and month")
    chart_drawn(page)
    hover_chart(page)
    rows = page.locator(".report-table tbody tr")
    expect(rows).to_have_count(3)
    page.screenshot(path=str(screenshots / "reports-labour-1280.png"), full_page=True)

    # a date filter redraws table and chart in place and is kept in the address
    page.fill("input[name='filter[date][gte]']", "2026-04-01")
    page.locator("input[name='filter[date][gte]']").dispatch_event("change")
    expect(page).to_have_url(re.compile(r"date(\]|%5D)(\[|%5B)gte(\]|%5D)=2026-04-01"))
    expect(rows).to_have_count(1)
    chart_drawn(page)

    # a header click sorts (descending on the second click), still filtered
    page.fill("input[name='filter[date][gte]']", "")
    page.locator("input[name='filter[date][gte]']").dispatch_event("change")
    expect(rows).to_have_count(3)
    page.click(".report-table thead a:has-text('Total amount')")
    expect(page.locator("th[aria-sort='ascending']")).to_have_count(1)
    page.click(".report-table thead a:has-text('Total amount')")
    expect(page.locator("th[aria-sort='descending']")).to_have_count(1)
    amounts = [
        float(t.replace(",", "")) for t in rows.locator("td.num:last-child").all_inner_texts()
    ]
    assert amounts == sorted(amounts, reverse=True)

    with page.expect_download() as info:
        page.click("text=Download Excel")
    path = info.value.path()
    sheet = load_workbook(io.BytesIO(Path(path).read_bytes())).active
    assert sheet is not None and sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]][-1] == "Total amount"
    assert sheet.max_row == 4 and isinstance(sheet.cell(row=2, column=5).value, int | float)

    # a point of a chart opens the list of exactly its records
    page.goto(live_server.url + "/reports/funds_by_month")
    chart_drawn(page)
    point = page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.querySelector('.echart'));
          const option = chart.getOption();
          const series = option.series[0];
          const index = series.data.findIndex((d) => d && d.url);
          const value = series.data[index].value;
          return chart.convertToPixel({seriesIndex: 0}, [index, value]);
        }"""
    )
    box = page.locator(".echart").bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    expect(page).to_have_url(re.compile(r"/m/fund\?.*filter%5Bdirection%5D="))
    expect(page.locator("h1")).to_have_text("Funds ledger")
    watch.check()


def test_reports_in_chinese_on_a_phone(
    live_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    page = new_page(locale="zh-CN", width=390, height=844)
    sign_in(page, live_server, "manager")
    page.goto(live_server.url + "/reports")
    expect(page.locator("h1")).to_have_text("报表")
    page.screenshot(path=str(screenshots / "reports-index-zh-390.png"), full_page=True)
    page.click("text=点工月度汇总")
    expect(page.locator("h1")).to_have_text("点工月度汇总")
    chart_drawn(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing pushes the page sideways; the table scrolls in place
    hover_chart(page)
    page.screenshot(path=str(screenshots / "reports-labour-zh-390.png"), full_page=True)
    page.goto(live_server.url + "/reports/schedule_status")
    chart_drawn(page)
    expect(page.locator("tfoot")).to_contain_text("合计")
    page.screenshot(path=str(screenshots / "reports-schedule-zh-390.png"), full_page=True)
    en = new_page(width=1280)
    sign_in(en, live_server, "manager")
    en.goto(live_server.url + "/reports/cost_by_category")
    chart_drawn(en)
    en.screenshot(path=str(screenshots / "reports-cost-1280.png"), full_page=True)
    watch.check()
