"""The bundled materials pack over HTTP: its lists, forms, board-free pages and reports open
in Chinese, and an issue beyond the stock card's stock is answered 422 at the line, in the
reader's language."""

from __future__ import annotations

import re

from engine.db import transaction
from engine.packs import import_pack
from tests.web.helpers import ROOT, Api, body, errors
from tests.web.test_pages_reports import page_client, table_rows

ZH = {"Accept-Language": "zh-CN"}


def _install(api: Api) -> None:
    with transaction(api.session_factory) as session:
        import_pack(session, (ROOT / "modules" / "materials.json").read_text("utf-8"))


def test_the_materials_pages_open_in_chinese(api: Api) -> None:
    _install(api)
    client = page_client(api, "manager")
    pages = {
        "/m/material": "物资目录",
        "/m/stock_card": "现存量",
        "/m/purchase_request": "物资申购",
        "/m/purchase_order": "采购订单",
        "/m/goods_receipt": "物资入库",
        "/m/stock_issue": "领料出库",
        "/reports/received_by_material": "按物资月度入库",
        "/reports/issued_by_card": "按库存卡月度出库",
        "/reports/spend_by_supplier": "华东建材贸易有限公司",
        "/reports/stock_on_hand": "PRJ-2026-001",
    }
    for url, words in pages.items():
        response = client.get(url, headers=ZH)
        assert response.status_code == 200, url
        assert words in response.get_data(as_text=True), url
    foreman = page_client(api, "foreman")  # asks for materials and draws them
    for url, words in {
        "/m/stock_issue/new": "库存卡",
        "/m/purchase_request/new": "需用日期",
    }.items():
        response = foreman.get(url, headers=ZH)
        assert response.status_code == 200, url
        assert words in response.get_data(as_text=True), url


def test_an_issue_beyond_the_stock_is_answered_at_the_line(api: Api) -> None:
    _install(api)
    cards = body(api.get("/modules/stock_card/records", as_="foreman"))["items"]
    cement = next(c for c in cards if "水泥" in c["data"]["label"])  # 25 t on hand
    project = cement["data"]["project"]
    data = {"project": project, "crew": "瓦工班", "lines": [{"card": cement["id"], "qty": 30}]}
    refused = api.post(
        "/modules/stock_issue/records", as_="foreman", json={"data": data}, headers=ZH
    )
    assert refused.status_code == 422
    assert [(e["path"], e["code"], e["message"]) for e in errors(refused)] == [
        ("/lines/0/qty", "rule_message", "领用数量超过现存量。")
    ]
    data["lines"][0]["qty"] = 25
    created = api.post("/modules/stock_issue/records", as_="foreman", json={"data": data})
    assert created.status_code == 201, created.text


def test_reports_over_lines_name_their_materials_and_cards(api: Api) -> None:
    _install(api)
    client = page_client(api, "manager")
    received = client.get("/reports/received_by_material", headers=ZH)
    html = received.get_data(as_text=True)
    assert table_rows(received)[3][:4] == [
        "2026-04",
        "HRB400 螺纹钢 Rebar Φ16 × 9 m",
        "25.00",
        "60.00",
    ]
    headings = re.findall(r'<th scope="col"[^>]*>\s*<a [^>]*>([^<]*)</a>', html)
    assert headings[:5] == ["月份", "物资", "数量", "累计入库", "入库金额"]  # the pack's titles
    (link, *_) = re.findall(r'href="([^"]*filter%5Blines\.material%5D=[^"]*)"', html)
    receipts = client.get(link.replace("&amp;", "&"), headers=ZH)  # a row opens its receipts
    listed = receipts.get_data(as_text=True)
    assert receipts.status_code == 200  # rebar Φ16 in March: the first delivery, not April's
    assert "PRJ-2026-001-RK-001" in listed and "PRJ-2026-001-RK-003" not in listed
    issued = table_rows(client.get("/reports/issued_by_card", headers=ZH))
    assert issued[3][:5] == [
        "2026-04",
        "PRJ-2026-001 HRB400 螺纹钢 Rebar Φ16 × 9 m",
        "1",
        "16.00",
        "48.00",  # 20 + 12 in March, 16 in April
    ]
