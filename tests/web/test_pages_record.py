"""The record page: data, number, state, the steps open to the user, votes and history."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from engine import accounts
from engine.db import transaction
from tests.web.helpers import PASSWORD, create_record, post, project_id, sign_in_as


def new_tally(app: Flask, hours: str = "6") -> str:
    return create_record(
        app,
        "labour_tally",
        "foreman",
        {
            "project": project_id(app),
            "date": "2026-05-04",
            "worker": "Wang Jianguo",
            "trade": "rebar",
            "items": [{"content": "tying", "hours": hours, "rate": "40"}],
        },
    )


def step_buttons(html: str) -> list[str]:
    return re.findall(r'data-step="([a-z_]+)"', html)


def test_the_record_shows_its_data_number_state_and_only_the_steps_open_to_the_user(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record_id = new_tally(app)
    sign_in("foreman")
    page = client.get(f"/m/labour_tally/r/{record_id}")
    assert page.status_code == 200
    assert re.search(r'class="record-number">LT-\d{6}-\d{4}<', page.text)
    assert 'class="badge badge-gray">Draft<' in page.text
    assert "Wang Jianguo" in page.text and ">240.00<" in page.text
    assert "Riverside Garden Phase II" in page.text
    assert step_buttons(page.text) == ["submit"]  # not withdraw, approve or reject
    assert ">Edit<" in page.text and ">Delete<" in page.text
    assert "Created" in page.text  # the history


def test_submit_approve_and_the_inbox_copy(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record_id = new_tally(app)
    sign_in("foreman")
    submitted = post(client, f"/m/labour_tally/r/{record_id}/t/submit", {"_version": "1"})
    assert submitted.status_code == 303
    page = client.get(f"/m/labour_tally/r/{record_id}")
    assert "Done: Submit." in page.text and ">Submitted<" in page.text
    assert step_buttons(page.text) == ["withdraw"]
    assert ">Edit<" not in page.text  # a read-only state
    post(client, "/sign-out")

    sign_in("manager")
    page = client.get(f"/m/labour_tally/r/{record_id}")
    assert step_buttons(page.text) == ["approve", "reject"]
    assert "0 of 1 approved" in page.text
    assert 'data-dialog="dlg-reject"' in page.text  # reject asks for a comment
    approved = post(client, f"/m/labour_tally/r/{record_id}/t/approve", {"_version": "2"})
    assert approved.status_code == 303
    page = client.get(f"/m/labour_tally/r/{record_id}")
    assert ">Approved<" in page.text and step_buttons(page.text) == []
    assert "Submitted → Approved" in page.text or "Approve" in page.text
    post(client, "/sign-out")

    sign_in("accountant")  # notified (抄送): opening the record marks the copy read
    # beside the seeded payment the accountant may reject (waiting for the manager)
    assert re.search(r'id="inbox-count"[^>]*>2<', client.get("/").text)
    client.get(f"/m/labour_tally/r/{record_id}")
    assert re.search(r'id="inbox-count"[^>]*>1<', client.get("/").text)


def test_a_required_comment_a_stale_version_and_a_wrong_state_are_refused(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record_id = new_tally(app)
    sign_in("foreman")
    post(client, f"/m/labour_tally/r/{record_id}/t/submit", {"_version": "1"})
    post(client, "/sign-out")
    sign_in("manager")
    no_comment = post(client, f"/m/labour_tally/r/{record_id}/t/reject", {"_version": "2"})
    assert no_comment.status_code == 422 and "A comment is required." in no_comment.text
    stale = post(
        client, f"/m/labour_tally/r/{record_id}/t/reject", {"_version": "1", "comment": "x"}
    )
    assert stale.status_code == 409
    assert (
        post(client, f"/m/labour_tally/r/{record_id}/t/reject", {"_version": "x"}).status_code
        == 400
    )
    rejected = post(
        client, f"/m/labour_tally/r/{record_id}/t/reject", {"_version": "2", "comment": "hours?"}
    )
    assert rejected.status_code == 303
    page = client.get(f"/m/labour_tally/r/{record_id}")
    assert ">Rejected<" in page.text and "hours?" in page.text
    again = post(client, f"/m/labour_tally/r/{record_id}/t/approve", {"_version": "3"})
    assert again.status_code == 409
    unknown = post(client, f"/m/labour_tally/r/{record_id}/t/launch", {})
    assert unknown.status_code == 404


def test_vote_progress_names_who_voted_and_approvers_can_be_added(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    with transaction(app.extensions["formwork"].session_factory) as session:
        accounts.create_user(session, "manager2", PASSWORD, roles=["site_manager"])
        accounts.grant_every_record(session, "manager2", "project")
    record_id = create_record(
        app,
        "cost_centre",
        "accountant",
        {
            "project": project_id(app),
            "category": "materials",
            "period": "2026-05",
            "subject": "Rebar",
            "budget": "1000",
            "lines": [{"item": "rebar", "qty": "2", "unit_price": "450"}],
        },
    )
    sign_in("accountant")
    assert (
        post(client, f"/m/cost_centre/r/{record_id}/t/submit", {"_version": "1"}).status_code == 303
    )
    post(client, "/sign-out")
    sign_in("manager")
    page = client.get(f"/m/cost_centre/r/{record_id}")
    assert "0 of 2 approved" in page.text
    assert "Waiting for: Site manager, manager2" in page.text
    assert post(client, f"/m/cost_centre/r/{record_id}/t/approve", {}).status_code == 303
    page = client.get(f"/m/cost_centre/r/{record_id}")
    assert "Your vote was recorded: 1 of 2." in page.text
    assert "1 of 2 approved" in page.text and "Voted: Site manager" in page.text
    added = post(
        client,
        f"/m/cost_centre/r/{record_id}/approvers/approve",
        {"action": "add", "user": "admin"},
    )
    assert added.status_code == 303
    assert "1 of 3 approved" in client.get(f"/m/cost_centre/r/{record_id}").text
    twice = post(
        client,
        f"/m/cost_centre/r/{record_id}/approvers/approve",
        {"action": "add", "user": "admin"},
    )
    assert twice.status_code in (403, 409, 422) and "already an approver" in twice.text
    post(client, "/sign-out")
    sign_in("manager2")
    delegated = post(
        client,
        f"/m/cost_centre/r/{record_id}/approvers/approve",
        {"action": "delegate", "user": "accountant"},
    )
    assert delegated.status_code == 303
    page = client.get(f"/m/cost_centre/r/{record_id}")
    assert "Your vote was handed to accountant." in page.text
    assert "Waiting for: Accountant, Administrator" in page.text or "Accountant" in page.text


def test_hidden_fields_are_absent_from_the_record_and_masked_in_the_history(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    with transaction(app.extensions["formwork"].session_factory) as session:
        from engine.catalog import load_catalog

        table = load_catalog(session).tables["labour_tally"].main
        record_id = session.execute(table.select().limit(1)).first().id
    sign_in("viewer")
    page = client.get(f"/m/labour_tally/r/{record_id}")
    assert page.status_code == 200
    assert "Total amount" not in page.text and "Average rate" not in page.text
    assert "Work done" not in page.text
    assert "Total hours" in page.text


def test_a_record_out_of_scope_is_not_found(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record_id = new_tally(app)
    other = app.test_client()
    assert sign_in_as(other, "planner").status_code == 302
    assert other.get(f"/m/labour_tally/r/{record_id}").status_code == 404
    assert other.get("/m/labour_tally/r/nope").status_code == 404


def test_deleting_a_record(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record_id = new_tally(app)
    sign_in("foreman")
    assert (
        post(client, f"/m/labour_tally/r/{record_id}/delete", {"_version": "5"}).status_code == 409
    )
    deleted = post(client, f"/m/labour_tally/r/{record_id}/delete", {"_version": "1"})
    assert deleted.status_code == 303 and deleted.headers["Location"] == "/m/labour_tally"
    assert client.get(f"/m/labour_tally/r/{record_id}").status_code == 404
