"""Exports (list CSV/XLSX, report CSV/XLSX through the API): no cell can run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from tests.web.helpers import Api, create_record, labour_data, project_id

# what a spreadsheet still runs as a formula, though it does not start with = + - @
DISGUISED = ["\n=1+2", " =1+2", "＝1+2", "＠SUM(A1)", "\t+cmd|' /C calc'!A0", "－2+3"]


def tally(app: Flask, worker: str) -> str:
    data = {
        "project": project_id(app),
        "date": "2026-05-04",
        "worker": worker,
        "trade": "rebar",
        "items": [{"content": "tying", "hours": "2", "rate": "40"}],
    }
    return create_record(app, "labour_tally", "foreman", data)


def test_list_exports_prefix_disguised_formulas(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    for worker in DISGUISED:
        tally(app, worker)
    sign_in("accountant")
    response = client.get("/m/labour_tally/export?format=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    workers = {row[3] for row in rows[1:]}
    assert {"'" + w for w in DISGUISED} <= workers, workers
    xlsx = client.get("/m/labour_tally/export?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    cells = {row[3].value: row[3].data_type for row in sheet.iter_rows(min_row=2)}
    assert {"'" + w for w in DISGUISED} <= set(cells), cells
    assert set(cells.values()) == {"s"}  # text cells, never formulas
    assert all(isinstance(row[5].value, int | float) for row in sheet.iter_rows(min_row=2))


@pytest.mark.parametrize("wanted", ["csv", "xlsx"])
def test_report_downloads_prefix_disguised_formulas(api: Api, wanted: str) -> None:
    project = api.first("project", as_="foreman")["id"]
    tallies = "/modules/labour_tally/records"
    for worker in DISGUISED:
        made = api.post(tallies, as_="foreman", json={"data": labour_data(project, worker=worker)})
        assert made.status_code == 201, made.text
        steps = f"{tallies}/{made.get_json()['id']}/transitions"
        assert api.post(f"{steps}/submit", as_="foreman").status_code == 200
        assert api.post(f"{steps}/approve", as_="manager").status_code == 200
    response = api.get(
        "/reports/labour_by_worker_month", as_="accountant", query_string={"format": wanted}
    )
    assert response.status_code == 200
    if wanted == "csv":
        text = response.get_data(as_text=True).lstrip("\ufeff")
        cells = {cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row}
    else:
        sheet = load_workbook(io.BytesIO(response.get_data())).active
        cells = {c.value for row in sheet.iter_rows() for c in row}
    assert {"'" + w for w in DISGUISED} <= cells, cells
