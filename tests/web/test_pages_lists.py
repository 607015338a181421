"""The list page: columns, sort, filters, search, pages, totals, overdue marks, export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import update

from engine.catalog import load_catalog
from engine.db import transaction
from tests.web.helpers import create_record, project_id


def tally(app: Flask, worker: str, hours: str, date: str = "2026-05-04", **extra: object) -> str:
    data = {
        "project": project_id(app),
        "date": date,
        "worker": worker,
        "trade": "rebar",
        "items": [{"content": "tying", "hours": hours, "rate": "40"}],
        **extra,
    }
    return create_record(app, "labour_tally", "foreman", data)


def test_the_list_shows_the_configured_columns_with_totals(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("accountant")
    page = client.get("/m/labour_tally")
    assert page.status_code == 200
    for heading in ("Number", "Date", "Project", "Worker", "Trade", "Total hours", "Total amount"):
        assert f">{heading}" in page.text
    assert "5 records" in page.text
    assert "Total (all 5)" in page.text
    assert ">35.5<" in page.text and ">1,661.75<" in page.text  # money at its scale
    assert "Riverside Garden Phase II" in page.text  # a link column shows the title
    assert 'class="badge badge-green">Approved<' in page.text


def test_the_foreman_sees_only_his_own_records_and_no_export(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    tally(app, "Zhao Six", "6")
    sign_in("foreman")
    page = client.get("/m/labour_tally")
    assert "1 record" in page.text and "Zhao Six" in page.text
    assert "Export CSV" not in page.text
    assert client.get("/m/labour_tally/export?format=csv").status_code == 403
    viewer = client.get("/m/fund")
    assert viewer.status_code == 404  # a module the role cannot read does not exist for it


def test_sorting_by_a_header_keeps_the_state_in_the_url(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("accountant")
    page = client.get("/m/labour_tally?sort=hours")
    assert 'aria-sort="ascending"' in page.text
    rows = page.text.split("<tbody>")[1]
    assert rows.index(">4.0<") < rows.index(">10.0<")
    assert "sort=-hours" in page.text  # clicking again sorts descending
    desc = client.get("/m/labour_tally?sort=-hours").text.split("<tbody>")[1]
    assert desc.index(">10.0<") < desc.index(">4.0<")


def test_filters_search_and_paging(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    for i in range(25):
        tally(app, f"Worker {i:02d}", "2", date="2026-06-01")
    sign_in("accountant")
    filtered = client.get("/m/labour_tally?filter[date][gte]=2026-06-01&per_page=10")
    assert "25 records" in filtered.text and "page 1 of 3" in filtered.text
    assert 'rel="next"' in filtered.text
    assert 'value="2026-06-01"' in filtered.text  # the filter widget keeps its value
    third = client.get("/m/labour_tally?filter[date][gte]=2026-06-01&per_page=10&page=3")
    assert third.text.count("Worker ") == 5
    assert "Total (all 25)" in third.text and ">50.0<" in third.text  # totals of all pages
    search = client.get("/m/labour_tally?q=Worker+07")
    assert "1 record" in search.text
    state = client.get("/m/labour_tally?filter[$state]=approved")
    assert "3 records" in state.text
    choice = client.get("/m/labour_tally?filter[trade]=formwork")
    assert "1 record" in choice.text
    link = client.get(f"/m/labour_tally?filter[project]={project_id(app)}")
    assert "28 records" in link.text


def test_an_htmx_request_gets_only_the_results(
    client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("accountant")
    partial = client.get(
        "/m/labour_tally?sort=-hours",
        headers={"HX-Request": "true", "HX-Target": "list-results"},
    )
    assert partial.status_code == 200
    assert "<html" not in partial.text and "<table" in partial.text
    assert "HX-Request" in partial.headers["Vary"]
    restore = client.get(
        "/m/labour_tally",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.text


def test_bad_filters_are_explained_not_a_500(
    client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("accountant")
    bad = client.get("/m/labour_tally?filter[date][gte]=not-a-date")
    assert bad.status_code == 422
    assert "Date" in bad.text and "Enter a date" in bad.text
    for query in (
        "filter[rate_secret]=1",
        "filter[hours][zz]=1",
        "sort=nonsense",
        "page=-1",
        "per_page=100000",
        "q=" + "x" * 300,
    ):
        response = client.get(f"/m/labour_tally?{query}")
        assert response.status_code == 422, query


def test_an_empty_list_says_what_to_do(
    client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("accountant")
    none = client.get("/m/labour_tally?q=nobody-by-this-name")
    assert "No records match these filters." in none.text and "Clear filters" in none.text


def test_overdue_records_are_marked(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("accountant")
    with transaction(app.extensions["formwork"].session_factory) as session:
        table = load_catalog(session).tables["labour_tally"].main
        session.execute(
            update(table)
            .where(table.c.state == "submitted")
            .values(state_since=dt.datetime.now(dt.UTC) - dt.timedelta(days=5))
        )
    page = client.get("/m/labour_tally")
    assert page.text.count('class="overdue"') == 1 and "Overdue" in page.text


def test_csv_and_xlsx_exports_are_safe_against_formula_injection(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    tally(app, '=HYPERLINK("http://evil")', "3")
    tally(app, "@SUM(A1)", "1")
    sign_in("accountant")
    response = client.get("/m/labour_tally/export?format=csv&sort=-hours")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Number", "Date", "Project"]
    workers = [row[3] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil")' in workers and "'@SUM(A1)" in workers
    assert not any(cell.startswith(("=", "@", "+")) for row in rows for cell in row)
    assert len(rows) == 8
    xlsx = client.get("/m/labour_tally/export?format=xlsx&filter[trade]=rebar")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][3] == "Worker"
    assert all(not (isinstance(v, str) and v.startswith("=")) for row in values for v in row)
    hours = [row[5] for row in values[1:]]
    assert all(isinstance(h, (int, float)) for h in hours)  # numbers stay numbers
    assert len(values) == 1 + 4  # the filter applies


def test_pickers_search_linked_records_and_users_as_the_user_types(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("accountant")
    page = client.get("/m/labour_tally")
    assert 'hx-get="/m/labour_tally/options/project?all=1"' in page.text
    found = client.get("/m/labour_tally/options/project?all=1&q=Innovation")
    assert found.status_code == 200
    assert "Innovation Centre Offices" in found.text and "Riverside" not in found.text
    assert '<option value="">All</option>' in found.text
    users = client.get("/m/fund/options/handler?_q.handler=manag")
    assert "Site manager (manager)" in users.text and "Foreman" not in users.text
    assert client.get("/m/labour_tally/options/worker").status_code == 404  # not a picker
    assert client.get("/m/fund/options/nothing").status_code == 404
