"""Page defects seen in a real browser: multi-choice values, seeded waiting records."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from engine import accounts
from engine.db import transaction
from tests.web.test_pages_fixtures import create_record, project_id

pytest_plugins = ["tests.web.test_pages_fixtures"]


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
