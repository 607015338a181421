"""The materials pack's stock ledger, a report over receipts and issues together, over HTTP:
its page opens in Chinese with each line's project and material by name and the running
balance, and a pack whose sources disagree is answered 422 at the place, in Chinese."""

from __future__ import annotations

import copy
import json
import re

from engine.db import transaction
from engine.packs import import_pack
from tests.web.helpers import ROOT, Api, body
from tests.web.test_pages_reports import page_client, table_rows

ZH = {"Accept-Language": "zh-CN"}
MATERIALS = ROOT / "modules" / "materials.json"


def test_the_stock_ledger_page_opens_in_chinese(api: Api) -> None:
    with transaction(api.session_factory) as session:
        import_pack(session, MATERIALS.read_text("utf-8"))
    client = page_client(api, "manager")
    response = client.get("/reports/stock_ledger", headers=ZH)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "物资收发存台账" in html
    headings = re.findall(r'<th scope="col"[^>]*>\s*<a [^>]*>([^<]*)</a>', html)
    assert headings[3:6] == ["入库", "出库", "结存"]  # the pack's titles
    rows = table_rows(response)
    assert len(rows) == 12
    assert len(rows) == 12
    riverside = "滨江花园二期住宅楼 Riverside Garden Phase II"
    # named by the project's and the material's titles, not their ids
    assert rows[0] == [
        "2026-03-05",
        riverside,
        "HRB400 螺纹钢 Rebar Φ16 × 9 m",
        "35.00",
        "0.00",
        "35.00",
    ]
    assert rows[2] == [
        "2026-03-07",
        riverside,
        "HRB400 螺纹钢 Rebar Φ16 × 9 m",
        "0.00",
        "20.00",
        "15.00",
    ]
    plywood = "覆膜多层板 Film-faced plywood 1830 × 915 × 18 mm"
    assert rows[5][2:] == [plywood, "0.00", "450.00", "350.00"]
    assert "filter%5B" not in html.split("<tbody>")[1]  # no one list holds both kinds of rows


def test_sources_that_disagree_are_refused_in_chinese(api: Api) -> None:
    pack = json.loads(MATERIALS.read_text("utf-8"))
    ledger = next(r for r in pack["reports"] if r["id"] == "stock_ledger")
    ledger["sources"][1]["values"]["qty"] = "card.label"
    refused = api.post("/packs?dry_run=1", json=copy.deepcopy(pack), headers=ZH)
    assert refused.status_code == 422
    errors = [(e["path"], e["code"], e["message"]) for e in body(refused)["errors"]]
    index = pack["reports"].index(ledger)
    (message,) = [
        m
        for p, c, m in errors
        if (p, c) == (f"/reports/{index}/sources/1/values/qty", "report_source_type_differs")
    ]
    assert "第一个数据源" in message


def test_the_api_gives_the_ledger_and_its_csv(api: Api) -> None:
    with transaction(api.session_factory) as session:
        import_pack(session, MATERIALS.read_text("utf-8"))
    answer = body(api.get("/reports/stock_ledger", as_="manager"))
    assert answer["columns"] == ["date", "project", "material", "received", "issued", "balance"]
    assert [r["balance"] for r in answer["rows"]][-3:] == [28, 25, 12]  # rebar, cement, rebar
    csv = api.get("/reports/stock_ledger?format=csv", as_="manager")
    assert csv.status_code == 200 and "2026-04-10" in csv.get_data(as_text=True)
