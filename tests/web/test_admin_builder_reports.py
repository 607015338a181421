"""The builder's reports section over HTTP: an admin adds a report to a module of the
installed pack, changes it, tries it on the records and removes it; bad measures and a chart
axis naming nothing are refused with the reason (in Chinese too) and the draft unchanged;
once published, the API lists the report and returns its grouped rows."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from engine import accounts
from engine.db import transaction
from tests.web.helpers import create_record, labour_data, post, project_id
from tests.web.test_admin_builder import ZH, draft_url

SignIn = Callable[[str], FlaskClient]


def labour_draft(client: FlaskClient) -> str:
    """A draft of the installed construction pack, opened on the labour tally."""
    response = post(client, "/admin/builder/packs/construction", {"module": "labour_tally"})
    assert response.status_code == 303, response.text
    url = draft_url(response)
    page = client.get(f"{url}/reports?module=labour_tally")
    assert page.status_code == 200 and "Labour by worker and month" in page.text
    return url


def by_month(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "title_en": "Hours by month",
        "title_zh": "月度工时",
        "where": "",
        "group_key": ["a"],
        "group.a": "month(date)",
        "measure_key": ["b", "c"],
        "measure_name.b": "hours",
        "measure.b": "sum(hours)",
        "measure_name.c": "lines",
        "measure.c": "count()",
        "chart_type": "bar",
        "chart_x": "month(date)",
        "chart_y": "hours",
    }
    return {**form, **changes}


def reports_page(client: FlaskClient, url: str, **args: str) -> str:
    page = client.get(f"{url}/reports", query_string=args)
    assert page.status_code == 200, page.text
    return html.unescape(page.text)


def pack_json(client: FlaskClient, url: str) -> dict[str, Any]:
    response = client.get(f"{url}/download")
    assert response.status_code == 200
    return dict(response.get_json())


def test_an_admin_adds_changes_and_removes_a_report(sign_in: SignIn):
    client = sign_in("admin")
    url = labour_draft(client)
    page = reports_page(client, url)
    assert "Labour by worker and month" in page and "New report" in page
    assert 'value="sum(hours)"' in page and "Date by month" in page  # the quick picks
    added = post(client, f"{url}/reports", by_month())
    assert added.status_code == 303, added.text
    assert added.headers["Location"].endswith("report=hours_by_month")
    report = next(r for r in pack_json(client, url)["reports"] if r["id"] == "hours_by_month")
    assert report["group_by"] == ["month(date)"]
    assert report["measures"] == {"hours": "sum(hours)", "lines": "count()"}
    assert report["chart"] == {"type": "bar", "x": "month(date)", "y": "hours"}
    changed = by_month(**{"title_en": "Hours per trade", "group.a": "trade", "chart_x": "trade"})
    assert post(client, f"{url}/reports/hours_by_month", changed).status_code == 303
    page = reports_page(client, url, report="hours_by_month")
    assert "Hours per trade" in page and 'name="group.a"' not in page  # rows keyed afresh
    report = next(r for r in pack_json(client, url)["reports"] if r["id"] == "hours_by_month")
    assert report["group_by"] == ["trade"] and report["chart"]["x"] == "trade"
    assert post(client, f"{url}/reports/hours_by_month/remove").status_code == 303
    assert "hours_by_month" not in [r["id"] for r in pack_json(client, url)["reports"]]


def test_the_reports_section_speaks_chinese(sign_in: SignIn):
    client = sign_in("admin")
    url = labour_draft(client)
    page = html.unescape(client.get(f"{url}/reports", headers=ZH).text)
    for words in (
        "点工月度汇总",
        "新建报表",
        "添加度量",
        "求和：合计工时",
        "日期（按月）",
        "柱状图",
    ):
        assert words in page, words
    added = post(client, f"{url}/reports", by_month(), headers=ZH)
    assert added.status_code == 303
    page = html.unescape(client.get(f"{url}/reports?report=hours_by_month", headers=ZH).text)
    assert "月度工时" in page and "删除报表" in page and "用现有记录试算" in page
    removed = post(client, f"{url}/reports/hours_by_month/remove", headers=ZH)
    assert removed.status_code == 303
    gone = post(client, f"{url}/reports/hours_by_month/remove", headers=ZH)
    assert gone.status_code == 422 and "此模块没有报表 hours_by_month" in html.unescape(gone.text)


def test_a_report_on_a_field_not_published_yet_cannot_be_tried(sign_in: SignIn):
    client = sign_in("admin")
    url = labour_draft(client)
    added = post(client, f"{url}/fields", {"kind": "decimal", "label_en": "Bonus"})
    assert added.status_code == 303, added.text
    form = by_month(**{"measure.b": "sum(bonus)", "measure_name.b": "bonus", "chart_y": "bonus"})
    tried = html.unescape(post(client, f"{url}/reports/try", form).text)
    assert 'data-tried="note"' in tried and "do not hold bonus yet" in tried
    assert "bonus" not in str(pack_json(client, url).get("reports"))  # a try saves nothing


def test_a_taken_id_is_told_as_it_is_typed(sign_in: SignIn):
    client = sign_in("admin")
    url = labour_draft(client)
    hint = client.get(f"{url}/reports/check-id", query_string={"title_en": "Cost by category"})
    assert "cost_by_category_2" in hint.text
    taken = client.get(f"{url}/reports/check-id", query_string={"id": "cost_by_category"})
    assert "There is a report cost_by_category already" in html.unescape(taken.text)
    zh = client.get(f"{url}/reports/check-id", query_string={"id": "Bad id"}, headers=ZH)
    assert "不是有效的 id" in html.unescape(zh.text) or "Bad id" in zh.text


def refused(client: FlaskClient, url: str, form: dict[str, Any], **kwargs: Any) -> str:
    before = pack_json(client, url)
    response = post(client, f"{url}/reports", form, **kwargs)
    assert response.status_code == 422, response.text
    assert pack_json(client, url) == before  # the draft unchanged
    return html.unescape(response.text)


def test_bad_measures_are_refused_in_chinese_and_the_draft_is_unchanged(sign_in: SignIn):
    client = sign_in("admin")
    url = labour_draft(client)
    code = refused(
        client, url, by_month(**{"measure.b": "__import__('os').system('id')"}), headers=ZH
    )
    assert "名称不能以 _ 开头：__import__" in code
    unknown = refused(client, url, by_month(**{"measure.b": "sum(nope)"}), headers=ZH)
    assert "sum(nope) 引用的 nope 在此处未知" in unknown
    clash = refused(client, url, by_month(**{"measure.b": "sum(worker)"}), headers=ZH)
    assert "'worker' 是文本；sum() 需要数字" in clash
    english = refused(client, url, by_month(**{"measure.b": "sum(worker)"}))
    assert "The types in sum(worker) do not agree" in english
    assert "sum(worker)</textarea>" in english  # what was typed is kept


def test_a_chart_axis_naming_nothing_is_refused(sign_in: SignIn):
    client = sign_in("admin")
    url = labour_draft(client)
    page = refused(client, url, by_month(chart_x="worker", chart_y="nothing"))
    assert "must be one of the report's group_by: month(date)" in page
    assert "must name a measure" in page
    zh = refused(client, url, by_month(chart_y="nothing"), headers=ZH)
    assert "图表的 y 必须是一个度量：hours, lines" in zh


def test_a_foreman_is_refused_and_a_post_without_csrf_is_rejected(sign_in: SignIn):
    admin = sign_in("admin")
    url = labour_draft(admin)
    assert admin.post(f"{url}/reports", data=by_month()).status_code == 400
    foreman = sign_in("foreman")
    assert foreman.get(f"{url}/reports").status_code == 403
    assert post(foreman, f"{url}/reports", by_month()).status_code == 403


def publish(client: FlaskClient, url: str) -> None:
    review = post(client, f"{url}/publish")
    assert review.status_code == 200, review.text
    stamp = re.search(r'name="reviewed" value="([^"]+)"', review.text)
    data = {"reviewed": stamp.group(1)} if stamp else {}
    done = post(client, f"{url}/publish/confirm", data)
    assert done.status_code == 303, done.text


def test_a_published_report_is_listed_by_the_api_and_returns_grouped_rows(
    sign_in: SignIn, app: Flask
):
    client = sign_in("admin")
    url = labour_draft(client)
    assert post(client, f"{url}/reports", by_month()).status_code == 303
    tried = html.unescape(post(client, f"{url}/reports/try", by_month(title_en="Tried")).text)
    assert 'data-tried="rows"' in tried
    cells = re.findall(r"<tr><td>(\d{4}-\d\d)</td><td>([\d.]+)</td><td>(\d+)</td></tr>", tried)
    assert cells  # the seeded records, grouped by month
    publish(client, url)
    project = project_id(app)
    for day in ("2026-09-02", "2026-09-09"):  # 7.5 hours each
        create_record(app, "labour_tally", "foreman", labour_data(project, date=day))
    with transaction(app.extensions["formwork"].session_factory) as session:
        token = accounts.create_token(session, "admin", "tests")
    bearer = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/v1/reports", headers=bearer).get_json()
    assert "hours_by_month" in [item["id"] for item in listed["items"]]
    body = client.get("/api/v1/reports/hours_by_month", headers=bearer).get_json()
    assert body["columns"] == ["month", "hours", "lines"]
    rows = {r["month"]: (float(r["hours"]), r["lines"]) for r in body["rows"]}
    assert rows["2026-09"] == (15.0, 2)
    for month, hours, lines in cells:  # the try showed what the published report gives
        assert rows[month] == (float(hours), int(lines))
