"""The record page shows exactly the buttons the user's abilities allow.

A site manager who may read every schedule line (as an accountant too) but change only those
of the project granted to them sees Edit on that project's lines and not on another's, and
the edit form of the other answers 403. A payment's owner holds the approval's role but may
not choose its approvers: no "Add approver" button, as the engine would refuse it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from engine import accounts
from engine.db import transaction
from tests.web.helpers import PASSWORD, create_record, post, project_id


def _line(project: str, code: str) -> dict[str, Any]:
    return {
        "project": project,
        "wbs_code": code,
        "task": "Pour slab",
        "planned_start": "2026-03-02",
        "planned_finish": "2026-03-09",
        "status": "not_started",
    }


def test_a_scoped_manager_sees_edit_only_on_lines_of_a_granted_project(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    granted, other = project_id(app, "PRJ-2026-001"), project_id(app, "PRJ-2026-002")
    with transaction(app.extensions["formwork"].session_factory) as session:
        accounts.create_user(session, "zhou", PASSWORD, roles=["site_manager", "accountant"])
        accounts.add_grant(session, "zhou", "project", granted)
    inside = create_record(app, "schedule", "planner", _line(granted, "1.1"))
    outside = create_record(app, "schedule", "planner", _line(other, "2.1"))
    sign_in("zhou")
    page = client.get(f"/m/schedule/r/{inside}")
    assert page.status_code == 200 and ">Edit<" in page.text
    page = client.get(f"/m/schedule/r/{outside}")
    assert page.status_code == 200  # readable as an accountant
    assert ">Edit<" not in page.text and ">Delete<" not in page.text
    assert client.get(f"/m/schedule/r/{outside}/edit").status_code == 403
    refused = post(client, f"/m/schedule/r/{outside}/edit", {"_version": "1", "task": "Moved"})
    assert refused.status_code == 403
    assert client.get(f"/m/schedule/r/{outside}").text.count("Pour slab") >= 1
    assert client.get(f"/m/schedule/r/{inside}/edit").status_code == 200


def test_a_payment_owner_is_offered_no_add_approver(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    data = {
        "project": project_id(app),
        "direction": "out",
        "category": "labour",
        "counterparty": "Crew 3",
        "amount": "100.00",
        "date": "2026-03-02",
    }
    record_id = create_record(app, "fund", "accountant", data)
    sign_in("accountant")
    url = f"/m/fund/r/{record_id}"
    assert post(client, f"{url}/t/submit", {"_version": "1"}).status_code == 303
    page = client.get(url)
    assert page.status_code == 200 and "Add approver" not in page.text
    post(client, "/sign-out")
    sign_in("admin")
    assert "Add approver" in client.get(url).text  # an admin may add one
