"""Server-side sessions: they hold while used, and end for good on every way out."""

from __future__ import annotations

import datetime as dt

from engine import accounts, sessions
from engine.models import User, UserSession

POLICY = sessions.SessionPolicy(lifetime=dt.timedelta(hours=12), idle=dt.timedelta(hours=2))
START = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)


def _user(session, name="lee") -> User:
    return accounts.create_user(session, name, "a-good-password")


def test_a_session_in_use_holds_until_its_lifetime(session) -> None:
    user = _user(session)
    token = sessions.start_session(session, user, POLICY, now=START)
    for hours in range(1, 12):  # a request every hour keeps it alive ...
        assert sessions.session_user(session, token, POLICY, START + dt.timedelta(hours=hours))
    at_end = START + dt.timedelta(hours=12)
    assert sessions.session_user(session, token, POLICY, at_end) is None  # ... for 12 h at most
    assert sessions.session_user(session, token, POLICY, START + dt.timedelta(hours=11)) is None


def test_an_idle_session_ends_and_stays_ended(session) -> None:
    user = _user(session)
    token = sessions.start_session(session, user, POLICY, now=START)
    assert sessions.session_user(session, token, POLICY, START + dt.timedelta(hours=2)) is None
    assert sessions.session_user(session, token, POLICY, START + dt.timedelta(minutes=5)) is None


def test_a_short_idle_timeout_is_kept_fresh_by_requests_within_it(session) -> None:
    policy = sessions.SessionPolicy(lifetime=dt.timedelta(hours=1), idle=dt.timedelta(minutes=1))
    token = sessions.start_session(session, _user(session), policy, now=START)
    for seconds in range(50, 600, 50):
        moment = START + dt.timedelta(seconds=seconds)
        assert sessions.session_user(session, token, policy, moment) is not None


def test_ended_sessions_and_forged_tokens_are_refused(session) -> None:
    user = _user(session)
    token = sessions.start_session(session, user, POLICY)
    assert sessions.end_session(session, token)
    assert not sessions.end_session(session, token)  # ending twice is harmless
    for forged in (token, "", None, "x" * 10_000, token + "x"):
        assert sessions.session_user(session, forged, POLICY) is None


def test_signing_in_again_clears_the_users_spent_sessions(session) -> None:
    user = _user(session)
    old = sessions.start_session(session, user, POLICY, now=START)
    sessions.end_session(session, old)
    sessions.start_session(session, user, POLICY, now=START + dt.timedelta(hours=1))
    assert session.query(UserSession).filter_by(user_id=user.id).count() == 1
