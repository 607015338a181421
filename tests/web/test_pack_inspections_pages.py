"""The inspections pack over HTTP: a rectification notice's form offers the findings of the
inspection chosen, the notice shows the finding it points at, and the API refuses a finding
the inspection does not have, in the caller's language."""

from __future__ import annotations

import re

from engine.db import transaction
from engine.packs import import_pack
from tests.web.helpers import ROOT, Api, csrf_token
from tests.web.test_pages_reports import page_client

ZH = {"Accept-Language": "zh-CN"}


def _install(api: Api) -> dict[str, str]:
    """The pack; returns inspection number → id."""
    with transaction(api.session_factory) as session:
        import_pack(session, (ROOT / "modules" / "inspections.json").read_text("utf-8"))
    items = api.get("/modules/inspection/records?per_page=50", as_="manager").json["items"]
    return {item["number"]: item["id"] for item in items}


def test_the_notice_form_offers_the_findings_of_the_chosen_inspection(api: Api) -> None:
    inspections = _install(api)
    client = page_client(api, "manager")
    page = client.get("/m/rectification/new", headers=ZH).get_data(as_text=True)
    assert "整改通知" in page and 'name="_rowof.finding" value=""' in page
    token = csrf_token(client, "/m/rectification/new")
    data = {"csrf_token": token, "d.inspection": inspections["INS-0004"], "_rowof.finding": ""}
    live = client.post("/m/rectification/preview", data=data, headers=ZH)
    html = live.get_data(as_text=True)
    assert live.status_code == 200 and 'id="field-finding" hx-swap-oob="true"' in html
    offered = re.findall(r'<option value="(\d+)">([^<]+)</option>', html)
    assert offered == [
        ("1", "1 · 塔吊高度限位器失灵 Tower-crane height limiter faulty"),
        ("2", "2 · 基坑边材料堆放过近 Materials stacked too close to the excavation"),
        ("3", "3 · 动火作业无看火人 Hot work without a fire watch"),
    ]
    data["_rowof.finding"] = inspections["INS-0004"]  # unchanged: the field is not redrawn
    again = client.post("/m/rectification/preview", data=data, headers=ZH)
    assert 'id="field-finding"' not in again.get_data(as_text=True)


def test_a_notice_shows_its_finding_in_list_record_and_api(api: Api) -> None:
    _install(api)
    listed = api.get("/modules/rectification/records?sort=deadline", as_="manager").json
    first = listed["items"][0]  # ZG-0001, the raft's honeycombing
    assert first["titles"]["finding"] == "INS-0001 · 1 · 底板局部蜂窝麻面 Honeycombing on the raft"
    client = page_client(api, "manager")
    record = client.get(f"/m/rectification/r/{first['id']}", headers=ZH).get_data(as_text=True)
    assert "INS-0001 · 1 · 底板局部蜂窝麻面" in record
    listing = client.get("/m/rectification").get_data(as_text=True)
    assert "INS-0001 · 1 · 底板局部蜂窝麻面" in listing
    board = client.get("/m/rectification/board", headers=ZH)
    assert board.status_code == 200 and "已下发" in board.get_data(as_text=True)


def test_the_api_refuses_a_finding_the_inspection_does_not_have(api: Api) -> None:
    inspections = _install(api)
    body = {"data": {"inspection": inspections["INS-0003"], "finding": 7}}
    response = api.post("/modules/rectification/records", json=body, as_="manager", headers=ZH)
    assert response.status_code == 422
    (error,) = response.json["errors"]
    assert (error["path"], error["code"]) == ("/finding", "no_linked_row")
    assert error["message"] == "INS-0003 的 findings 中没有第 7 行。"


def test_the_openapi_document_describes_the_row_link(api: Api) -> None:
    _install(api)
    document = api.get("/api/v1/openapi.json", as_="manager").json
    found = [
        schema["properties"]["finding"]
        for schema in document["components"]["schemas"].values()
        if "finding" in schema.get("properties", {})
    ]
    assert found and all(f["x-row"] == {"link": "inspection", "table": "findings"} for f in found)
