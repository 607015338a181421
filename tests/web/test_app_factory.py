"""create_app(): configuration, wiring, the placeholder home page and the health check."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from engine.migrate import head_revision
from engine.packs import import_pack
from tests.engine.sample_pack import sample_pack
from web import create_app, instance_secret_key


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test", "TESTING": True})
    yield app
    app.extensions["formwork"].engine.dispose()


def test_configuration_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("FORMWORK_UPLOADS", str(tmp_path / "files"))
    app = create_app()
    try:
        assert app.config["DATABASE_URL"] == database_url
        assert app.config["SECRET_KEY"] == "from-the-environment"
        assert app.config["FORMWORK_UPLOADS"] == str(tmp_path / "files")
        assert str(app.extensions["formwork"].engine.url) == database_url
    finally:
        app.extensions["formwork"].engine.dispose()


def test_test_config_overrides_the_environment(app: Flask, database_url: str) -> None:
    assert app.config["SECRET_KEY"] == "test"
    assert app.testing
    factory = app.extensions["formwork"].session_factory
    assert isinstance(factory, sessionmaker)
    with factory() as session:
        assert isinstance(session, Session)


def test_secret_key_is_made_once_and_kept_private(tmp_path: Path) -> None:
    first = instance_secret_key(tmp_path / "instance")
    assert len(first) == 64 and int(first, 16) >= 0
    assert instance_secret_key(tmp_path / "instance") == first
    path = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["secret_key"]


def test_the_cli_commands_are_registered_on_the_app(app: Flask) -> None:
    names = set(app.cli.list_commands(None))  # type: ignore[arg-type]
    assert {"init-db", "packs", "users", "tokens", "serve", "demo-users"} <= names


def test_healthz_reports_a_migrated_database(app: Flask) -> None:
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "revision": head_revision()}


def test_healthz_reports_a_database_that_was_never_migrated(tmp_path: Path) -> None:
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}", "SECRET_KEY": "x"})
    try:
        response = app.test_client().get("/healthz")
        assert response.status_code == 503
        assert response.json["database"] == "not migrated"
        assert response.json["expected"] == head_revision()
        page = app.test_client().get("/")
        assert page.status_code == 503
        assert "formwork init-db" in page.text
    finally:
        app.extensions["formwork"].engine.dispose()


def test_healthz_reports_an_unreachable_database() -> None:
    app = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none"})
    try:
        response = app.test_client().get("/healthz")
        assert response.status_code == 503
        assert response.json == {"status": "error", "database": "unreachable"}
    finally:
        app.extensions["formwork"].engine.dispose()


def test_home_page_lists_installed_packs_escaped_and_localized(app: Flask) -> None:
    client = app.test_client()
    assert "No packs installed" in client.get("/").text

    factory = app.extensions["formwork"].session_factory
    with factory.begin() as session:
        title = {"en": "<script>alert(1)</script>", "zh-CN": "工程管理"}
        import_pack(session, sample_pack(id="construction", version="1.2.0", title=title))

    page = client.get("/").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "construction 1.2.0" in page
    assert "project, labour" in page
    chinese = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).text
    assert "工程管理" in chinese
    assert 'lang="zh-CN"' in chinese
