"""Fixtures for the page tests (imported by the test_*pages* and test_auth* modules).

`app` is the Formwork app on a fresh database with the bundled construction pack and the
demo users (each with the password PASSWORD); `client` a test client; `sign_in` signs a
client in as a user; `post` sends a form with the page's CSRF token, as a browser does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine import accounts
from engine.db import transaction
from engine.packs import import_pack
from web import create_app
from web.cli import DEMO_USERS

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-1"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_app(database_url: str, uploads: Path, **config: Any) -> Flask:
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "TESTING": True,
            "FORMWORK_UPLOADS": str(uploads),
            **config,
        }
    )
    with transaction(app.extensions["formwork"].session_factory) as session:
        import_pack(session, (ROOT / "modules" / "construction.json").read_text("utf-8"))
        for name, role, display in DEMO_USERS:
            accounts.create_user(session, name, PASSWORD, roles=[role], display_name=display)
        accounts.grant_every_record(session, "manager", "project")
    return app


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(database_url, tmp_path / "uploads")
    yield app
    app.extensions["formwork"].engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_token(client: FlaskClient, page: str = "/") -> str:
    """The CSRF token a page of this client's session carries."""
    match = CSRF.search(client.get(page).text)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def post(
    client: FlaskClient, url: str, data: dict[str, Any] | None = None, **kwargs: Any
) -> TestResponse:
    """POST a form with the session's CSRF token, like the browser does."""
    token = csrf_token(client)
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


def sign_in_as(client: FlaskClient, name: str, password: str = PASSWORD) -> TestResponse:
    return post(client, "/sign-in", {"name": name, "password": password})


@pytest.fixture
def sign_in(client: FlaskClient) -> Callable[[str], FlaskClient]:
    def _sign_in(name: str) -> FlaskClient:
        response = sign_in_as(client, name)
        assert response.status_code == 302, response.text
        return client

    return _sign_in


def create_record(app: Flask, module: str, user: str, data: dict[str, Any]) -> str:
    """A record made through the engine as `user`, for pages to show."""
    from engine.records import create_record as engine_create

    with transaction(app.extensions["formwork"].session_factory) as session:
        who = accounts.actor_of(accounts.get_user(session, user))
        return engine_create(session, module, data, who).id


def project_id(app: Flask, code: str = "PRJ-2026-001") -> str:
    from engine.actor import SYSTEM
    from engine.records import Filter, ListQuery, list_records

    with transaction(app.extensions["formwork"].session_factory) as session:
        page = list_records(
            session, "project", SYSTEM, ListQuery(filters=(Filter("code", "eq", code),))
        )
        return page.items[0].id
