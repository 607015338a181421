"""Through the API, a site manager granted project P1 never learns a figure of project P2.

P2 (Innovation Centre) gets an approved labour tally of 729.83 and a settled receipt of
4,321,987.65. The manager `ann`, granted only P1 (Riverside), reads P1's totals; P2's are
withheld on the record, in the list (also sorted by them) and in reports — absent from
`data` and named in `restricted` — while the admin sees them.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from engine import accounts
from engine.actor import SYSTEM
from engine.db import transaction
from engine.records import create_record
from tests.web.helpers import Api, body, make_api

P2_FIGURES = ("729.83", "4321987.65", "4,321,987.65")
WITHHELD = ["labour_cost", "received", "remaining_budget"]
PROJECTS = "/modules/project/records"


def add_p2_figures(session_factory, user_name: str = "ann") -> dict[str, str]:  # type: ignore[no-untyped-def]
    """P2's approved tally and settled receipt, and a site manager granted only P1.

    Returns project code → id and the new user's API token under "token".
    """
    with transaction(session_factory) as session:
        ids = dict(session.execute(text("select code, id from m_project")).all())
        p2 = ids["PRJ-2026-002"]
        items = [{"content": "Curtain wall anchors", "hours": "7.5", "rate": "97.31"}]
        labour = {"project": p2, "date": "2026-03-09", "worker": "Zhou", "trade": "rebar"}
        tally = create_record(session, "labour_tally", {**labour, "items": items}, SYSTEM)
        fund = {
            "project": p2,
            "direction": "in",
            "category": "progress_payment",
            "counterparty": "Hi-tech Zone Investment",
            "amount": "4321987.65",
            "date": "2026-03-20",
        }
        receipt = create_record(session, "fund", fund, SYSTEM)
        session.execute(
            text("update m_labour_tally set state = 'approved' where id = :i"), {"i": tally.id}
        )
        session.execute(
            text("update m_fund set state = 'settled' where id = :i"), {"i": receipt.id}
        )
        accounts.create_user(session, user_name, "correct-horse-1", roles=["site_manager"])
        accounts.add_grant(session, user_name, "project", ids["PRJ-2026-001"])
        ids["token"] = accounts.create_token(session, user_name, "tests")
    return ids


@pytest.fixture
def api(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    made = make_api(database_url, tmp_path)
    ids = add_p2_figures(made.session_factory)
    made.tokens["ann"] = ids.pop("token")
    made.ids = ids  # type: ignore[attr-defined]
    yield made
    made.app.extensions["formwork"].engine.dispose()


def no_p2_figure(raw: bytes) -> None:
    for figure in P2_FIGURES:
        assert figure.encode() not in raw, f"P2's {figure} leaked"


def test_the_record_of_an_ungranted_project_withholds_its_totals(api: Api) -> None:
    p1, p2 = api.ids["PRJ-2026-001"], api.ids["PRJ-2026-002"]  # type: ignore[attr-defined]
    admin = body(api.get(f"{PROJECTS}/{p2}"))
    assert admin["data"]["labour_cost"] == Decimal("729.83")
    assert admin["data"]["received"] == Decimal("4321987.65")
    assert "restricted" not in admin
    response = api.get(f"{PROJECTS}/{p2}", as_="ann")
    assert response.status_code == 200
    other = body(response)
    assert other["restricted"] == sorted(WITHHELD + ["other_cost", "paid", "open_tasks"])
    assert not set(other["restricted"]) & other["data"].keys()
    assert other["data"]["budget"] == admin["data"]["budget"]  # the project stays readable
    no_p2_figure(response.get_data())
    own = body(api.get(f"{PROJECTS}/{p1}", as_="ann"))
    assert own["data"]["labour_cost"] == Decimal("1153.75")  # P1's approved tallies
    assert own["data"]["received"] == Decimal("6800000.00")
    assert "restricted" not in own


def test_the_list_and_its_sort_withhold_them_too(api: Api) -> None:
    p2 = api.ids["PRJ-2026-002"]  # type: ignore[attr-defined]
    for sort in ("code", "-labour_cost", "received"):
        response = api.get(PROJECTS, as_="ann", query_string={"sort": sort})
        assert response.status_code == 200, response.text
        no_p2_figure(response.get_data())
        items = {item["id"]: item for item in body(response)["items"]}
        assert "labour_cost" in items[p2]["restricted"]
        assert "labour_cost" not in items[p2]["data"]
    admin = api.get(PROJECTS, query_string={"sort": "-labour_cost"})
    assert b"729.83" in admin.get_data()


def test_reports_over_the_summed_rows_show_only_granted_projects(api: Api) -> None:
    for report in ("labour_by_worker_month", "funds_by_month", "cost_by_category"):
        response = api.get(f"/reports/{report}", as_="ann")
        assert response.status_code == 200, response.text
        no_p2_figure(response.get_data())
        csv = api.get(f"/reports/{report}", as_="ann", query_string={"format": "csv"})
        no_p2_figure(csv.get_data())
    assert b"729.83" in api.get("/reports/labour_by_worker_month").get_data()


def test_the_openapi_document_describes_the_withheld_fields(api: Api) -> None:
    document = body(api.get("/openapi.json", as_="ann"))
    record = document["components"]["schemas"]["project.Record"]
    assert record["properties"]["restricted"]["items"] == {"type": "string"}
    assert "restricted" not in record["required"]
