"""The builder's list and views over HTTP: an admin chooses the list's columns, sort, search
and totals and switches on a board and a calendar; after publishing, the real list page
shows them. A field that does not fit is refused in the admin's language, the draft kept."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from tests.web.helpers import create_record, post
from tests.web.test_admin_builder import ZH, add, build_visit, start_blank

SignIn = Callable[[str], FlaskClient]
ORDER = ["$number", "day", "inspector", "total", "$state", "visitors", "trade"]


def _visit(client: FlaskClient) -> str:
    url = build_visit(client)  # inspector, visitors, trade, items, total (money)
    add(client, url, "date", "Day")
    assert post(client, f"{url}/workflow/start").status_code == 303
    return url


def _pack(client: FlaskClient, url: str) -> dict:
    return json.loads(client.get(f"{url}/download").data)


def _list(**changes: object) -> dict:
    form: dict = {
        "order": ORDER,
        "columns": ["$number", "day", "inspector", "total", "$state"],
        "sort": "day",
        "direction": "desc",
        "search": ["inspector"],
        "totals": ["total"],
        "filters": ["trade", "$state"],
    }
    return {**form, **changes}


def test_the_published_list_shows_the_columns_sort_search_totals_and_views(
    sign_in: SignIn, app: Flask
):
    client = sign_in("admin")
    url = _visit(client)
    page = client.get(f"{url}/views")
    assert page.status_code == 200
    totals = page.text[page.text.index('id="bv-totals"') : page.text.index('id="bv-totals"') + 900]
    assert 'value="total"' in totals and 'value="inspector"' not in totals  # only what fits
    assert post(client, f"{url}/views/list", _list()).status_code == 303
    views = {"enable": ["kanban", "calendar"], "kanban.by": "$state", "calendar.date": "day"}
    assert post(client, f"{url}/views/views", views).status_code == 303
    ui = _pack(client, url)["modules"][0]["ui"]
    assert ui["list"]["columns"] == ["$number", "day", "inspector", "total", "$state"]
    assert ui["list"]["sort"] == "-day" and ui["list"]["totals"] == ["total"]
    assert ui["views"] == [{"type": "kanban", "by": "$state"}, {"type": "calendar", "date": "day"}]
    preview = html.unescape(client.get(f"{url}/views").text)
    assert re.search(r"Day\s*<span class=\"sort-mark\" aria-hidden=\"true\">▼", preview)
    post(client, f"{url}/publish")
    assert post(client, f"{url}/publish/confirm").status_code == 303
    create_record(app, "visit", "admin", {"inspector": "Ann", "day": "2026-03-02", "total": 10.5})
    create_record(app, "visit", "admin", {"inspector": "Bob", "day": "2026-03-05", "total": 2.25})
    listed = html.unescape(client.get("/m/visit").text)
    head = listed[listed.index("<thead>") : listed.index("</thead>")]
    titles = re.findall(r'hx-push-url="true">([^<]+)', head)
    assert [t.strip() for t in titles] == ["Number", "Day", "Inspector", "Total", "State"]
    assert 'aria-sort="descending"' in head.split("Inspector")[0]  # sorted by day, newest first
    assert listed.index("Bob") < listed.index("Ann")
    foot = listed[listed.index("<tfoot>") : listed.index("</tfoot>")]
    assert "12.75" in foot
    found = html.unescape(client.get("/m/visit", query_string={"q": "Ann"}).text)
    assert "Ann" in found and "Bob" not in found


def test_a_field_that_does_not_fit_is_refused_and_the_draft_is_unchanged(sign_in: SignIn):
    client = sign_in("admin")
    url = _visit(client)
    before = _pack(client, url)
    refused = post(client, f"{url}/views/list", _list(totals=["inspector"], sort="items"))
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    assert "inspector does not fit the totals: it takes a number or money field" in text
    assert "items" in text and "does not fit the sort" in text
    assert 'value="inspector" checked' in refused.text  # what was chosen is kept on the page
    gantt = {"enable": ["gantt"], "gantt.start": "day", "gantt.end": ""}
    refused = post(client, f"{url}/views/views", gantt)
    assert (
        refused.status_code == 422
        and "A Gantt chart needs the Gantt chart's end" in html.unescape(refused.text)
    )
    bad_board = {"enable": ["kanban"], "kanban.by": "total"}
    assert post(client, f"{url}/views/views", bad_board).status_code == 422
    assert _pack(client, url) == before


def test_a_column_moves_up_without_javascript(sign_in: SignIn):
    client = sign_in("admin")
    url = _visit(client)
    moved = post(client, f"{url}/views/list", _list(move="up:inspector"))
    assert moved.status_code == 303
    columns = _pack(client, url)["modules"][0]["ui"]["list"]["columns"]
    assert columns == ["$number", "inspector", "day", "total", "$state"]


def test_a_module_without_a_date_says_the_calendar_needs_one(sign_in: SignIn):
    client = sign_in("admin")
    url = start_blank(client)
    add(client, url, "text", "Place")
    page = html.unescape(client.get(f"{url}/views").text)
    assert "A calendar needs a date or date-time field; this module has none." in page
    assert 'name="enable" value="calendar" disabled' in page


def test_the_section_speaks_chinese(sign_in: SignIn):
    client = sign_in("admin")
    url = _visit(client)
    page = client.get(f"{url}/views", headers=ZH).text
    assert "列表与视图" in page and "合计" in page and "看板" in page
    refused = post(client, f"{url}/views/list", _list(totals=["inspector"]), headers=ZH)
    assert refused.status_code == 422
    assert "inspector 不能用于合计：这里需要随记录保存的数字或金额字段" in html.unescape(
        refused.text
    )


def test_only_an_admin_with_the_form_token_may_change_the_list(sign_in: SignIn):
    admin = sign_in("admin")
    url = _visit(admin)
    assert admin.post(f"{url}/views/list", data=_list()).status_code == 400  # no CSRF token
    foreman = sign_in("foreman")
    assert foreman.get(f"{url}/views").status_code == 403
    assert post(foreman, f"{url}/views/list", _list()).status_code == 403


def test_an_installed_modules_list_and_views_are_shown_as_they_are(sign_in: SignIn):
    client = sign_in("admin")
    started = post(client, "/admin/builder/packs/construction", {"module": "project"})
    url = re.search(r"/admin/builder/d/[0-9a-f]+", started.headers["Location"]).group(0)
    page = client.get(f"{url}/views", query_string={"module": "labour_tally"}).text
    columns = re.findall(r'name="columns" value="([^"]+)" checked', page)
    assert columns == ["$number", "date", "project", "worker", "trade", "hours", "amount", "$state"]
    assert 'name="enable" value="kanban" checked' in page
    assert 'name="enable" value="calendar" checked' in page
    assert '<option value="date" selected>' in page
    assert client.get(f"{url}/views", query_string={"module": "nope"}).status_code == 422


def test_the_calendar_offers_an_optional_end_among_the_date_fields(sign_in: SignIn):
    client = sign_in("admin")
    url = _visit(client)
    add(client, url, "date", "Until")
    page = client.get(f"{url}/views").text
    select = page[
        page.index('name="calendar.end"') : page.index(
            "</select>", page.index('name="calendar.end"')
        )
    ]
    assert 'value="day"' in select and 'value="until"' in select
    assert 'value="inspector"' not in select and 'value="total"' not in select
    assert '<option value="">—</option>' in select  # optional
    refused = post(
        client,
        f"{url}/views/views",
        {"enable": ["calendar"], "calendar.date": "day", "calendar.end": "inspector"},
    )
    assert refused.status_code == 422
    assert "inspector does not fit the calendar's end" in html.unescape(refused.text)
    chosen = {"enable": ["calendar"], "calendar.date": "day", "calendar.end": "until"}
    assert post(client, f"{url}/views/views", chosen).status_code == 303
    views = _pack(client, url)["modules"][0]["ui"]["views"]
    assert views == [{"type": "calendar", "date": "day", "end": "until"}]
    assert post(client, f"{url}/views/views", {**chosen, "calendar.end": ""}).status_code == 303
    assert _pack(client, url)["modules"][0]["ui"]["views"] == [{"type": "calendar", "date": "day"}]
