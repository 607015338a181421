"""The inbox page: waiting for my action, copied to me, overdue; one click to the record."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from engine.db import transaction
from engine.models import Task
from tests.web.helpers import create_record, post, project_id


def submitted_tally(app: Flask, client: FlaskClient) -> str:
    record_id = create_record(
        app,
        "labour_tally",
        "foreman",
        {
            "project": project_id(app),
            "date": "2026-05-04",
            "worker": "Wang Jianguo",
            "trade": "rebar",
            "items": [{"content": "tying", "hours": "6", "rate": "40"}],
        },
    )
    post(client, "/sign-in", {"name": "foreman", "password": "correct-horse-1"})
    assert (
        post(client, f"/m/labour_tally/r/{record_id}/t/submit", {"_version": "1"}).status_code
        == 303
    )
    post(client, "/sign-out")
    return record_id


def test_the_manager_approves_from_the_inbox_in_one_click(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record_id = submitted_tally(app, client)
    sign_in("manager")
    home = client.get("/")
    # this tally and the three records the bundled pack seeds waiting for the manager
    assert re.search(r'id="inbox-count"[^>]*>4<', home.text)
    page = client.get("/inbox")
    assert page.status_code == 200
    assert f'href="/m/labour_tally/r/{record_id}"' in page.text
    assert "Your approval" in page.text and "Wang Jianguo" in page.text
    assert 'data-step="approve"' in page.text
    assert ">Reject…<" in page.text  # needs a comment: opens the record
    response = post(
        client,
        f"/m/labour_tally/r/{record_id}/t/approve",
        {"_version": "2", "next": "inbox"},
    )
    assert response.status_code == 303 and response.headers["Location"] == "/inbox"
    after = client.get("/inbox")
    assert "Done: Approve." in after.text
    assert f'href="/m/labour_tally/r/{record_id}"' not in after.text
    assert re.search(r'id="inbox-count"[^>]*>3<', after.text)


def test_copied_and_overdue_tabs(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record_id = submitted_tally(app, client)
    with transaction(app.extensions["formwork"].session_factory) as session:
        session.execute(
            update(Task)
            .where(Task.record_id == record_id)
            .values(due_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
        )
    sign_in("manager")
    overdue = client.get("/inbox?tab=overdue")
    assert "Wang Jianguo" in overdue.text and "Overdue" in overdue.text
    assert 'class="count count-overdue"' in client.get("/").text
    post(client, f"/m/labour_tally/r/{record_id}/t/approve", {"_version": "2"})
    post(client, "/sign-out")
    sign_in("accountant")
    copied = client.get("/inbox?tab=copied")
    assert "Wang Jianguo" in copied.text and "For your information" in copied.text
    assert "Wang Jianguo" not in client.get("/inbox").text  # copied, not waiting
    assert client.get("/inbox?tab=nonsense").status_code == 200
