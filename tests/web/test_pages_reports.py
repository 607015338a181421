"""Report pages: what a manager, an accountant, a planner and a viewer see under Reports.

Each page is compared with the API's answer for the same user and filters: the same rows,
the same withheld measures; the downloads are read back with the csv module and openpyxl.
"""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from werkzeug.test import TestResponse

from tests.web.helpers import Api, body, labour_data, sign_in_as

ZH = {"Accept-Language": "zh-CN"}
LABOUR = "labour_by_worker_month"
TALLY = "/modules/labour_tally/records"
CELL = re.compile(r"<td[^>]*>(?:<a [^>]*>)?([^<]*)(?:</a>)?</td>")


def page_client(api: Api, name: str) -> Any:
    """The API's app as a browser signed in as `name`."""
    client = api.app.test_client()
    assert sign_in_as(client, name).status_code == 302
    return client


def table_rows(response: TestResponse) -> list[list[str]]:
    """The body rows of the report table, as their cells' text."""
    html = response.get_data(as_text=True)
    tbody = html[html.index("<tbody>") : html.index("</tbody>")]
    return [CELL.findall(tr) for tr in tbody.split("<tr>")[1:]]


def footer(response: TestResponse) -> str:
    html = response.get_data(as_text=True)
    return html[html.index("<tfoot>") : html.index("</tfoot>")]


def chart_of(response: TestResponse, report_id: str) -> dict[str, Any] | None:
    html = response.get_data(as_text=True)
    match = re.search(
        rf'<script type="application/json" id="report-chart-{report_id}">(.*?)</script>',
        html,
        re.S,
    )
    return json.loads(match.group(1)) if match else None


def approved_tally(api: Api, **overrides: Any) -> None:
    """A tally the foreman submits and the manager approves (it enters the labour report)."""
    project = api.first("project", as_="foreman")["id"]
    made = api.post(TALLY, as_="foreman", json={"data": labour_data(project, **overrides)})
    assert made.status_code == 201, made.text
    base = f"{TALLY}/{body(made)['id']}/transitions"
    assert api.post(f"{base}/submit", as_="foreman").status_code == 200
    assert api.post(f"{base}/approve", as_="manager").status_code == 200


@pytest.mark.parametrize(
    ("name", "shown", "absent"),
    [
        ("manager", {LABOUR, "cost_by_category", "funds_by_month", "schedule_status"}, set()),
        ("planner", {"schedule_status", "cost_by_category"}, {"funds_by_month", LABOUR}),
        ("foreman", {LABOUR, "schedule_status"}, {"funds_by_month", "cost_by_category"}),
    ],
)
def test_reports_lists_what_each_role_may_read(
    api: Api, name: str, shown: set[str], absent: set[str]
) -> None:
    client = page_client(api, name)
    page = client.get("/reports").get_data(as_text=True)
    listed = set(re.findall(r'href="/reports/([a-z_]+)"', page))
    from_api = {r["id"] for r in body(api.get("/reports", as_=name))["items"]}
    assert listed == from_api
    assert shown <= listed and not absent & listed
    assert 'href="/reports"' in client.get("/").get_data(as_text=True)  # the top bar's entry
    for report in absent:
        assert client.get(f"/reports/{report}").status_code in (403, 404)


def test_rows_and_totals_are_the_apis(api: Api) -> None:
    approved_tally(api, worker="Zhao Gang", date="2026-04-06")
    client = page_client(api, "manager")
    answer = body(api.get(f"/reports/{LABOUR}", as_="manager"))
    page = client.get(f"/reports/{LABOUR}")
    assert page.status_code == 200
    rows = table_rows(page)
    assert [(r[0], r[1]) for r in rows] == [(a["worker"], a["month"]) for a in answer["rows"]]
    assert [r[4] for r in rows] == [f"{a['amount']:,.2f}" for a in answer["rows"]]
    total = sum(a["amount"] for a in answer["rows"])
    assert f"{total:,.2f}" in footer(page)
    assert str(sum(a["days"] for a in answer["rows"])) in footer(page)
    chart = chart_of(page, LABOUR)
    assert chart is not None
    bars = [p for s in chart["series"] for p in s["data"] if p]
    assert sorted(Decimal(str(p["value"])) for p in bars) == sorted(
        a["amount"] for a in answer["rows"]
    )
    zhao = next(s for s in chart["series"] if s["name"] == "Zhao Gang")["data"]
    url = next(p["url"] for p in zhao if p)
    listed = client.get(url)  # the bar opens the list of exactly that group's records
    assert listed.status_code == 200 and "Zhao Gang" in listed.get_data(as_text=True)
    assert "Wang" not in "".join(listed.get_data(as_text=True).split("<tbody>")[1:2])


