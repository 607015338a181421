"""The admin console is for administrators only, in both languages, and its trail is evidence."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from engine.admin_log import TrailQuery, admin_events, log_admin_action
from engine.db import transaction
from tests.web.helpers import csrf_token, post, sign_in_as


def test_only_an_administrator_sees_the_admin_entry_and_pages(app: Flask) -> None:
    client = app.test_client()
    assert sign_in_as(client, "foreman").status_code == 302
    assert 'class="admin-link"' not in client.get("/").text
    refused = client.get("/admin/")
    assert refused.status_code == 403
    assert "Recent admin actions" not in refused.text
    admin = app.test_client()
    assert sign_in_as(admin, "admin").status_code == 302
    home = admin.get("/")
    assert 'class="admin-link"' in home.text
    page = admin.get("/admin/")
    assert page.status_code == 200
    assert "Recent admin actions" in page.text


def test_a_visitor_is_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_the_console_speaks_chinese(sign_in: Callable[[str], FlaskClient]) -> None:
    admin = sign_in("admin")
    page = admin.get("/admin/", headers={"Accept-Language": "zh-CN"})
    assert "管理" in page.text and "最近的管理操作" in page.text


def test_the_trail_keeps_every_event_and_refuses_changes(app: Flask) -> None:
    factory = app.extensions["formwork"].session_factory
    with transaction(factory) as session:  # the demo users' creation is in the trail already
        earlier = admin_events(session, TrailQuery()).total
        installed = admin_events(session, TrailQuery(target="construction")).total
        log_admin_action(session, "admin", "user.roles", "user ann", before=["a"], after=["b"])
        log_admin_action(session, None, "pack.import", "pack construction", after={"v": "1.0"})
    with transaction(factory) as session:
        page = admin_events(session, TrailQuery(actor="admin", action="user"))
        assert [(e.actor, e.action, e.before, e.after) for e in page.events] == [
            ("admin", "user.roles", ["a"], ["b"])
        ]
        assert admin_events(session, TrailQuery(target="construction")).total == installed + 1
    for statement in ("UPDATE admin_events SET actor = 'x'", "DELETE FROM admin_events"):
        with pytest.raises(DBAPIError), transaction(factory) as session:
            session.execute(text(statement))
    with transaction(factory) as session:
        assert admin_events(session, TrailQuery()).total == earlier + 2


def test_an_unknown_action_is_not_written(app: Flask) -> None:
    factory = app.extensions["formwork"].session_factory
    with pytest.raises(ValueError), transaction(factory) as session:
        log_admin_action(session, "admin", "user.explode", "user ann")


def test_a_non_administrator_gets_403_whatever_the_method_or_path(app: Flask) -> None:
    client = app.test_client()
    assert sign_in_as(client, "foreman").status_code == 302
    assert post(client, "/admin/").status_code == 403  # a GET-only page: 403, not 405
    assert client.get("/admin/no-such-page").status_code == 403  # not 404
    token = csrf_token(client)
    assert client.delete("/admin/users/", headers={"X-CSRFToken": token}).status_code == 403
