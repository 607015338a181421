"""Signing in and out, CSRF, the sign-in limit, the language switch and API tokens."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from engine import accounts
from engine.db import transaction
from tests.web.helpers import PASSWORD, csrf_token, post, sign_in_as


def test_a_visitor_sees_the_sign_in_page_in_the_browsers_language(client: FlaskClient) -> None:
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert english.status_code == 200
    assert "Sign in to Formwork" in english.text
    assert '<html lang="en">' in english.text
    chinese = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert '<html lang="zh-CN">' in chinese.text
    assert "登录" in chinese.text
    assert "Sign in to Formwork" not in chinese.text
    # the first language asked for that we offer wins
    assert '<html lang="zh-CN">' in client.get("/", headers={"Accept-Language": "fr, zh"}).text


def test_sign_in_and_out(client: FlaskClient) -> None:
    response = sign_in_as(client, "foreman")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    set_cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in set_cookie and "Secure" in set_cookie and "SameSite=Lax" in set_cookie
    home = client.get("/")
    assert "Foreman" in home.text and "Your modules" in home.text
    out = post(client, "/sign-out")
    assert out.status_code == 302
    assert "Sign in to Formwork" in client.get("/").text


def test_a_wrong_password_is_refused_without_telling_which_part_was_wrong(
    client: FlaskClient,
) -> None:
    wrong = sign_in_as(client, "foreman", "not-the-password")
    unknown = sign_in_as(client, "nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "The user name or password is wrong." in wrong.text
    assert "The user name or password is wrong." in unknown.text
    assert "Your modules" not in client.get("/").text


def test_sign_in_without_the_csrf_token_is_refused(client: FlaskClient) -> None:
    response = client.post("/sign-in", data={"name": "foreman", "password": PASSWORD})
    assert response.status_code == 400
    assert "security token" in response.text
    assert "Your modules" not in client.get("/").text


def test_state_changing_requests_need_the_csrf_token_htmx_ones_too(
    client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("foreman")
    assert client.post("/sign-out").status_code == 400
    assert client.post("/sign-out", headers={"HX-Request": "true"}).status_code == 400
    forged = client.post("/sign-out", headers={"X-CSRFToken": "forged"})
    assert forged.status_code == 400
    token = csrf_token(client)
    assert client.post("/sign-out", headers={"X-CSRFToken": token}).status_code == 302


def test_sign_in_attempts_are_rate_limited(client: FlaskClient) -> None:
    statuses = [sign_in_as(client, "foreman", f"guess-{i}").status_code for i in range(12)]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    limited = sign_in_as(client, "foreman")  # even the right password waits
    assert limited.status_code == 429
    assert "Too many attempts" in limited.text


def test_a_deactivated_user_is_signed_out_at_once(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("foreman")
    assert "Your modules" in client.get("/").text
    with transaction(app.extensions["formwork"].session_factory) as session:
        accounts.deactivate_user(session, "foreman")
    assert "Sign in to Formwork" in client.get("/").text
    assert client.get("/profile").status_code == 302


def test_after_sign_in_the_user_goes_back_only_to_a_local_page(client: FlaskClient) -> None:
    back = post(client, "/sign-in", {"name": "foreman", "password": PASSWORD, "next": "/inbox"})
    assert back.headers["Location"] == "/inbox"
    post(client, "/sign-out")
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = post(
            client, "/sign-in", {"name": "foreman", "password": PASSWORD, "next": target}
        )
        assert response.headers["Location"] == "/", target
        post(client, "/sign-out")


def test_pages_need_a_signed_in_user(client: FlaskClient) -> None:
    response = client.get("/inbox")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


def test_the_language_switch_is_kept_in_the_session(
    client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("foreman")
    switched = post(client, "/language", {"language": "zh-CN", "next": "/profile"})
    assert switched.status_code == 302 and switched.headers["Location"] == "/profile"
    page = client.get("/", headers={"Accept-Language": "en"})
    assert '<html lang="zh-CN">' in page.text
    assert "你的模块" in page.text
    assert "点工汇总" in page.text  # pack labels in the same language
    post(client, "/language", {"language": "en"})
    page = client.get("/", headers={"Accept-Language": "zh-CN"})
    assert "Your modules" in page.text and "Labour tally" in page.text
    # an unknown language or an outside address changes nothing
    odd = post(client, "/language", {"language": "xx", "next": "https://evil.example/"})
    assert odd.headers["Location"] == "/"
    assert "Your modules" in client.get("/").text


def test_api_tokens_are_shown_once_listed_with_last_use_and_revocable(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("accountant")
    created = post(client, "/profile/tokens", {"name": "ERP import"})
    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    token = created.text.split('id="new-token" class="token" readonly value="')[1].split('"')[0]
    assert token.startswith("fw_")
    page = client.get("/profile")
    assert "ERP import" in page.text and token not in page.text and "never" in page.text
    with transaction(app.extensions["formwork"].session_factory) as session:
        assert accounts.authenticate_token(session, token) is not None
    assert "never" not in client.get("/profile").text  # last used is shown now
    with transaction(app.extensions["formwork"].session_factory) as session:
        (row,) = accounts.list_tokens(session, "accountant")
        token_id = row.id
    revoked = post(client, f"/profile/tokens/{token_id}/revoke")
    assert revoked.status_code == 302
    assert "revoked" in client.get("/profile").text
    with transaction(app.extensions["formwork"].session_factory) as session:
        assert accounts.authenticate_token(session, token) is None


def test_a_user_cannot_revoke_someone_elses_token(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    with transaction(app.extensions["formwork"].session_factory) as session:
        token = accounts.create_token(session, "accountant", "theirs")
        (row,) = accounts.list_tokens(session, "accountant")
    sign_in("foreman")
    assert post(client, f"/profile/tokens/{row.id}/revoke").status_code == 404
    assert post(client, "/profile/tokens/999999/revoke").status_code == 404
    with transaction(app.extensions["formwork"].session_factory) as session:
        assert accounts.authenticate_token(session, token) is not None


def test_a_token_needs_a_name(client: FlaskClient, sign_in: Callable[[str], FlaskClient]) -> None:
    sign_in("foreman")
    response = post(client, "/profile/tokens", {"name": "  "})
    assert response.status_code == 422
    assert "Give the token a name" in response.text
