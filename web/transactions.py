"""The database transaction of one request, in a module of its own.

The page and API contexts open it; keeping it out of `web/__init__.py` means neither
imports the app factory's package back (no `web` ↔ `web.pages.context` cycle).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import current_app, request
from sqlalchemy.orm import Session

from engine.db import transaction

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
F = TypeVar("F", bound=Callable[..., Any])


def reads_only(view: F) -> F:
    """Mark a POST view that only reads (a preview of posted values): it takes no write lock.
    Should it write after all, engine/db.py moves its transaction to the write lock."""
    view.reads_only = True  # type: ignore[attr-defined]  # a mark on the function object, read by engine/db.py
    return view


@contextmanager
def request_transaction() -> Iterator[Session]:
    """The transaction of one request, within its time budget (FORMWORK_TIME_BUDGET).

    GET, HEAD and OPTIONS only read: on SQLite they leave the write lock to the requests
    that write, so lists and pages are served side by side.
    """
    with transaction(
        current_app.extensions["formwork"].session_factory,
        write=request.method not in SAFE_METHODS and not _reads_only(),
        budget=current_app.config["FORMWORK_TIME_BUDGET"] or None,
    ) as session:
        yield session


def _reads_only() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "reads_only", False))
