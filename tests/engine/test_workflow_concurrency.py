"""Many approvers acting on one record at the same moment: exactly one transition wins."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from engine.actor import SYSTEM
from engine.db import transaction
from engine.errors import Conflict, TransitionRefused
from engine.models import HistoryEntry, Vote
from engine.packs import import_pack
from engine.records import create_record, get_record
from engine.workflow import apply_transition
from tests.engine.people import make_user
from tests.engine.workflow_pack import workflow_pack

APPROVERS = 20


def _race(session_factory, actors, transition, record_id, comment=None):
    return _race_moves(session_factory, [(who, transition, comment) for who in actors], record_id)


def _race_moves(session_factory, moves, record_id):
    barrier = threading.Barrier(len(moves))
    outcomes: list[str] = []
    lock = threading.Lock()

    def act(who, transition, comment) -> None:
        barrier.wait()
        try:
            with transaction(session_factory) as session:
                result = apply_transition(
                    session, "labour", record_id, transition, who, comment=comment
                )
            outcome = "fired" if result.fired else "voted"
        except (Conflict, TransitionRefused):
            outcome = "refused"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=act, args=move) for move in moves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Counter(outcomes)


@pytest.fixture
def submitted(session_factory):
    def setup(quorum):
        with transaction(session_factory) as session:
            import_pack(session, workflow_pack(quorum))
            foreman = make_user(session, "lee", "foreman")
            managers = [make_user(session, f"m{n:02d}", "site_manager") for n in range(APPROVERS)]
            project = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
            record = create_record(
                session,
                "labour",
                {
                    "project": project.id,
                    "date": "2026-11-02",
                    "worker": "Lee",
                    "items": [{"task": "t", "hours": 8, "rate": 40}],
                },
                foreman,
            )
            apply_transition(session, "labour", record.id, "submit", foreman)
        return record.id, managers

    return setup


def _transitions(session, record_id):
    return session.scalar(
        select(func.count()).where(
            HistoryEntry.record_id == record_id, HistoryEntry.action == "transition"
        )
    )


def test_twenty_approvers_at_once_fire_exactly_one_transition(session_factory, submitted):
    record_id, managers = submitted("any")
    outcomes = _race(session_factory, managers, "approve", record_id)
    assert outcomes["fired"] == 1
    assert outcomes["refused"] == APPROVERS - 1
    with session_factory() as session:
        assert get_record(session, "labour", record_id, SYSTEM).state == "approved"
        assert _transitions(session, record_id) == 2  # submit, then exactly one approve


def test_twenty_votes_at_once_with_quorum_all_fire_once_with_every_vote(session_factory, submitted):
    record_id, managers = submitted("all")
    outcomes = _race(session_factory, managers, "approve", record_id)
    assert outcomes == Counter({"voted": APPROVERS - 1, "fired": 1})
    with session_factory() as session:
        record = get_record(session, "labour", record_id, SYSTEM)
        assert record.state == "approved"
        assert record.version == 3  # created, submitted, approved
        assert _transitions(session, record_id) == 2
        votes = session.scalar(
            select(func.count()).select_from(Vote).where(Vote.record_id == record_id)
        )
        assert votes == APPROVERS


def test_approve_and_reject_at_once_one_wins(session_factory, submitted):
    record_id, managers = submitted("any")
    moves = [
        (who, "reject" if n % 2 else "approve", "no" if n % 2 else None)
        for n, who in enumerate(managers)
    ]
    outcomes = _race_moves(session_factory, moves, record_id)
    assert outcomes == Counter({"fired": 1, "refused": APPROVERS - 1})
    with session_factory() as session:
        assert _transitions(session, record_id) == 2
