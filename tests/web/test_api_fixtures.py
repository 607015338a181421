"""Fixtures for the API tests (imported by test_api*, test_openapi* and test_webhooks*).

`api` (import `api_fixture`) is a client of the Formwork app on a fresh database with the bundled construction
pack and the demo users (admin, foreman, manager, accountant, planner, viewer), each with
an API token; `api.get("/modules", as_="foreman")` calls /api/v1 with that user's token.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
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


@pytest.fixture(name="api")
def api_fixture(database_url: str, tmp_path: Path) -> Iterator[Api]:
    made = make_api(database_url, tmp_path)
    yield made
    made.app.extensions["formwork"].engine.dispose()


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
