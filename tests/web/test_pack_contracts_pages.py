"""The bundled contracts pack's pages as its people open them, in Chinese: the ledger list
with its totals, the board by state, a contract with its figures, the new-contract form for
the commercial manager, the change orders and the contract ledger report."""

from __future__ import annotations

import re

from engine import accounts
from engine.db import transaction
from engine.packs import import_pack
from tests.web.helpers import PASSWORD, ROOT, Api
from tests.web.test_pages_reports import page_client

ZH = {"Accept-Language": "zh-CN"}


def test_the_contract_pages_open_in_chinese(api: Api) -> None:
    with transaction(api.session_factory) as session:
        import_pack(session, (ROOT / "modules" / "contracts.json").read_text("utf-8"))
        accounts.create_user(session, "chen", PASSWORD, roles=["commercial"])
    accountant = page_client(api, "accountant")
    listing = accountant.get("/m/contract", headers=ZH)
    assert listing.status_code == 200
    html = listing.get_data(as_text=True)
    assert "PRJ-2026-001-HT-0001" in html and "地下室防水专业分包" in html
    totals = html[html.index("<tfoot>") : html.index("</tfoot>")]
    # signed 86,500,000 + 6,800,000 + 860,000 + 588,000; changes 420,000 + 20,000;
    # paid 6,800,000 + 5,200,000 + 2,150,000 + 600,000
    # signed, approved changes, current value (a formula over a rollup, summed in SQL), paid
    found = re.findall(r"[\d,]+\.\d\d", totals)
    assert found == ["94,748,000.00", "440,000.00", "95,188,000.00", "14,750,000.00"]
    board = accountant.get("/m/contract/board", headers=ZH)
    assert board.status_code == 200 and "项目经理审批" in board.get_data(as_text=True)
    pages = {
        "/m/change_order": "签证变更",
        "/m/fund": "所属合同",
        "/reports/contract_ledger": "合同台账",
        "/reports/contract_payments": "合同收付进度",
    }
    for url, words in pages.items():
        response = accountant.get(url, headers=ZH)
        assert response.status_code == 200, url
        assert words in response.get_data(as_text=True), url
    main = re.search(r'href="/m/contract/r/(\w+)"[^>]*>PRJ-2026-001-HT-0001<', html)
    assert main is not None
    page = accountant.get(f"/m/contract/r/{main.group(1)}", headers=ZH).get_data(as_text=True)
    for words in ("合同现值", "86,920,000.00", "质保金", "2,607,600.00", "72,312,400.00"):
        assert words in page, words  # current value; 3% retention; due now less 12,000,000 received
    form = page_client(api, "chen").get("/m/contract/new", headers=ZH)
    assert form.status_code == 200 and "签约金额（含税）" in form.get_data(as_text=True)
