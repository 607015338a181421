"""Workflow scenarios: a foreman submits, managers approve, accountants are copied."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from engine.accounts import actor_of, set_roles
from engine.actor import SYSTEM
from engine.audit import record_history, visible_history
from engine.errors import Conflict, NotFound, TransitionRefused
from engine.models import Vote
from engine.packs import import_pack
from engine.records import create_record, get_record, update_record
from engine.workflow import (
    add_approver,
    apply_transition,
    available_transitions,
    delegate_vote,
    inbox,
    tick,
)
from tests.engine.people import make_user
from tests.engine.workflow_pack import workflow_pack


@pytest.fixture
def people(session):
    names = {
        "lee": ["foreman"],
        "wu": ["foreman"],
        "zhao": ["site_manager"],
        "qian": ["site_manager"],
        "sun": ["site_manager"],
        "acc": ["accountant"],
    }
    return {name: make_user(session, name, *roles) for name, roles in names.items()}


def install(session, quorum="any"):
    import_pack(session, workflow_pack(quorum))
    return create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)


def draft(session, project, who, hours=8):
    return create_record(
        session,
        "labour",
        {
            "project": project.id,
            "date": "2026-11-02",
            "worker": "Lee",
            "items": [{"task": "t", "hours": hours, "rate": 40}],
        },
        who,
    )


def options(session, record, who):
    return {o.id: o for o in available_transitions(session, "labour", record.id, who)}


def test_available_transitions_say_why_not(session, people):
    project = install(session)
    record = draft(session, project, people["lee"])
    mine = options(session, record, people["lee"])
    assert mine["submit"].available
    assert not mine["approve"].available
    assert mine["approve"].reason.code == "wrong_state"
    assert "applies from submitted" in mine["approve"].reason.message
    with pytest.raises(NotFound):
        options(session, record, people["wu"])  # another foreman cannot even see it
    empty = draft(session, project, people["lee"], hours=0)
    refused = options(session, empty, people["lee"])["submit"].reason
    assert refused.code == "guard_failed"
    assert "hours > 0" not in refused.message  # the guard's expression is not for end users


def test_submit_vote_any_notify_and_history(session, people):
    project = install(session)
    record = draft(session, project, people["lee"])
    with pytest.raises(TransitionRefused, match="no comment"):
        apply_transition(session, "labour", record.id, "submit", people["lee"], comment="please")
    result = apply_transition(session, "labour", record.id, "submit", people["lee"])
    assert result.fired and result.record.state == "submitted"
    with pytest.raises(Conflict, match="read-only"):
        update_record(
            session, "labour", record.id, result.record.version, {"worker": "X"}, people["lee"]
        )
    box = inbox(session, people["zhao"])
    assert box.counts["vote"] == 1 and box.items[0].record.id == record.id
    assert set(box.items[0].transitions) >= {"approve", "reject"}
    with pytest.raises(TransitionRefused, match="comment is required"):
        apply_transition(session, "labour", record.id, "reject", people["zhao"])
    result = apply_transition(session, "labour", record.id, "approve", people["zhao"], comment="ok")
    assert result.fired and result.record.state == "approved"
    assert result.notified == ["acc"]
    assert inbox(session, people["acc"]).counts["copied"] == 1
    assert inbox(session, people["zhao"]).counts["total"] == 0
    history = record_history(session, "labour", record.id)
    assert [(h.action, h.transition, h.from_state, h.to_state) for h in history] == [
        ("create", None, None, "draft"),
        ("transition", "submit", "draft", "submitted"),
        ("vote", "approve", "submitted", None),
        ("transition", "approve", "submitted", "approved"),
    ]
    assert history[2].actor == "zhao" and history[2].comment == "ok"
    assert history[3].module_version == "1.0.0"
    final = options(session, result.record, people["zhao"])
    assert final["reject"].reason.code == "state_locked"
    assert "final state" in final["reject"].reason.message


def test_quorum_all_counts_every_eligible_approver(session, people):
    project = install(session, quorum="all")
    record = draft(session, project, people["lee"])
    apply_transition(session, "labour", record.id, "submit", people["lee"])
    first = apply_transition(session, "labour", record.id, "approve", people["zhao"])
    assert not first.fired and first.progress.voted == ("zhao",) and first.progress.needed == 3
    with pytest.raises(TransitionRefused, match="already voted"):
        apply_transition(session, "labour", record.id, "approve", people["zhao"])
    apply_transition(session, "labour", record.id, "approve", people["qian"])
    last = apply_transition(session, "labour", record.id, "approve", people["sun"])
    assert last.fired and last.record.state == "approved"


def test_quorum_share_and_number(session, people):
    project = install(session, quorum="60%")
    record = draft(session, project, people["lee"])
    apply_transition(session, "labour", record.id, "submit", people["lee"])
    assert not apply_transition(session, "labour", record.id, "approve", people["zhao"]).fired
    assert apply_transition(
        session, "labour", record.id, "approve", people["qian"]
    ).fired  # 2 of 3 ≥ 60%


def test_self_approval_forbidden(session, people):
    project = install(session)
    boss = make_user(session, "boss", "foreman", "site_manager")
    record = draft(session, project, boss)
    apply_transition(session, "labour", record.id, "submit", boss)
    with pytest.raises(TransitionRefused, match="may not approve their own"):
        apply_transition(session, "labour", record.id, "approve", boss)


def test_leaving_the_state_discards_votes(session, people):
    project = install(session, quorum="all")
    record = draft(session, project, people["lee"])
    apply_transition(session, "labour", record.id, "submit", people["lee"])
    apply_transition(session, "labour", record.id, "approve", people["zhao"])
    apply_transition(session, "labour", record.id, "reject", people["qian"], comment="wrong hours")
    assert session.scalars(select(Vote).where(Vote.discarded.is_(False))).all() == []
    apply_transition(session, "labour", record.id, "submit", people["lee"])
    again = apply_transition(session, "labour", record.id, "approve", people["zhao"])
    assert again.progress.voted == ("zhao",)  # the old vote does not count twice


def test_withdraw_only_by_owner_before_any_vote(session, people):
    project = install(session, quorum="all")
    record = draft(session, project, people["lee"])
    apply_transition(session, "labour", record.id, "submit", people["lee"])
    with pytest.raises(TransitionRefused, match="only the record's owner"):
        apply_transition(session, "labour", record.id, "withdraw", people["zhao"])
    apply_transition(session, "labour", record.id, "approve", people["zhao"])
    with pytest.raises(TransitionRefused, match="votes have already been cast"):
        apply_transition(session, "labour", record.id, "withdraw", people["lee"])


def test_delegate_and_add_approver(session, people):
    project = install(session, quorum="all")
    helper = make_user(session, "zhou", "accountant")
    record = draft(session, project, people["lee"])
    apply_transition(session, "labour", record.id, "submit", people["lee"])
    progress = delegate_vote(
        session, "labour", record.id, "approve", people["sun"], "zhou", comment="on leave"
    )
    assert "sun" not in progress.eligible and "zhou" in progress.eligible
    assert inbox(session, people["sun"]).counts["vote"] == 0
    assert inbox(session, helper).counts["vote"] == 1
    progress = add_approver(session, "labour", record.id, "approve", people["zhao"], "acc")
    assert progress.needed == 4
    with pytest.raises(TransitionRefused, match="needs one of the roles"):
        add_approver(session, "labour", record.id, "approve", people["lee"], "wu")
    for who in ("zhao", "qian", "acc"):
        assert not apply_transition(session, "labour", record.id, "approve", people[who]).fired
    assert apply_transition(session, "labour", record.id, "approve", helper).fired
    actions = [h.action for h in record_history(session, "labour", record.id)]
    assert "delegate" in actions and "add_approver" in actions


def test_field_approver_and_requires(session, people):
    project = install(session)
    record = create_record(
        session,
        "labour",
        {"project": project.id, "date": "2026-11-02", "worker": "Lee", "checker": "wu"},
        people["lee"],
    )
    reason = options(session, record, people["lee"])["check"].reason
    assert reason.code == "not_approver"
    assert reason.message == "you are not an approver of this record"
    submit = options(session, record, people["lee"])["submit"].reason
    assert submit.code == "missing_fields" and submit.params["fields"] == "items"


def test_stale_version_conflicts(session, people):
    project = install(session)
    record = draft(session, project, people["lee"])
    with pytest.raises(Conflict):
        apply_transition(
            session, "labour", record.id, "submit", people["lee"], version=record.version + 1
        )
    assert get_record(session, "labour", record.id, people["lee"]).state == "draft"


def test_due_marks_overdue_and_tick_fires_on_due(session, people):
    project = install(session)
    record = draft(session, project, people["lee"])
    start = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    apply_transition(session, "labour", record.id, "submit", people["lee"], now=start)
    box = inbox(session, people["zhao"], now=start + dt.timedelta(days=1))
    assert box.counts["overdue"] == 0
    box = inbox(session, people["zhao"], now=start + dt.timedelta(days=3))
    assert box.counts["overdue"] == 1 and box.items[0].overdue
    assert tick(session, now=start + dt.timedelta(days=1)).fired == []
    report = tick(session, now=start + dt.timedelta(days=3))
    assert report.fired == [("labour", record.id, "escalate")]
    entry = record_history(session, "labour", record.id)[-1]
    assert entry.actor is None and entry.to_state == "escalated"


def test_revoked_role_loses_inbox_and_access(session, people):
    project = install(session)
    record = draft(session, project, people["lee"])
    apply_transition(session, "labour", record.id, "submit", people["lee"])
    user = set_roles(session, "zhao", [])
    assert inbox(session, actor_of(user)).counts["total"] == 0
    with pytest.raises(NotFound):
        apply_transition(session, "labour", record.id, "approve", actor_of(user))


def test_history_is_append_only(session, people):
    project = install(session)
    draft(session, project, people["lee"])
    with pytest.raises(Exception, match="append-only"), session.begin_nested():
        session.execute(text("update history set actor = 'mallory'"))
    with pytest.raises(Exception, match="append-only"), session.begin_nested():
        session.execute(text("delete from history"))


def test_history_masks_hidden_fields_for_readers_who_may_not_see_them(session, people):
    project = install(session)
    record = draft(session, project, people["lee"])
    viewer = make_user(session, "vic", "viewer")
    entries = visible_history(session, "labour", record.id, viewer)
    amounts = [c for c in entries[0]["changes"] if c["field"] == "amount"]
    assert amounts == [{"field": "amount", "old": "***", "new": "***"}]
    hours = [c for c in entries[0]["changes"] if c["field"] == "hours"]
    assert hours == [{"field": "hours", "old": None, "new": "8.0"}]
    with pytest.raises(NotFound):
        visible_history(session, "labour", record.id, people["wu"])
