"""The database transaction of one request, in a module of its own.

The page and API contexts open it; keeping it out of `web/__init__.py` means neither
imports the app factory's package back (no `web` ↔ `web.pages.context` cycle).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, request
from sqlalchemy.orm import Session

from engine.db import transaction

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@contextmanager
def request_transaction() -> Iterator[Session]:
    """The transaction of one request, within its time budget (FORMWORK_TIME_BUDGET).

    GET, HEAD and OPTIONS only read: on SQLite they leave the write lock to the requests
    that write, so lists and pages are served side by side.
    """
    with transaction(
        current_app.extensions["formwork"].session_factory,
        write=request.method not in SAFE_METHODS,
        budget=current_app.config["FORMWORK_TIME_BUDGET"] or None,
    ) as session:
        yield session
