"""The web app: `create_app()` wires configuration, the database and the blueprints.

Configuration comes from the environment (DATABASE_URL, SECRET_KEY, FORMWORK_UPLOADS),
then an optional `instance/config.py`, then `test_config` for tests. A missing SECRET_KEY is
generated once and kept in `instance/secret_key`, so sessions survive restarts and every
worker signs alike. The factory only wires: no migrations, no prompts, no printing.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from engine.db import database_url, make_engine, make_session_factory
from engine.migrate import current_revision, head_revision

LANGUAGES = ("en", "zh-CN")
DEFAULT_TIME_BUDGET = 20.0  # seconds of database work one request may take


@dataclass(frozen=True)
class FormworkState:
    """What the app holds of the engine: `app.extensions["formwork"]`."""

    engine: Engine
    session_factory: sessionmaker[Session]


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app; `test_config` replaces instance/config.py in tests."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        DATABASE_URL=database_url(),
        SECRET_KEY=os.environ.get("SECRET_KEY") or None,
        FORMWORK_UPLOADS=os.environ.get("FORMWORK_UPLOADS")
        or os.path.join(app.instance_path, "uploads"),
        FORMWORK_TIME_BUDGET=float(os.environ.get("FORMWORK_TIME_BUDGET") or DEFAULT_TIME_BUDGET),
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))

    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["formwork"] = FormworkState(engine, make_session_factory(engine))

    app.register_blueprint(health)
    from web.params import refuse_unstorable_text

    app.before_request(refuse_unstorable_text)  # a NUL in a URL or form: 404 / 422, not 500

    from web import errors, pages

    errors.init_app(app)  # one handler of engine errors, by class: JSON under /api/, else a page
    pages.init_app(app)  # the end-user pages: sign-in, lists, forms, records, inbox
    from web import admin

    admin.init_app(app)  # the admin console: packs, users, roles, webhooks, audit trail

    from web import api
    from web.jsonio import ExactJSONProvider

    app.json = ExactJSONProvider(app)  # exact decimals (342.00) in every JSON response
    api.init_app(app)  # the REST API under /api/v1 and its Swagger UI at /api/docs

    from web.cli import cli

    for command in cli.commands.values():
        app.cli.add_command(command)
    return app


def formwork() -> FormworkState:
    """The engine wiring of the current app."""
    return current_app.extensions["formwork"]


def instance_secret_key(instance_path: Path) -> str:
    """The key kept in `instance/secret_key`, made on first use (safe with many workers)."""
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        draft = instance_path / f".secret_key.{os.getpid()}"
        draft.write_text(secrets.token_hex(32) + "\n", encoding="ascii")
        draft.chmod(0o600)
        try:
            os.link(draft, path)  # atomic: the first worker's key wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text(encoding="ascii").strip()


# The health check load balancers and `make run` users can ask.
health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz() -> ResponseReturnValue:
    """200 when the database answers and is fully migrated, 503 otherwise."""
    expected = head_revision()
    try:
        revision = current_revision(formwork().engine)
    except DBAPIError:
        return jsonify(status="error", database="unreachable"), 503
    if revision != expected:
        body = {"status": "error", "database": "not migrated", "revision": revision}
        return jsonify(body | {"expected": expected}), 503
    return jsonify(status="ok", database="ok", revision=revision)
