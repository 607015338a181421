"""Over HTTP: a running total and the previous month in the API and on the report page, in
Chinese; a report grouped through a link withholds what the reader may not read there."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from engine.db import transaction
from engine.packs import import_pack
from tests.web.helpers import ROOT, Api, body, labour_data, make_api, sign_in_as
from tests.web.test_pages_reports import chart_of

ZH = {"Accept-Language": "zh-CN"}
TALLY = "/modules/labour_tally/records"
REPORTS = [
    {
        "id": "labour_over_time",
        "title": {"en": "Labour over time", "zh-CN": "用工趋势"},
        "module": "labour_tally",
        "where": "worker == 'Zhao Test'",
        "group_by": ["month(date)"],
        "measures": {
            "hours": {"value": "sum(hours)", "compare": "previous"},
            "to_date": {"value": "sum(hours)", "cumulative": True},
        },
        "chart": {"type": "line", "x": "month(date)", "y": "hours_previous"},
    },
    {
        "id": "labour_by_project_code",
        "title": "Labour by project code",
        "module": "labour_tally",
        "where": "worker == 'Zhao Test'",
        "group_by": ["project.code"],
        "measures": {"hours": "sum(hours)", "budget": "max(project.budget)"},
    },
]


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    """The construction pack, upgraded with two reports over time and across modules."""
    made = make_api(database_url, tmp_path)
    pack = json.loads((ROOT / "modules" / "construction.json").read_text("utf-8"))
    pack["version"] = "99.0.0"
    pack["reports"] += REPORTS
    with transaction(made.session_factory) as session:
        import_pack(session, pack)
    project = made.first("project", as_="foreman")["id"]
    for date in ("2026-03-02", "2026-03-20", "2026-04-05"):
        data = labour_data(project, date=date, worker="Zhao Test")  # 7.5 hours each
        assert made.post(TALLY, as_="foreman", json={"data": data}).status_code == 201
    yield made
    made.app.extensions["formwork"].engine.dispose()


def _rows(api: Api, report: str, name: str) -> Any:
    response = api.get(f"/reports/{report}", as_=name)
    assert response.status_code == 200, response.text
    return body(response)


def test_the_api_gives_the_running_total_and_the_previous_month(api: Api) -> None:
    answer = _rows(api, "labour_over_time", "accountant")
    assert answer["columns"] == [
        "month",
        "hours",
        "hours_previous",
        "hours_change",
        "hours_change_pct",
        "to_date",
    ]
    march, april = answer["rows"]
    assert (march["month"], march["hours"], march["hours_previous"]) == ("2026-03", 15, None)
    assert april["hours_previous"] == Decimal("15.0")
    assert (april["hours_change"], april["hours_change_pct"]) == (Decimal("-7.5"), -50)
    assert [march["to_date"], april["to_date"]] == [Decimal("15.0"), Decimal("22.5")]


def test_the_report_page_shows_them_under_chinese_headings(api: Api) -> None:
    client = api.app.test_client()
    assert sign_in_as(client, "accountant").status_code == 302
    page = client.get("/reports/labour_over_time", headers=ZH)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "（上期）" in html and "（增减）" in html and "（增减 %）" in html
    tbody = html[html.index("<tbody>") : html.index("</tbody>")]
    assert "22.5" in tbody and "-7.5" in tbody and "-50" in tbody
    chart = chart_of(page, "labour_over_time")  # the chart draws the previous month
    assert chart is not None
    points = [p for series in chart["series"] for p in series["data"] if p]
    assert [Decimal(str(p["value"])) for p in points if p.get("value") is not None] == [15]
    sheet = client.get("/reports/labour_over_time/download?format=csv", headers=ZH)
    assert "（上期）" in sheet.get_data(as_text=True).splitlines()[0]


def test_a_field_hidden_in_the_linked_module_is_withheld_across_the_join(api: Api) -> None:
    seen = _rows(api, "labour_by_project_code", "accountant")
    assert seen["columns"] == ["project_code", "hours", "budget"]
    assert seen["rows"][0]["hours"] == Decimal("22.5")
    foreman = _rows(api, "labour_by_project_code", "foreman")  # budget hidden from foremen
    assert foreman["columns"] == ["project_code", "hours"]
    assert foreman["rows"][0]["project_code"] == seen["rows"][0]["project_code"]
    client = api.app.test_client()
    assert sign_in_as(client, "foreman").status_code == 302
    html = client.get("/reports/labour_by_project_code").get_data(as_text=True)
    head = html[html.index("<thead>") : html.index("</thead>")]
    assert head.count("<th ") == 2 and seen["rows"][0]["project_code"] in html
