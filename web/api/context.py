"""Who is calling and in which transaction: the per-request plumbing of every API route.

The API reads only `Authorization: Bearer <token>`, never the browser's session cookie, so
a page on another site cannot make a signed-in browser write through the API (no CSRF
surface). The token is checked on every request with `engine.accounts.authenticate_token`,
and the Actor is rebuilt from the database each time, so a revoked token, a deactivated
user or a removed role stops working on the very next call. Each request runs in one
transaction that commits only when the route returns normally.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from flask import request
from sqlalchemy.orm import Session

from engine.accounts import actor_of, authenticate_token
from engine.actor import Actor
from web.refusals import ApiError
from web.transactions import request_transaction

REALM = 'Bearer realm="formwork"'
BEARER = re.compile(r"^Bearer +(\S+) *$", re.IGNORECASE)


def bearer_token(required: bool = True) -> str | None:
    """The token of the Authorization header; 401 when it is missing or not a bearer token."""
    header = request.headers.get("Authorization")
    if header is None:
        if not required:
            return None
        raise ApiError(401, "token_missing", headers={"WWW-Authenticate": REALM})
    match = BEARER.match(header)
    if match is None:
        raise ApiError(
            401,
            "authorization_not_bearer",
            headers={"WWW-Authenticate": f'{REALM}, error="invalid_request"'},
        )
    return match.group(1)


def _actor(session: Session, token: str) -> Actor:
    user = authenticate_token(session, token)
    if user is None:
        raise ApiError(
            401, "token_invalid", headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'}
        )
    return actor_of(user)


@contextmanager
def api_session() -> Iterator[tuple[Session, Actor]]:
    """One transaction and the authenticated caller; 401 without a valid token."""
    token = bearer_token()
    assert token is not None
    with request_transaction() as session:
        yield session, _actor(session, token)


@contextmanager
def optional_session() -> Iterator[tuple[Session, Actor | None]]:
    """Like `api_session`, but a request without credentials gets None as its actor."""
    token = bearer_token(required=False)
    with request_transaction() as session:
        yield session, (_actor(session, token) if token is not None else None)
