"""Sessions end on the server, and the sign-in limit holds across every worker.

A cookie captured before sign-out (or deactivation, or a new password) is refused after
it; a session lapses after its lifetime and after an idle spell; two app instances on one
database (two workers, or two servers) share one sign-in limit.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from engine import accounts
from engine.db import transaction
from engine.models import RateLimitCounter, UserSession, utcnow
from tests.web.helpers import make_app, post, sign_in_as
from web import create_app

SIGNED_IN = "Your modules"
SIGN_IN_PAGE = "Sign in to Formwork"


def _copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding the very cookie `client` holds now (a captured cookie)."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def _age_sessions(app: Flask, **times: dt.datetime) -> None:
    with transaction(app.extensions["formwork"].session_factory) as session:
        session.execute(update(UserSession).values(**times))


def test_a_cookie_captured_before_sign_out_is_refused_after_it(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("foreman")
    thief = _copy_of(app, client)
    assert SIGNED_IN in thief.get("/").text  # the copy works while the session holds
    assert post(client, "/sign-out").status_code == 302
    assert SIGN_IN_PAGE in thief.get("/").text
    assert thief.get("/profile").status_code == 302
    assert SIGN_IN_PAGE in client.get("/").text


def test_signing_out_ends_only_that_session(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("foreman")
    phone = app.test_client()
    assert sign_in_as(phone, "foreman").status_code == 302
    post(client, "/sign-out")
    assert SIGNED_IN in phone.get("/").text


@pytest.mark.parametrize("change", ["deactivate", "password"])
def test_deactivation_and_a_new_password_end_every_session(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient], change: str
) -> None:
    sign_in("foreman")
    thief = _copy_of(app, client)
    with transaction(app.extensions["formwork"].session_factory) as session:
        if change == "deactivate":
            accounts.deactivate_user(session, "foreman")
        else:
            accounts.set_password(session, "foreman", "a-new-password-2")
    assert SIGN_IN_PAGE in client.get("/").text
    assert SIGN_IN_PAGE in thief.get("/").text


def test_a_session_lapses_when_idle_too_long(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("foreman")
    _age_sessions(app, last_seen_at=utcnow() - dt.timedelta(minutes=100))
    assert SIGNED_IN in client.get("/").text  # within the 2 h idle timeout; seen again now
    _age_sessions(app, last_seen_at=utcnow() - dt.timedelta(hours=2, minutes=1))
    assert SIGN_IN_PAGE in client.get("/").text


def test_a_session_lapses_after_its_lifetime_however_busy(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    response = sign_in_as(client, "foreman")
    assert "Expires=" in response.headers["Set-Cookie"]
    _age_sessions(app, created_at=utcnow() - dt.timedelta(hours=11, minutes=50))
    assert SIGNED_IN in client.get("/").text
    _age_sessions(app, created_at=utcnow() - dt.timedelta(hours=12, minutes=1))
    assert SIGN_IN_PAGE in client.get("/").text


def test_lifetime_and_idle_timeout_are_configurable(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORMWORK_SESSION_LIFETIME", "480")
    monkeypatch.setenv("FORMWORK_SESSION_IDLE_TIMEOUT", "30")
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test"})
    assert app.config["PERMANENT_SESSION_LIFETIME"] == dt.timedelta(hours=8)
    assert app.config["FORMWORK_SESSION_IDLE_TIMEOUT"] == dt.timedelta(minutes=30)
    monkeypatch.setenv("FORMWORK_SESSION_IDLE_TIMEOUT", "half an hour")
    with pytest.raises(ValueError, match="FORMWORK_SESSION_IDLE_TIMEOUT"):
        create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test"})


def test_two_workers_share_one_sign_in_limit(app: Flask, database_url: str) -> None:
    other = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test", "TESTING": True})
    try:
        first, second = app.test_client(), other.test_client()
        statuses = [
            sign_in_as(first if n % 2 else second, "foreman", f"guess-{n}").status_code
            for n in range(10)
        ]
        assert statuses == [401] * 10
        assert sign_in_as(first, "foreman", "guess-10").status_code == 429
        assert sign_in_as(second, "foreman").status_code == 429  # the right password waits too
    finally:
        other.extensions["formwork"].engine.dispose()


def test_the_counters_live_in_the_database(app: Flask, client: FlaskClient) -> None:
    sign_in_as(client, "foreman", "guess")
    with app.extensions["formwork"].session_factory() as session:
        keys = {row.key: row.count for row in session.query(RateLimitCounter)}
    assert any("name:foreman" in key for key in keys), keys
    assert all(count == 1 for count in keys.values())


def test_a_configured_redis_keeps_the_counters_and_its_outage_stalls_nothing(
    database_url: str, tmp_path: Path
) -> None:
    pytest.importorskip("redis")
    from limits.storage import RedisStorage

    app = make_app(
        database_url, tmp_path / "uploads", FORMWORK_RATE_LIMIT_STORAGE="redis://127.0.0.1:9/0"
    )
    try:
        assert isinstance(app.extensions["formwork_limiter"].storage, RedisStorage)
        client = app.test_client()
        started = time.monotonic()
        assert sign_in_as(client, "foreman", "guess").status_code == 401  # no Redis: memory
        assert sign_in_as(client, "foreman").status_code == 302
        assert time.monotonic() - started < 10
    finally:
        app.extensions["formwork"].engine.dispose()


def test_signing_in_again_ends_the_session_the_browser_held(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("foreman")
    before = _copy_of(app, client)
    assert sign_in_as(client, "manager").status_code == 302
    assert SIGN_IN_PAGE in before.get("/").text
    assert SIGNED_IN in client.get("/").text
