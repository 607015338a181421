"""The accountant imports cost centres from the list page, in a browser.

A CSV whose first record has two cost lines on two rows and whose second record has a wrong
period: the preview (run by a background worker, followed by htmx polling) lists the problem
at its row and column and shows the first record with its lines; the accountant maps the
unknown "Vendor" column to the supplier, previews again, imports the valid rows and finds
the record in the list. In Chinese on a 390 px phone too. No console errors; screenshots.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from engine.attachments import LocalFolder
from engine.imports.jobs import run_next
from tests.e2e.conftest import LiveServer, Watch
from tests.e2e.test_labour_tally_flow import sign_in

CSV = (
    "编号,所属项目,成本科目,期间（年-月）,摘要,Vendor,名称,数量,单价\n"
    "1,PRJ-2026-001,材料费,2026-03,钢筋采购,首钢,HRB400 钢筋,10,4200\n"
    ",,,,,,C30 混凝土,20,450\n"
    "2,PRJ-2026-001,机械费,2026-13,吊车租赁,,汽车吊,1,3000\n"
).encode("gbk")


@pytest.fixture
def importing_server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """The app on a free port, with a worker thread running queued imports as `serve` does."""
    from tests.web.helpers import PASSWORD, make_app

    app = make_app(database_url, tmp_path / "uploads")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    stopping = threading.Event()
    store = LocalFolder(tmp_path / "uploads")
    factory = app.extensions["formwork"].session_factory

    def work() -> None:
        while not stopping.is_set():
            if run_next(factory, store, worker="e2e") is None:
                stopping.wait(0.2)

    threads = [
        threading.Thread(target=server.serve_forever, daemon=True),
        threading.Thread(target=work, daemon=True),
    ]
    for thread in threads:
        thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", PASSWORD)
    finally:
        stopping.set()
        server.shutdown()
        for thread in threads:
            thread.join(timeout=10)
        app.extensions["formwork"].engine.dispose()


def upload(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/m/cost_centre")
    page.locator("#import-button").click()
    page.set_input_files(
        "#import-file", files=[{"name": "costs.csv", "mimeType": "text/csv", "buffer": CSV}]
    )
    page.locator("form.import-upload button[type=submit]").click()
    expect(page.locator("#import-job")).to_have_attribute("data-status", "done")


def test_the_accountant_previews_corrects_the_mapping_and_imports_the_valid_rows(
    importing_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    page = new_page()
    sign_in(page, importing_server, "accountant")
    upload(page, importing_server)
    problems = page.locator(".import-problems tbody tr")
    expect(problems).to_have_count(1)
    expect(problems.first).to_contain_text("期间（年-月）")
    expect(problems.first.locator("td").nth(1)).to_have_text("4")
    children = page.locator(".import-child-rows tbody tr")
    expect(children).to_have_count(2)
    expect(children.nth(1)).to_contain_text("C30 混凝土")

    page.get_by_label("Vendor").select_option(label="Supplier or subcontractor")
    page.get_by_label("Import the valid rows", exact=False).check()
    page.locator("#import-preview").click()
    expect(page.locator("#import-job")).to_have_attribute("data-status", "done")
    expect(page.get_by_label("Vendor")).to_have_value("supplier")
    expect(page.locator(".import-preview")).to_contain_text("首钢")
    expect(page.locator("input[name=mode][value=valid]")).to_be_checked()
    page.screenshot(path=str(screenshots / "import-preview-en-1280.png"), full_page=True)

    page.locator("#import-apply").click()
    expect(page.locator("#import-job")).to_have_attribute("data-status", "done")
    expect(page.locator("#import-counts")).to_contain_text("1 created")
    expect(page.locator("#import-counts")).to_contain_text("1 rejected")
    expect(page.locator("#import-rejected")).to_be_visible()
    page.screenshot(path=str(screenshots / "import-summary-en-1280.png"), full_page=True)
    page.locator("#import-list").click()
    expect(page.locator("table.data")).to_contain_text("钢筋采购")
    page.goto(importing_server.url + "/m/cost_centre/imports")
    expect(page.locator(".import-history tbody tr")).to_have_count(3)
    page.screenshot(path=str(screenshots / "import-history-en-1280.png"), full_page=True)
    watch.check()


def test_the_import_pages_on_a_phone_in_chinese(
    importing_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    page = new_page(locale="zh-CN", width=390, height=844)
    sign_in(page, importing_server, "accountant")
    page.goto(importing_server.url + "/m/cost_centre/import")
    expect(page.locator("h1")).to_have_text("导入记录")
    page.screenshot(path=str(screenshots / "import-upload-zh-390.png"), full_page=True)
    upload(page, importing_server)
    expect(page.locator(".import-problems")).to_contain_text("格式不正确")
    expect(page.locator("#import-counts")).to_contain_text("待创建")
    page.screenshot(path=str(screenshots / "import-preview-zh-390.png"), full_page=True)
    page.locator("#import-apply").click()  # all or nothing: refused, nothing written
    expect(page.locator("#import-job")).to_have_attribute("data-status", "failed")
    expect(page.locator("#import-error")).to_be_visible()
    page.screenshot(path=str(screenshots / "import-refused-zh-390.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    page.goto(importing_server.url + "/m/cost_centre/imports")
    expect(page.locator("h1")).to_have_text("导入历史")
    page.screenshot(path=str(screenshots / "import-history-zh-390.png"), full_page=True)
    watch.check()


def test_a_child_sheet_column_is_mapped_on_a_phone(
    importing_server: LiveServer, new_page: Any, watch: Watch, screenshots: Path
) -> None:
    """A workbook whose cost lines are on their own sheet with an unknown price column: the
    accountant picks its field under the sheet's name and previews again on a phone."""
    from tests.web.test_import_page_sheets import workbook

    page = new_page(locale="zh-CN", width=390, height=844)
    sign_in(page, importing_server, "accountant")
    page.goto(importing_server.url + "/m/cost_centre/import")
    book = workbook(price="价格")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    page.set_input_files(
        "#import-file", files=[{"name": "costs.xlsx", "mimeType": xlsx, "buffer": book}]
    )
    page.locator("form.import-upload button[type=submit]").click()
    expect(page.locator("#import-job")).to_have_attribute("data-status", "done")
    sheet = page.locator("table.import-child-sheet[data-sheet='成本明细']")
    price = sheet.get_by_label("价格")
    expect(price).to_have_value("")
    price.select_option(label="成本明细 › 单价")
    page.screenshot(path=str(screenshots / "import-child-sheet-zh-390.png"), full_page=True)
    page.locator("#import-preview").click()
    expect(page.locator("#import-job")).to_have_attribute("data-status", "done")
    expect(page.locator("table.import-child-sheet").get_by_label("价格")).to_have_value(
        "lines.unit_price"
    )
    expect(page.locator(".import-preview")).to_contain_text("4,200.00")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    watch.check()
