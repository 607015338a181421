"""The bundled labour and wages pack over HTTP: its roster, wages, advances, payments and
reports open in Chinese for the accountant, the workers owed wages are listed with their
figures, and a wrong ID number is answered 422 at the field in the reader's language."""

from __future__ import annotations

from engine.db import transaction
from engine.packs import import_pack
from tests.web.helpers import ROOT, Api, body, errors
from tests.web.test_pages_reports import page_client

ZH = {"Accept-Language": "zh-CN"}


def _install(api: Api) -> None:
    with transaction(api.session_factory) as session:
        import_pack(session, (ROOT / "modules" / "labour.json").read_text("utf-8"))


def test_the_labour_pages_open_in_chinese(api: Api) -> None:
    _install(api)
    client = page_client(api, "accountant")
    pages = {
        "/m/worker": "实名制花名册",
        "/m/wage_accrual": "工资核算",
        "/m/wage_accrual/board": "项目经理已核",
        "/m/advance": "王建国",
        "/m/wage_payment": "工资发放",
        "/m/wage_payment/new": "银行代发",
        "/m/labour_tally": "工人（花名册）",
        "/reports/wages_by_team_month": "木工二班",
        "/reports/wage_arrears": "511025198509230015",
    }
    for url, words in pages.items():
        response = client.get(url, headers=ZH)
        assert response.status_code == 200, url
        assert words in response.get_data(as_text=True), url
    foreman = page_client(api, "foreman")  # keeps the roster, asks for advances
    for url, words in {"/m/worker/new": "身份证号", "/m/advance/new": "扣款月份"}.items():
        response = foreman.get(url, headers=ZH)
        assert response.status_code == 200, url
        assert words in response.get_data(as_text=True), url


def test_the_workers_owed_wages_over_the_api(api: Api) -> None:
    _install(api)
    owed = body(api.get("/modules/worker/records?filter[owed][gt]=0", as_="accountant"))
    assert [(w["data"]["name"], w["data"]["owed"]) for w in owed["items"]] == [("李明", 350)]
    assert owed["totals"]["owed"] == 350
    report = body(api.get("/reports/wage_arrears", as_="accountant"))
    assert [(r["name"], r["earned"], r["paid"], r["owed"]) for r in report["rows"]] == [
        ("李明", 1350, 1000, 350)
    ]


def test_a_wrong_id_number_is_answered_at_its_field(api: Api) -> None:
    _install(api)
    projects = body(api.get("/modules/project/records", as_="manager"))["items"]
    riverside = next(p["id"] for p in projects if p["data"]["code"] == "PRJ-2026-001")
    data = {"name": "周强", "id_number": "34012319780512003", "project": riverside,
            "trade": "general", "entry_date": "2026-03-01", "hourly_rate": 30}  # fmt: skip
    refused = api.post("/modules/worker/records", as_="manager", json={"data": data}, headers=ZH)
    assert refused.status_code == 422
    assert [(e["path"], e["code"], e["message"]) for e in errors(refused)] == [
        ("/id_number", "rule_message", "身份证号应为 18 位：17 位数字加 1 位数字或 X。")
    ]