def test_filters_in_the_url_narrow_rows_chart_and_downloads(api: Api) -> None:
    approved_tally(api, worker="Zhao Gang", date="2026-04-06")
    client = page_client(api, "manager")
    args = {"filter[date][gte]": "2026-04-01"}
    answer = body(api.get(f"/reports/{LABOUR}", as_="manager", query_string=args))
    page = client.get(f"/reports/{LABOUR}", query_string=args)
    months = {r[1] for r in table_rows(page)}
    assert months == {a["month"] for a in answer["rows"]} == {"2026-04"}
    html = page.get_data(as_text=True)
    assert 'value="2026-04-01"' in html  # the filter form shows what is applied
    assert "filter%5Bdate%5D%5Bgte%5D=2026-04-01" in html  # downloads and sort keep it
    partial = client.get(
        f"/reports/{LABOUR}",
        query_string=args,
        headers={"HX-Request": "true", "HX-Target": "report-results"},
    )
    assert "<html" not in partial.get_data(as_text=True) and table_rows(partial) == table_rows(page)


def test_a_column_header_sorts_and_long_reports_are_paged(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    approved_tally(api, worker="Zhao Gang", date="2026-04-06")
    client = page_client(api, "manager")
    rows = table_rows(client.get(f"/reports/{LABOUR}", query_string={"sort": "-amount"}))
    amounts = [Decimal(r[4].replace(",", "")) for r in rows]
    assert amounts == sorted(amounts, reverse=True) and len(amounts) >= 3
    up = table_rows(client.get(f"/reports/{LABOUR}", query_string={"sort": "amount"}))
    assert [r[4] for r in up] == [r[4] for r in reversed(rows)]
    monkeypatch.setattr("web.pages.reports.PER_PAGE", 2)
    first = client.get(f"/reports/{LABOUR}", query_string={"sort": "-amount"})
    second = client.get(f"/reports/{LABOUR}", query_string={"sort": "-amount", "page": "2"})
    assert table_rows(first) == rows[:2] and table_rows(second) == rows[2:4]
    assert "page 1 of" in first.get_data(as_text=True)
    assert 'rel="next"' in first.get_data(as_text=True)
    assert f"{sum(amounts):,.2f}" in footer(second)  # the totals are of all rows, every page


def test_a_hidden_measure_is_absent_from_table_chart_and_downloads(api: Api) -> None:
    client = page_client(api, "viewer")
    answer = body(api.get(f"/reports/{LABOUR}", as_="viewer"))
    assert "amount" not in answer["columns"]
    page = client.get(f"/reports/{LABOUR}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Total amount" not in html and "sort=amount" not in html
    assert chart_of(page, LABOUR) is None  # its chart draws the amount: no chart at all
    assert len(table_rows(page)[0]) == len(answer["columns"])
    text = client.get(f"/reports/{LABOUR}/download?format=csv").get_data(as_text=True)
    assert "amount" not in text.lower().splitlines()[0]
    sheet = load_workbook(
        io.BytesIO(client.get(f"/reports/{LABOUR}/download?format=xlsx").get_data())
    ).active
    assert sheet is not None and sheet.max_column == len(answer["columns"])


def test_downloads_keep_types_freeze_the_header_and_never_run_a_formula(api: Api) -> None:
    approved_tally(api, worker='=HYPERLINK("http://evil.example","x")')
    client = page_client(api, "accountant")
    answer = body(api.get(f"/reports/{LABOUR}", as_="accountant"))
    response = client.get(f"/reports/{LABOUR}/download?format=xlsx&sort=worker")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(values) == len(answer["rows"])
    assert all(isinstance(v[2], int) and isinstance(v[4], int | float) for v in values)
    assert sheet.cell(row=2, column=5).number_format == "#,##0.00"
    assert any(str(v[0]).startswith("'=HYPERLINK") for v in values)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    text = client.get(f"/reports/{LABOUR}/download?format=csv").get_data(as_text=True)
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert not any(cell.startswith("=") for line in lines for cell in line)
    assert len(lines) == len(answer["rows"]) + 1


@pytest.mark.parametrize(
    "args",
    [
        {"filter[date][gte]": "next tuesday"},
        {"filter[nothing_here]": "1"},
        {"filter[date][gte]": "<script>alert(1)</script>"},
    ],
)
def test_a_hostile_filter_is_a_clear_4xx(api: Api, args: dict[str, str]) -> None:
    client = page_client(api, "manager")
    page = client.get(f"/reports/{LABOUR}", query_string=args)
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "These filters could not be used" in html and "<script>alert" not in html
    download = client.get(f"/reports/{LABOUR}/download", query_string={"format": "csv", **args})
    assert 400 <= download.status_code < 500
    assert client.get(f"/reports/{LABOUR}/download?format=pdf").status_code == 404
    assert client.get("/reports/no_such_report").status_code == 404


def test_chinese_titles_and_headings(api: Api) -> None:
    client = page_client(api, "manager")
    index = client.get("/reports", headers=ZH).get_data(as_text=True)
    assert "点工月度汇总" in index and "资金收支月报" in index and "报表" in index
    page = client.get("/reports/schedule_status", headers=ZH).get_data(as_text=True)
    assert "进度任务状态统计" in page and "计数" in page and "合计" in page
    assert chart_of(client.get("/reports/schedule_status", headers=ZH), "schedule_status")


def test_a_pack_may_declare_a_heat_map(api: Api) -> None:
    """A report whose chart is a heat map: months across, trades down, hours as colour."""
    from engine.db import transaction
    from engine.packs import import_pack
    from tests.web.helpers import ROOT

    pack = json.loads((ROOT / "modules" / "construction.json").read_text("utf-8"))
    pack["version"] = "99.0.0"
    report = next(r for r in pack["reports"] if r["id"] == LABOUR)
    report["group_by"] = ["trade", "month(date)"]
    report["chart"] = {"type": "heatmap", "x": "month(date)", "y": "hours", "series": "trade"}
    with transaction(api.session_factory) as session:
        import_pack(session, json.dumps(pack, ensure_ascii=False))
    answer = body(api.get(f"/reports/{LABOUR}", as_="manager"))
    chart = chart_of(page_client(api, "manager").get(f"/reports/{LABOUR}"), LABOUR)
    assert chart is not None and chart["series"][0]["type"] == "heatmap"
    assert chart["xAxis"]["data"] == sorted({a["month"] for a in answer["rows"]})
    assert "Rebar fixer" in chart["yAxis"]["data"]  # the trade's label, not "rebar"
    cells = chart["series"][0]["data"]
    assert len(cells) == len(answer["rows"])
    assert chart["visualMap"]["max"] == max(float(a["hours"]) for a in answer["rows"])
    assert all("filter%5Btrade%5D=" in c["url"] for c in cells)


@pytest.mark.parametrize("name", ["foreman", "viewer", "accountant", "planner"])
def test_each_role_sees_the_rows_the_api_gives_it(api: Api, name: str) -> None:
    """Row scopes and hidden fields hold on the page as in the API, report by report."""
    approved_tally(api, worker="Zhao Gang", date="2026-04-06")
    client = page_client(api, name)
    for item in body(api.get("/reports", as_=name))["items"]:
        answer = body(api.get(f"/reports/{item['id']}", as_=name))
        page = client.get(f"/reports/{item['id']}")
        assert page.status_code == 200
        rows = table_rows(page) if answer["rows"] else []
        assert len(rows) == len(answer["rows"]), item["id"]
        assert all(len(r) == len(answer["columns"]) for r in rows), item["id"]


def test_the_charts_axes_are_titled_in_the_readers_language(api: Api) -> None:
    client = page_client(api, "manager")
    chart = chart_of(client.get(f"/reports/{LABOUR}"), LABOUR)
    assert chart is not None
    assert (chart["xAxis"]["name"], chart["yAxis"]["name"]) == ("Month", "Total amount")
    chinese = chart_of(client.get(f"/reports/{LABOUR}", headers=ZH), LABOUR)
    assert chinese is not None
    assert (chinese["xAxis"]["name"], chinese["yAxis"]["name"]) == ("月份", "合计金额")
