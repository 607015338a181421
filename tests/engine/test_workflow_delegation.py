"""Approvals cannot be multiplied: 转交 moves one vote, 加签 is no way round self-approval.

The property test plays random delegations, additions and votes against a model of vote
"slots" (one per eligible approver: the role's holders bar the owner, plus each addition;
a delegation moves its slot) and checks that the engine agrees on who may vote, and fires
exactly when the rule's quorum of slot-holders has voted.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from engine.actor import SYSTEM
from engine.db import transaction
from engine.definitions.model import Approval
from engine.errors import NotFound, TransitionRefused
from engine.packs import import_pack
from engine.records import create_record, get_record
from engine.workflow import add_approver, apply_transition, available_transitions, delegate_vote
from engine.workflow.approvals import needed_votes
from tests.engine.people import make_user
from tests.engine.workflow_pack import workflow_pack

ROLES = {
    "boss": ("foreman", "site_manager"),  # owns the records, holds the approvers' role too
    "zhao": ("site_manager",),
    "qian": ("site_manager",),
    "sun": ("site_manager",),
    "acc": ("accountant",),
    "zhou": ("accountant",),
    "wu": ("foreman",),  # reads only his own tallies: never an approver of boss's
    "root": ("admin",),
}
MANAGERS = {"zhao", "qian", "sun"}
READERS = set(ROLES) - {"wu"}
OWNER = "boss"


def _install(session, quorum):
    import_pack(session, workflow_pack(quorum))
    people = {name: make_user(session, name, *roles) for name, roles in ROLES.items()}
    project = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
    return people, project.id


def _submitted(session, people, project_id):
    data = {
        "project": project_id,
        "date": "2026-11-02",
        "worker": "Lee",
        "items": [{"task": "t", "hours": 8, "rate": 40}],
    }
    record = create_record(session, "labour", data, people[OWNER])
    apply_transition(session, "labour", record.id, "submit", people[OWNER])
    return record.id


def _progress(session, record_id):
    options = available_transitions(session, "labour", record_id, SYSTEM)
    return next(o for o in options if o.id == "approve").progress


@pytest.fixture
def approval(session):
    people, project_id = _install(session, "all")
    return people, _submitted(session, people, project_id)


def test_a_delegation_chain_leaves_one_vote_where_it_started(session, approval):
    people, record_id = approval
    delegate_vote(session, "labour", record_id, "approve", people["zhao"], "acc")
    delegate_vote(session, "labour", record_id, "approve", people["acc"], "zhao")
    progress = delegate_vote(session, "labour", record_id, "approve", people["zhao"], "zhou")
    assert progress.eligible == ("qian", "sun", "zhou")
    assert progress.needed == 3
    for former in ("zhao", "acc"):
        with pytest.raises(TransitionRefused, match="not an approver"):
            apply_transition(session, "labour", record_id, "approve", people[former])
    for voter in ("qian", "sun"):
        assert not apply_transition(session, "labour", record_id, "approve", people[voter]).fired
    assert apply_transition(session, "labour", record_id, "approve", people["zhou"]).fired


def test_an_added_approver_who_delegates_hands_on_their_only_vote(session, approval):
    people, record_id = approval
    add_approver(session, "labour", record_id, "approve", people["zhao"], "acc")
    progress = delegate_vote(session, "labour", record_id, "approve", people["acc"], "zhou")
    assert progress.eligible == ("qian", "sun", "zhao", "zhou")
    with pytest.raises(TransitionRefused, match="not an approver"):
        apply_transition(session, "labour", record_id, "approve", people["acc"])


def test_the_owner_cannot_pick_approvers_nor_be_handed_a_vote(session, approval):
    people, record_id = approval
    with pytest.raises(TransitionRefused, match="may not approve their own record"):
        add_approver(session, "labour", record_id, "approve", people[OWNER], "acc")
    with pytest.raises(TransitionRefused, match="may not approve their own record"):
        delegate_vote(session, "labour", record_id, "approve", people["zhao"], OWNER)
    assert _progress(session, record_id).eligible == ("qian", "sun", "zhao")


class Approvals(RuleBasedStateMachine):
    """One submitted record per run; the model holds the slots and votes the rule allows."""

    def __init__(self, factory, people, project_id, quorum):
        super().__init__()
        self.factory, self.people, self.quorum = factory, people, quorum
        with transaction(factory) as session:
            self.record_id = _submitted(session, people, project_id)
        self.slots = set(MANAGERS)
        self.additions = 0
        self.voted: set[str] = set()
        self.fired = False

    def _needed(self) -> int:
        return needed_votes(_approval_rule(self.quorum), len(self.slots))

    def _try(self, action):
        try:
            with transaction(self.factory) as session:
                return True, action(session)
        except (TransitionRefused, NotFound):  # NotFound: the actor cannot read the record
            return False, None

    @rule(who=st.sampled_from(sorted(ROLES)), to=st.sampled_from(sorted(ROLES)))
    def delegate(self, who, to):
        expected = (
            not self.fired
            and who in self.slots
            and who not in self.voted
            and to in READERS - self.slots - {OWNER}
        )
        done, _ = self._try(
            lambda s: delegate_vote(s, "labour", self.record_id, "approve", self.people[who], to)
        )
        assert done == expected, f"delegation {who}->{to} among {sorted(self.slots)}"
        if done:
            self.slots = (self.slots - {who}) | {to}

    @rule(who=st.sampled_from(sorted(ROLES)), user=st.sampled_from(sorted(ROLES)))
    def add(self, who, user):
        may_add = who in MANAGERS | {"root"}  # the approval's role or an admin, not the owner
        expected = not self.fired and may_add and user in READERS - self.slots - {OWNER}
        done, _ = self._try(
            lambda s: add_approver(s, "labour", self.record_id, "approve", self.people[who], user)
        )
        assert done == expected, f"addition of {user} by {who} among {sorted(self.slots)}"
        if done:
            self.slots.add(user)
            self.additions += 1

    @rule(who=st.sampled_from(sorted(ROLES)))
    def vote(self, who):
        expected = not self.fired and who in self.slots and who not in self.voted
        done, result = self._try(
            lambda s: apply_transition(s, "labour", self.record_id, "approve", self.people[who])
        )
        assert done == expected, f"vote of {who} among {sorted(self.slots)}"
        if done:
            self.voted.add(who)
            should_fire = len(self.voted & self.slots) >= self._needed()
            assert result.fired == should_fire, "fired against the rule's quorum"
            self.fired = result.fired

    @invariant()
    def votes_are_neither_created_nor_lost(self):
        with self.factory() as session:
            record = get_record(session, "labour", self.record_id, SYSTEM)
            assert (record.state == "approved") == self.fired
            if self.fired:
                return
            progress = _progress(session, self.record_id)
        assert set(progress.eligible) == self.slots
        assert len(progress.eligible) <= len(MANAGERS) + self.additions
        assert OWNER not in progress.eligible and "wu" not in progress.eligible
        assert progress.needed == self._needed()


def _approval_rule(quorum):
    return Approval(quorum=quorum, approvers_role="site_manager", approvers_field=None)


@pytest.mark.parametrize("quorum", ["any", "all", 2, "60%"])
@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_no_sequence_reaches_a_quorum_with_fewer_votes_than_the_rule(session_factory, quorum):
    with transaction(session_factory) as session:
        people, project_id = _install(session, quorum)
    run_state_machine_as_test(
        lambda: Approvals(session_factory, people, project_id, quorum),
        settings=settings(
            max_examples=25,
            stateful_step_count=14,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )
