"""Fixtures of the web tests, flaskr style: `app`, `client`, `sign_in` and `api`.

`app` is the Formwork app on a fresh database with the bundled construction pack and the
demo users; `client` a test client of it; `sign_in("foreman")` signs that client in;
`api` a JSON client of /api/v1 holding a token per demo user (tests/web/helpers.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.helpers import Api, make_api, make_app, sign_in_as


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(database_url, tmp_path / "uploads")
    yield app
    app.extensions["formwork"].engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def sign_in(client: FlaskClient) -> Callable[[str], FlaskClient]:
    """Sign the test client in as a demo user; returns the client."""

    def _sign_in(name: str) -> FlaskClient:
        response = sign_in_as(client, name)
        assert response.status_code == 302, response.text
        return client

    return _sign_in


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    made = make_api(database_url, tmp_path)
    yield made
    made.app.extensions["formwork"].engine.dispose()
