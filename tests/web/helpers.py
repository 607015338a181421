"""Helpers of the web tests: the app on the bundled pack, a JSON client of the API, forms.

`make_app` is the Formwork app on a fresh database with the bundled construction pack and
the demo users (each with the password PASSWORD); `make_api` the same with an API token per
user, wrapped in `Api` (`api.get("/modules", as_="foreman")` calls /api/v1 with that user's
token). `post` sends a form with the page's CSRF token, as a browser does. The fixtures
built on them (`app`, `client`, `sign_in`, `api`) are in tests/web/conftest.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from engine import accounts
from engine.db import transaction
from engine.exactjson import dumps, loads
from engine.packs import import_pack
from web import create_app
from web.cli import DEMO_USERS

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-1"
PREFIX = "/api/v1"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


# -- pages ------------------------------------------------------------------------------


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


# -- the API ----------------------------------------------------------------------------


def install_construction(session: Session) -> dict[str, str]:
    """The bundled pack, the demo users and one API token each (name → token)."""
    import_pack(session, (ROOT / "modules" / "construction.json").read_text("utf-8"))
    tokens = {}
    for name, role, display in DEMO_USERS:
        accounts.create_user(session, name, PASSWORD, roles=[role], display_name=display)
        tokens[name] = accounts.create_token(session, name, "tests")
    accounts.grant_every_record(session, "manager", "project")
    return tokens


@dataclass
class Api:
    """A test client that speaks JSON to /api/v1 with a demo user's token."""

    app: Flask
    client: FlaskClient
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def session_factory(self) -> sessionmaker[Session]:
        return self.app.extensions["formwork"].session_factory

    def call(
        self,
        method: str,
        path: str,
        *,
        as_: str | None = "admin",
        json: Any = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> TestResponse:
        sent = dict(headers or {})
        if as_ is not None:
            sent.setdefault("Authorization", f"Bearer {self.tokens[as_]}")
        if json is not None:
            kwargs["data"] = dumps(json)
            sent.setdefault("Content-Type", "application/json")
        url = path if path.startswith("/api/") else PREFIX + path
        return self.client.open(url, method=method, headers=sent, **kwargs)

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> TestResponse:
        return self.call("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> TestResponse:
        return self.call("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> TestResponse:
        return self.call("DELETE", path, **kwargs)

    def first(self, module: str, as_: str = "admin", **params: str) -> dict[str, Any]:
        """The first record of a module's list as `as_` sees it."""
        response = self.get(f"/modules/{module}/records", as_=as_, query_string=params)
        assert response.status_code == 200, response.text
        return body(response)["items"][0]


def body(response: TestResponse) -> Any:
    """The JSON of a response with exact numbers (Decimals), as a careful client reads it."""
    return loads(response.get_data())


def errors(response: TestResponse) -> list[dict[str, Any]]:
    return body(response)["errors"]


def paths(response: TestResponse) -> set[str]:
    return {e["path"] for e in errors(response)}


def make_api(database_url: str, tmp_path: Path, **config: Any) -> Api:
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "TESTING": True,
            "FORMWORK_UPLOADS": str(tmp_path / "uploads"),
            **config,
        }
    )
    with transaction(app.extensions["formwork"].session_factory) as session:
        tokens = install_construction(session)
    return Api(app, app.test_client(), tokens)


def labour_data(project: str, **overrides: Any) -> dict[str, Any]:
    """A valid labour-tally record's data for a project id."""
    return {
        "project": project,
        "date": "2026-03-02",
        "worker": "Wang Wei",
        "trade": "rebar",
        "items": [
            {"content": "Tie slab rebar", "hours": Decimal("4.5"), "rate": Decimal("38.50")},
            {"content": "Column cages", "hours": 3, "rate": "38.50"},
        ],
        **overrides,
    }
