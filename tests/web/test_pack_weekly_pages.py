"""The bundled weekly reports as the site manager opens them in Chinese: the list with the
week's figures, a report's A4 sheet, the trend report, and the schedule's RACI columns;
over the API, "me" finds the tasks that consult him."""

from __future__ import annotations

from engine.db import transaction
from engine.packs import import_pack
from tests.web.helpers import ROOT, Api
from tests.web.test_pages_reports import page_client

ZH = {"Accept-Language": "zh-CN"}


def install(api: Api) -> None:
    with transaction(api.session_factory) as session:
        for name in ("risks", "weekly"):
            import_pack(session, (ROOT / "modules" / f"{name}.json").read_text("utf-8"))


def test_the_weekly_pages_open_in_chinese_with_their_figures(api: Api) -> None:
    install(api)
    found = api.call(
        "GET", "/modules/weekly_report/records?filter[week_start]=2026-03-02", as_="manager"
    ).get_json()
    (week,) = found["items"]
    assert (week["data"]["labour_hours"], week["data"]["labour_cost"]) == (18.0, 835.00)
    client = page_client(api, "manager")
    pages = {
        "/m/weekly_report": "项目周报",
        f"/m/weekly_report/r/{week['id']}": "本周点工费用（已审批）",
        f"/m/weekly_report/r/{week['id']}/print/weekly_sheet": "835.00",
        "/m/weekly_report/board": "待审阅",
        "/reports/weekly_trend": "项目周报趋势",
        "/m/schedule": "批准人（A）",
    }
    for url, words in pages.items():
        response = client.get(url, headers=ZH)
        assert response.status_code == 200, url
        assert words in response.get_data(as_text=True), url


def test_me_finds_the_tasks_that_consult_me(api: Api) -> None:
    install(api)
    tasks = api.call("GET", "/modules/schedule/records?per_page=50", as_="planner").get_json()
    task = next(t for t in tasks["items"] if t["data"]["wbs_code"] == "2.1")
    change = {"version": task["version"], "data": {"consulted": ["manager", "accountant"]}}
    response = api.call(
        "PATCH", f"/modules/schedule/records/{task['id']}", as_="planner", json=change
    )
    assert response.status_code == 200, response.get_json()
    url = "/modules/schedule/records?filter[consulted][contains]=me"
    mine = api.call("GET", url, as_="manager").get_json()
    assert [t["data"]["wbs_code"] for t in mine["items"]] == ["2.1"]
    assert api.call("GET", url, as_="planner").get_json()["items"] == []


def test_the_home_page_lists_the_tasks_i_am_responsible_and_accountable_for(api: Api) -> None:
    install(api)
    tasks = api.call("GET", "/modules/schedule/records?per_page=50", as_="planner").get_json()
    task = next(t for t in tasks["items"] if t["data"]["wbs_code"] == "2.1")
    change = {"version": task["version"], "data": {"accountable": "manager"}}
    api.call("PATCH", f"/modules/schedule/records/{task['id']}", as_="planner", json=change)
    home = page_client(api, "manager").get("/?dashboard=my_raci", headers=ZH).get_data(as_text=True)
    assert "我批准负责的任务（A）" in home and "我负责执行的任务（R）" in home
    start = home.index("我批准负责的任务（A）")
    accountable = home[start : home.index("</article>", start)]  # the card alone
    assert task["data"]["task"] in accountable
    responsible = home[home.index("我负责执行的任务（R）") : start]
    assert task["data"]["task"] not in responsible  # A, not R: nobody is R for it yet
