"""API credentials: bearer tokens only, checked on every call; never the browser's cookie."""

from __future__ import annotations

import datetime as dt
import re

from engine import accounts
from engine.db import transaction
from tests.web.helpers import PASSWORD, Api, body, errors, labour_data


def test_no_token_is_401_with_a_bearer_challenge(api: Api) -> None:
    response = api.get("/modules", as_=None)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.mimetype == "application/json"
    assert "Authorization: Bearer" in errors(response)[0]["message"]
    basic = api.get("/modules", as_=None, headers={"Authorization": "Basic YWRtaW46eA=="})
    assert (
        basic.status_code == 401 and 'error="invalid_request"' in basic.headers["WWW-Authenticate"]
    )


def test_unknown_and_revoked_tokens_are_401(api: Api) -> None:
    forged = api.get("/modules", as_=None, headers={"Authorization": "Bearer fw_" + "x" * 40})
    assert (
        forged.status_code == 401 and 'error="invalid_token"' in forged.headers["WWW-Authenticate"]
    )
    with transaction(api.session_factory) as session:
        (token,) = accounts.list_tokens(session, "viewer")
        accounts.revoke_token(session, token.id)
    assert api.get("/modules", as_="viewer").status_code == 401


def test_a_deactivated_users_tokens_stop_at_once(api: Api) -> None:
    assert api.get("/modules", as_="foreman").status_code == 200
    with transaction(api.session_factory) as session:
        accounts.deactivate_user(session, "foreman")
    assert api.get("/modules", as_="foreman").status_code == 401
    assert (
        api.post("/modules/labour_tally/records", as_="foreman", json={"data": {}}).status_code
        == 401
    )


def test_a_removed_role_takes_effect_on_the_next_call(api: Api) -> None:
    assert api.get("/modules/fund/records", as_="accountant").status_code == 200
    with transaction(api.session_factory) as session:
        accounts.set_roles(session, "accountant", ["planner"])
    assert api.get("/modules/fund/records", as_="accountant").status_code == 404


def test_use_is_recorded_as_last_used(api: Api) -> None:
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    api.get("/inbox", as_="planner")
    with api.session_factory() as session:
        (token,) = accounts.list_tokens(session, "planner")
        used = token.last_used_at
        assert used is not None and used.replace(tzinfo=dt.UTC) >= before


def test_a_token_made_by_the_cli_works(api: Api) -> None:
    made = api.app.test_cli_runner().invoke(args=["tokens", "create", "planner", "--name", "erp"])
    assert made.exit_code == 0
    token = made.stdout.strip().splitlines()[0]
    response = api.get("/modules", as_=None, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_the_browser_session_cannot_write_through_the_api(api: Api) -> None:
    client = api.client
    page = client.get("/sign-in")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    signed_in = client.post(
        "/sign-in", data={"csrf_token": csrf.group(1), "name": "foreman", "password": PASSWORD}
    )
    assert signed_in.status_code in (302, 303)
    project = api.first("project", as_="foreman")["id"]
    # the same browser (its session cookie) without a token: refused, nothing written
    attempt = api.post(
        "/modules/labour_tally/records", as_=None, json={"data": labour_data(project)}
    )
    assert attempt.status_code == 401
    assert body(api.get("/modules/labour_tally/records", as_="foreman"))["total"] == 0


def test_api_writes_need_no_csrf_form_token(api: Api) -> None:
    assert "csrf" in api.app.extensions  # the pages' CSRF protection is active in this app
    project = api.first("project", as_="foreman")["id"]
    created = api.post(
        "/modules/labour_tally/records", as_="foreman", json={"data": labour_data(project)}
    )
    assert created.status_code == 201
