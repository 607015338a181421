"""`serve` builds the app it is told of, as `flask run` does: the one `flask --app` names, or
web's create_app() for the `formwork` script — each call a new app, one per gunicorn worker."""

from __future__ import annotations

import click
import pytest
from flask import Flask
from flask.cli import ScriptInfo

from web.cli import cli
from web.cli_serve import app_loader


def test_serve_builds_the_app_flask_was_told_of(app: Flask) -> None:
    built: list[Flask] = []

    def factory() -> Flask:
        built.append(app)
        return app

    with click.Context(cli, obj=ScriptInfo(create_app=factory)):
        load = app_loader()
    assert load() is app and load() is app
    assert len(built) == 2  # not one app loaded once and shared by every worker


def test_the_formwork_script_serves_the_web_app(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", "test")
    with click.Context(cli):
        load = app_loader()
    first, second = load(), load()
    try:
        assert first is not second
        assert first.config["DATABASE_URL"] == database_url
        assert first.test_client().get("/healthz").json["status"] == "ok"  # type: ignore[index]
    finally:
        for built in (first, second):
            built.extensions["formwork"].engine.dispose()
