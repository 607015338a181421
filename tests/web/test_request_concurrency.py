"""A slow request must not stall the others: reads run side by side, and time is bounded.

On SQLite every request used to begin with `BEGIN IMMEDIATE`, so one slow page held the
database's only write lock and every other request — readers included — queued behind it
for up to the 30 s busy timeout. Now only writing requests take that lock, and every
request's database work has a time budget (503 past it).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, text

from engine import accounts
from engine.db import transaction
from engine.models import User
from tests.web.helpers import PASSWORD, make_app, sign_in_as
from web.pages import lists

# Counting to 200 million takes SQLite and PostgreSQL well over ten seconds.
LONG_QUERY = text(
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000000) "
    "SELECT count(*) FROM c"
)


@pytest.fixture
def site(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(database_url, tmp_path / "uploads", FORMWORK_TIME_BUDGET=2.0)
    yield app
    app.extensions["formwork"].engine.dispose()


def _signed_in(app: Flask, name: str) -> Any:
    client = app.test_client()
    assert sign_in_as(client, name).status_code == 302
    return client


def test_a_slow_list_page_does_not_hold_up_another_users_list_or_save(
    site: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow, other = _signed_in(site, "manager"), _signed_in(site, "accountant")
    inside, release = threading.Event(), threading.Event()
    real = lists.list_records

    def held(*args: Any, **kwargs: Any) -> Any:
        page = real(*args, **kwargs)  # the slow request has read inside its transaction
        if threading.current_thread().name == "slow":
            inside.set()
            release.wait(60)
        return page

    monkeypatch.setattr(lists, "list_records", held)
    answers: list[int] = []
    worker = threading.Thread(
        target=lambda: answers.append(slow.get("/m/labour_tally").status_code), name="slow"
    )
    worker.start()
    try:
        assert inside.wait(20)
        page = other.get("/m/labour_tally")  # waited 30 s and failed while the lock was held
        assert page.status_code == 200 and "Total (all" in page.text
        assert worker.is_alive()  # the slow request is still in its transaction
        with transaction(site.extensions["formwork"].session_factory) as session:
            accounts.create_user(session, "newcomer", PASSWORD, roles=["viewer"])
        assert worker.is_alive()  # a writer did not have to wait for the reader either
    finally:
        release.set()
        worker.join(60)
    assert answers == [200]


def test_a_request_past_its_time_budget_is_503_and_the_next_one_answers(
    site: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _signed_in(site, "accountant")

    def endless(session: Any, *args: Any, **kwargs: Any) -> Any:
        return session.execute(LONG_QUERY).scalar()

    monkeypatch.setattr(lists, "list_records", endless)
    response = client.get("/m/labour_tally")
    assert response.status_code == 503
    monkeypatch.undo()
    assert client.get("/m/labour_tally").status_code == 200


def test_a_read_that_writes_after_another_write_still_commits(site: Flask) -> None:
    """A GET that touches a row (last seen) after someone else wrote: no 'database is locked'."""
    factory = site.extensions["formwork"].session_factory
    with transaction(factory, write=False) as reader:
        before = len(reader.scalars(select(User)).all())  # the reader's snapshot starts here
        with transaction(factory) as writer:
            accounts.create_user(writer, "first", PASSWORD, roles=["viewer"])
        accounts.create_user(reader, "second", PASSWORD, roles=["viewer"])
    with transaction(factory, write=False) as session:
        assert len(session.scalars(select(User)).all()) == before + 2
