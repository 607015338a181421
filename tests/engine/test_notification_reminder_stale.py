"""A reminder held back (quiet hours, a retry) is dropped when the record it is about no
longer waits at that due moment: the site manager who approved the contract meanwhile is
not e-mailed that it is due soon."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import actor_of
from engine.models import User
from engine.models_notifications import Notification
from engine.notifications.claims import why_not
from engine.notifications.preferences import Preferences, save_preferences
from engine.workflow import apply_transition, tick
from tests.engine.test_notification_reminders import DUE, contract  # noqa: F401  (fixture)


def zhao_wants_email(session: Session) -> None:
    user_id = session.scalar(select(User.id).where(User.name == "zhao"))
    assert user_id is not None
    save_preferences(session, user_id, Preferences(email="zhao@example.com", channels=("email",)))


def due_soon(session: Session, record_id: str) -> Notification:
    (note,) = session.scalars(
        select(Notification).where(
            Notification.event == "due_soon", Notification.record_id == record_id
        )
    )
    return note


def test_a_reminder_stands_while_the_record_waits_and_is_dropped_once_it_moved_on(
    session: Session,
    contract: dict[str, Any],  # noqa: F811  (the fixture)
) -> None:
    zhao_wants_email(session)
    tick(session, now=DUE - dt.timedelta(hours=3))
    note = due_soon(session, contract["id"])
    assert why_not(session, note, "email", {"email"})[0] is None  # still waiting: it goes
    zhao = session.scalars(select(User).where(User.name == "zhao")).one()
    apply_transition(session, "contract", contract["id"], "approve", actor_of(zhao))
    reason, _ = why_not(session, note, "email", {"email"})
    assert reason == f"contract {contract['id']} is no longer due at that time"


def test_other_notifications_are_not_held_to_a_due_moment(
    session: Session,
    contract: dict[str, Any],  # noqa: F811  (the fixture)
) -> None:
    zhao_wants_email(session)
    (task_note,) = session.scalars(
        select(Notification).where(Notification.event == "task", Notification.user_name == "zhao")
    )
    assert why_not(session, task_note, "email", {"email"})[0] is None
