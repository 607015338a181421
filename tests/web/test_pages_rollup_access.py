"""On the pages, a site manager granted P1 sees P2's totals marked restricted, never a figure.

The same holds for the list, its CSV and XLSX exports and the record page, in English and
Chinese. And a reader from whom a record's child rows are hidden sees the formula over them
as stored, not recomputed from no rows.
"""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from tests.web.helpers import post, sign_in_as
from tests.web.test_api_rollup_access import P2_FIGURES, add_p2_figures


def ann(app: Flask, client: FlaskClient) -> dict[str, str]:
    ids = add_p2_figures(app.extensions["formwork"].session_factory)
    assert sign_in_as(client, "ann").status_code == 302
    return ids


def no_p2_figure(raw: bytes) -> None:
    for figure in P2_FIGURES:
        assert figure.encode() not in raw, f"P2's {figure} leaked"


def test_the_record_page_marks_p2_totals_restricted(app: Flask, client: FlaskClient) -> None:
    ids = ann(app, client)
    page = client.get(f"/m/project/r/{ids['PRJ-2026-002']}")
    assert page.status_code == 200
    no_p2_figure(page.data)
    assert "Restricted" in page.text
    chinese = client.get(
        f"/m/project/r/{ids['PRJ-2026-002']}", headers={"Accept-Language": "zh-CN,zh;q=0.9"}
    )
    assert "受限" in chinese.text
    own = client.get(f"/m/project/r/{ids['PRJ-2026-001']}")
    assert "1,153.75" in own.text and "Restricted" not in own.text


def test_the_list_and_its_exports_withhold_p2_totals(app: Flask, client: FlaskClient) -> None:
    ann(app, client)
    for query in ("", "?sort=-labour_cost", "?sort=received"):
        listing = client.get(f"/m/project{query}")
        assert listing.status_code == 200
        no_p2_figure(listing.data)
        assert "Restricted" in listing.text
    csv = client.get("/m/project/export?format=csv&sort=-labour_cost")
    assert csv.status_code == 200
    no_p2_figure(csv.data)
    assert "Restricted" in csv.data.decode("utf-8-sig")
    xlsx = client.get("/m/project/export?format=xlsx")
    cells = [
        c
        for row in load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True)
        for c in row
    ]
    assert "Restricted" in cells
    no_p2_figure(" ".join(str(c) for c in cells).encode())


def test_hidden_child_rows_do_not_turn_the_total_into_zero(app: Flask, client: FlaskClient) -> None:
    """The planner may read cost entries but not their lines; the total is the stored one."""
    assert sign_in_as(client, "planner").status_code == 302
    listing = client.get("/m/cost_centre?sort=-total")
    first = listing.text.split('href="/m/cost_centre/r/')[1].split('"')[0]
    page = client.get(f"/m/cost_centre/r/{first}")
    assert page.status_code == 200
    assert "1,253,448.00" in page.text  # 185.4 t × 3,920 + 1,260 m³ × 418, as stored
    assert post(client, "/sign-out").status_code in (302, 303)
