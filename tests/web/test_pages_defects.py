"""Page defects seen in a real browser: multi-choice values, seeded waiting records."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import accounts
from engine.db import transaction
from tests.web.helpers import PASSWORD, create_record, post, project_id, sign_in_as

ROOT = Path(__file__).resolve().parents[2]


def new_payment(app: Flask, tags: list[str]) -> str:
    return create_record(
        app,
        "fund",
        "accountant",
        {
            "project": project_id(app),
            "direction": "out",
            "category": "material",
            "counterparty": "East China Building Materials",
            "amount": "1250.00",
            "date": "2026-05-04",
            "tags": tags,
        },
    )


def test_a_record_with_tags_opens_on_its_page_and_edit_form(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record_id = new_payment(app, ["urgent", "final"])
    sign_in("accountant")
    page = client.get(f"/m/fund/r/{record_id}")
    assert page.status_code == 200, page.text
    assert "<dd>Urgent, Final account</dd>" in page.text
    form = client.get(f"/m/fund/r/{record_id}/edit")
    assert form.status_code == 200, form.text
    assert 'value="urgent" checked' in form.text and 'value="final" checked' in form.text
    assert 'value="advance" checked' not in form.text


def test_records_seeded_waiting_are_in_their_approvers_inbox(
    client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    """The pack seeds a submitted labour tally, a submitted cost entry and a payment
    waiting for the manager; the demo users are created after the pack."""
    sign_in("manager")
    inbox = client.get("/inbox")
    assert inbox.status_code == 200
    for number in ("LT-", "CC-", "FD-"):
        assert number in inbox.text


def test_a_user_given_the_approver_role_later_finds_the_waiting_records(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    with transaction(app.extensions["formwork"].session_factory) as session:
        accounts.set_roles(session, "planner", ["planner", "site_manager"])
        accounts.grant_every_record(session, "planner", "project")
    sign_in("planner")
    inbox = client.get("/inbox")
    assert inbox.text.count('data-step="approve"') == 2  # the labour tally and the cost entry
    assert 'data-step="manager_approve"' in inbox.text
    with transaction(app.extensions["formwork"].session_factory) as session:
        accounts.set_roles(session, "planner", ["planner", "viewer"])  # no longer an approver
    assert 'data-step="' not in client.get("/inbox").text


def test_every_answer_carries_the_security_headers(
    client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("accountant")
    for url in ("/api/docs", "/m/fund", "/api/v1/openapi.json", "/api/v1/modules"):
        response = client.get(url)
        assert response.status_code in (200, 401), url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["X-Frame-Options"] == "DENY", url
        policy = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'unsafe" not in policy, url
    docs = client.get("/api/docs").headers["Content-Security-Policy"]
    assert "script-src 'self'" in docs


def approved_payment(app: Flask, client: FlaskClient) -> str:
    """A payment by `accountant`, approved by a second accountant and the manager."""
    with transaction(app.extensions["formwork"].session_factory) as session:
        accounts.create_user(session, "accountant2", PASSWORD, roles=["accountant"])
    record_id = new_payment(app, [])
    steps = [("accountant", "submit"), ("accountant2", "finance_approve")]
    for version, (user, step) in enumerate([*steps, ("manager", "manager_approve")], 1):
        sign_in_as(client, user)
        url = f"/m/fund/r/{record_id}/t/{step}"
        assert post(client, url, {"_version": str(version)}).status_code == 303, (user, step)
        post(client, "/sign-out")
    return record_id


def test_an_approved_payment_records_its_settlement_time_and_is_settled(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record_id = approved_payment(app, client)
    sign_in("accountant")
    page = client.get(f"/m/fund/r/{record_id}")
    assert "Approved, to settle" in page.text and ">Edit<" in page.text
    form = client.get(f"/m/fund/r/{record_id}/edit")
    assert form.status_code == 200
    assert 'name="d.settled_at"' in form.text and 'name="d.method"' in form.text
    assert 'name="d.amount"' not in form.text  # approved: the amount stays as approved
    edit = f"/m/fund/r/{record_id}/edit"
    refused = post(client, edit, {"_version": "4", "d.amount": "9999.00"})
    assert refused.status_code == 409
    saved = post(client, edit, {"_version": "4", "d.settled_at": "2026-05-06T10:30"})
    assert saved.status_code == 303, saved.text
    settled = post(client, f"/m/fund/r/{record_id}/t/settle", {"_version": "5"})
    assert settled.status_code == 303
    page = client.get(f"/m/fund/r/{record_id}")
    assert 'class="badge badge-green">Settled<' in page.text
    assert "2026-05-06 10:30" in page.text and "1,250.00" in page.text


def test_editable_fields_of_a_state_are_checked_at_import(tmp_path: Path) -> None:
    from engine.definitions import load_pack
    from engine.errors import DefinitionError

    pack = json.loads((ROOT / "modules" / "construction.json").read_text("utf-8"))
    fund = next(i for i, m in enumerate(pack["modules"]) if m["id"] == "fund")
    states = pack["modules"][fund]["workflow"]["states"]
    states["approved"]["editable"] = ["settled_at", "setled_at", "net_amount"]
    states["draft"]["editable"] = ["summary"]
    with pytest.raises(DefinitionError) as refused:
        load_pack(json.dumps(pack))
    where = f"/modules/{fund}/workflow/states"
    paths = {p.path: p.message for p in refused.value.problems}
    assert "'settled_at'" in paths[f"{where}/approved/editable/1"]  # did you mean
    assert "computed" in paths[f"{where}/approved/editable/2"]
    assert "not readonly" in paths[f"{where}/draft/editable"]
