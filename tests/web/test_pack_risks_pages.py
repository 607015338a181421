"""The bundled risk register's heat map as its page draws it: the whole 5 × 5 matrix of
probability × impact, empty cells too, each open demo risk coloured in its own cell."""

from __future__ import annotations

from engine.db import transaction
from engine.packs import import_pack
from tests.web.helpers import ROOT, Api
from tests.web.test_pages_reports import chart_of, page_client

ZH = {"Accept-Language": "zh-CN"}


def test_the_heat_map_shows_every_cell_of_the_matrix(api: Api) -> None:
    with transaction(api.session_factory) as session:
        import_pack(session, (ROOT / "modules" / "risks.json").read_text("utf-8"))
    response = page_client(api, "manager").get("/reports/risk_heat_map", headers=ZH)
    chart = chart_of(response, "risk_heat_map")
    assert chart is not None and chart["series"][0]["type"] == "heatmap"
    assert chart["xAxis"]["data"] == [
        "1 极少发生",
        "2 不太可能",
        "3 可能发生",
        "4 很可能",
        "5 几乎肯定",
    ]
    assert chart["yAxis"]["data"] == ["1 轻微", "2 较小", "3 中等", "4 严重", "5 灾难性"]
    cells = sorted(tuple(c["value"]) for c in chart["series"][0]["data"])
    # (probability, impact) of the six open demo risks, 0-based, one risk each
    assert cells == [(1, 1, 1), (1, 3, 1), (2, 2, 1), (2, 3, 1), (3, 2, 1), (3, 4, 1)]
    assert (chart["visualMap"]["min"], chart["visualMap"]["max"]) == (1, 1)


def test_the_office_and_risk_pages_open_in_chinese(api: Api) -> None:
    with transaction(api.session_factory) as session:
        for name in ("risks", "admin_requests"):
            import_pack(session, (ROOT / "modules" / f"{name}.json").read_text("utf-8"))
    client = page_client(api, "manager")
    pages = {
        "/m/risk": "风险登记册",
        "/m/risk/board": "极高",  # the board's columns are the levels
        "/m/risk/new": "发生可能性",
        "/m/leave/calendar": "请假申请",
        "/m/seal_use/board": "待印章管理员盖章",
        "/m/travel": "出差申请",
        "/reports/leave_days_by_type": "年休假",
    }
    for url, words in pages.items():
        response = client.get(url, headers=ZH)
        assert response.status_code == 200, url
        assert words in response.get_data(as_text=True), url
