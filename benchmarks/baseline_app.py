"""The hand-written Flask app over the baseline tables: the yardstick of the concurrency run.

What a careful developer would write for one list endpoint without Formwork: a Flask app,
a plain SQLAlchemy engine (WAL on SQLite, the same page cache as the engine's, the driver's
own transaction handling), one session per request, the three hand-written queries of
`baseline.list_page` (page with link titles, child rows, count and totals) and JSON out. No
authentication and no permissions, so the engine's figures include work this app skips.

Run by `concurrency.py` under gunicorn: `gunicorn 'benchmarks.baseline_app:create_app()'`
with `BASELINE_DATABASE_URL` set.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, Response, request
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session

from benchmarks import baseline
from engine.exactjson import dumps


def _engine(url: str) -> Any:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    return engine


def create_app() -> Flask:
    """The app: `GET /labour?trade=rebar&page=1&per_page=20`."""
    app = Flask(__name__)
    engine = _engine(os.environ["BASELINE_DATABASE_URL"])

    @app.get("/labour")
    def labour() -> Response:
        trade = request.args.get("trade")
        page = int(request.args.get("page", 1))
        per_page = min(int(request.args.get("per_page", 20)), 200)
        with Session(engine) as session:
            found = baseline.list_page(session, trade, page, per_page)
        body = {
            "items": found.rows,
            "total": found.total,
            "page": page,
            "per_page": per_page,
            "totals": {"hours": found.hours, "amount": found.amount},
        }
        return Response(dumps(body), mimetype="application/json")

    return app
