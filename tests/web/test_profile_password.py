"""A user changes their own password on the profile page: the current one is required, the
new one follows the strength rules, and every other session of theirs ends at once."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine import accounts
from engine.admin_log import TrailQuery, admin_events
from engine.db import transaction
from tests.web.helpers import PASSWORD, post, sign_in_as

NEW = "a-new-password-7"


def _signed_in(app: Flask, name: str = "foreman", password: str = PASSWORD) -> FlaskClient:
    client = app.test_client()
    assert sign_in_as(client, name, password).status_code == 302
    return client


def _change(client: FlaskClient, current: str, new: str, again: str | None = None) -> TestResponse:
    data = {"current_password": current, "password": new, "password_repeated": again or new}
    return post(client, "/profile/password", data)


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(app: Flask) -> None:
    laptop = _signed_in(app)
    phone = _signed_in(app)
    changed = _change(laptop, PASSWORD, NEW)
    assert changed.status_code == 302
    page = laptop.get("/profile")
    assert page.status_code == 200 and "your other sessions have ended" in page.text
    assert phone.get("/profile").status_code == 302  # sent to sign in
    assert sign_in_as(app.test_client(), "foreman").status_code == 401
    assert sign_in_as(app.test_client(), "foreman", NEW).status_code == 302
    with transaction(app.extensions["formwork"].session_factory) as session:
        (event,) = admin_events(session, TrailQuery(action="user.password")).events
    assert (event.actor, event.target, event.after) == (
        "foreman",
        "user foreman",
        {"sessions_ended": 1},
    )


def test_a_wrong_current_password_a_weak_or_mistyped_new_one_change_nothing(app: Flask) -> None:
    client = _signed_in(app)
    wrong = _change(client, "not my password", NEW)
    assert wrong.status_code == 422
    assert "The current password is wrong." in wrong.text
    assert 'id="err-pw-current_password"' in wrong.text
    weak = _change(client, PASSWORD, "short")
    assert weak.status_code == 422 and "Use at least 8 characters." in weak.text
    mistyped = _change(client, PASSWORD, NEW, NEW + "x")
    assert mistyped.status_code == 422
    assert "The two new passwords differ." in mistyped.text
    assert sign_in_as(app.test_client(), "foreman").status_code == 302  # the old one holds
    assert client.get("/profile").status_code == 200  # and this session too
    with transaction(app.extensions["formwork"].session_factory) as session:
        assert admin_events(session, TrailQuery(action="user.password")).total == 0


def test_wrong_current_passwords_count_against_the_sign_in_limit(app: Flask) -> None:
    client = _signed_in(app)
    statuses = [_change(client, f"guess {n}", NEW).status_code for n in range(31)]
    assert statuses[:30] == [422] * 30
    assert statuses[30] == 429


def test_the_password_form_speaks_chinese(app: Flask) -> None:
    client = _signed_in(app)
    page = client.get("/profile", headers={"Accept-Language": "zh-CN"})
    assert "修改密码" in page.text and "当前密码" in page.text
    wrong = post(
        client,
        "/profile/password",
        {"current_password": "x", "password": NEW, "password_repeated": NEW},
        headers={"Accept-Language": "zh-CN"},
    )
    assert wrong.status_code == 422 and "当前密码不正确。" in wrong.text


def test_a_visitor_cannot_change_a_password(client: FlaskClient) -> None:
    response = post(client, "/profile/password", {"current_password": PASSWORD, "password": NEW})
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_revoking_ones_own_token_is_confirmed_first(app: Flask) -> None:
    factory = app.extensions["formwork"].session_factory
    with transaction(factory) as session:
        token = accounts.create_token(session, "foreman", "erp")
        (row,) = accounts.list_tokens(session, "foreman")
        accounts.create_token(session, "accountant", "theirs")
        theirs = accounts.list_tokens(session, "accountant")[0].id
    bearer = {"Authorization": f"Bearer {token}"}
    client = _signed_in(app)
    page = client.get("/profile").text
    assert f'href="/profile/tokens/{row.id}/revoke"' in page
    assert f'action="/profile/tokens/{row.id}/revoke"' not in page  # no one-click revoke

    confirm = client.get(f"/profile/tokens/{row.id}/revoke")
    assert confirm.status_code == 200 and "Revoke your API token “erp”?" in confirm.text
    assert f'action="/profile/tokens/{row.id}/revoke"' in confirm.text
    zh = client.get(f"/profile/tokens/{row.id}/revoke", headers={"Accept-Language": "zh-CN"})
    assert "吊销你的 API 令牌“erp”？" in zh.text and "吊销令牌" in zh.text
    assert client.get("/api/v1/modules", headers=bearer).status_code == 200  # asked, not done

    assert post(client, f"/profile/tokens/{row.id}/revoke").status_code == 302
    assert client.get("/api/v1/modules", headers=bearer).status_code == 401
    assert f"/profile/tokens/{row.id}/revoke" not in client.get("/profile").text
    assert client.get(f"/profile/tokens/{theirs}/revoke").status_code == 404  # not theirs
    with transaction(factory) as session:
        assert accounts.list_tokens(session, "accountant")[0].revoked_at is None
