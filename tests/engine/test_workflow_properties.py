"""Property test: random users, edits, transitions, votes and upgrades keep every promise.

Whatever sequence happens, a record never leaves a final state, never appears outside a
reader's scope, never shows a field hidden from the reader, and changes state only by a
declared transition that left its history row.
"""

from __future__ import annotations

import copy
import itertools

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import text

from engine.accounts import add_grant
from engine.actor import SYSTEM
from engine.audit import record_history, visible_history
from engine.catalog import load_catalog
from engine.db import transaction
from engine.errors import Conflict, NotFound, PermissionDenied, TransitionRefused, ValidationFailed
from engine.models import User
from engine.packs import import_pack
from engine.records import ListQuery, create_record, get_record, list_records, update_record
from engine.workflow import apply_transition
from tests.engine.people import make_user
from tests.engine.sample_pack import module
from tests.engine.workflow_pack import workflow_pack

EXPECTED = (Conflict, NotFound, PermissionDenied, TransitionRefused, ValidationFailed)
TRANSITIONS = ["submit", "withdraw", "approve", "reject", "escalate", "check"]
_versions = itertools.count(1)


def _pack(minor: int) -> dict:
    pack = workflow_pack("60%", version=f"1.{minor}.0")
    labour = module(pack, "labour")
    labour["permissions"]["auditor"] = {"read": "all", "scope": ["project"]}
    pack["roles"].append({"id": "auditor", "title": "Auditor"})
    for n in range(1, minor + 1):  # each upgrade adds a field
        labour["schema"]["properties"][f"extra_{n}"] = {"type": "string"}
    return copy.deepcopy(pack)


class WorkflowMachine(RuleBasedStateMachine):
    def __init__(self, factory, people, projects):
        super().__init__()
        self.factory = factory
        self.people = people
        self.projects = projects
        self.records: list[str] = []

    def _do(self, action):
        try:
            with transaction(self.factory) as session:
                return action(session)
        except EXPECTED:
            return None

    @rule(owner=st.sampled_from(["lee", "wu"]), project=st.integers(0, 1), hours=st.integers(0, 12))
    def create(self, owner, project, hours):
        data = {
            "project": self.projects[project],
            "date": "2026-11-02",
            "worker": owner,
            "items": [{"task": "t", "hours": hours, "rate": 40}],
            "overtime_reason": "late pour",
            "checker": "zhao",
        }
        record = self._do(lambda s: create_record(s, "labour", data, self.people[owner]))
        if record is not None:
            self.records.append(record.id)

    @rule(
        who=st.sampled_from(["lee", "wu", "zhao", "vic", "admin"]),
        pick=st.integers(0, 50),
        hours=st.integers(0, 12),
    )
    def edit(self, who, pick, hours):
        if not self.records:
            return
        record_id = self.records[pick % len(self.records)]

        def change(session):
            current = get_record(session, "labour", record_id, self.people[who])
            items = [{"task": "t", "hours": hours, "rate": 40}]
            return update_record(
                session, "labour", record_id, current.version, {"items": items}, self.people[who]
            )

        self._do(change)

    @rule(
        who=st.sampled_from(["lee", "wu", "zhao", "qian", "sun", "admin"]),
        pick=st.integers(0, 50),
        transition=st.sampled_from(TRANSITIONS),
        comment=st.sampled_from([None, "ok"]),
    )
    def act(self, who, pick, transition, comment):
        if not self.records:
            return
        record_id = self.records[pick % len(self.records)]
        self._do(
            lambda s: apply_transition(
                s, "labour", record_id, transition, self.people[who], comment=comment
            )
        )

    @rule()
    def upgrade(self):
        minor = next(_versions)
        self._do(lambda s: import_pack(s, _pack(minor)))

    @invariant()
    def states_change_only_by_declared_transitions(self):
        with self.factory() as session:
            workflow = load_catalog(session).module("labour").workflow
            finals = {s.id for s in workflow.states.values() if s.final}
            declared = {(source, t.target) for t in workflow.transitions for source in t.sources}
            for record_id in self.records:
                entries = [
                    h
                    for h in record_history(session, "labour", record_id)
                    if h.action in ("create", "transition")
                ]
                state = entries[0].to_state
                assert state == workflow.initial
                for entry in entries[1:]:
                    assert state not in finals, "a record left a final state"
                    assert entry.from_state == state
                    assert (entry.from_state, entry.to_state) in declared
                    state = entry.to_state
                stored = session.execute(
                    text("select state from m_labour where id = :id"), {"id": record_id}
                ).scalar_one()
                assert stored == state, "the state changed without a history row"

    @invariant()
    def readers_see_only_their_scope_and_fields(self):
        with self.factory() as session:
            everything = list_records(session, "labour", SYSTEM, ListQuery(per_page=200))
            audit = list_records(session, "labour", self.people["aud"], ListQuery(per_page=200))
            assert {r.data["project"] for r in audit.items} <= {self.projects[0]}
            assert audit.total == sum(
                1 for r in everything.items if r.data["project"] == self.projects[0]
            )
            wu = list_records(session, "labour", self.people["wu"], ListQuery(per_page=200))
            assert all(r.owner == "wu" for r in wu.items)
            viewer = list_records(session, "labour", self.people["vic"], ListQuery(per_page=200))
            assert all("amount" not in r.data for r in viewer.items)
            assert "amount" not in viewer.totals
            for record_id in self.records[:3]:
                for entry in visible_history(session, "labour", record_id, self.people["vic"]):
                    for change in entry["changes"]:
                        if change["field"] == "amount":
                            assert change["old"] == change["new"] == "***"


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_random_workflows_keep_their_promises(session_factory):
    with transaction(session_factory) as session:
        import_pack(session, _pack(0))
        people = {
            "lee": make_user(session, "lee", "foreman"),
            "wu": make_user(session, "wu", "foreman"),
            "zhao": make_user(session, "zhao", "site_manager"),
            "qian": make_user(session, "qian", "site_manager"),
            "sun": make_user(session, "sun", "site_manager"),
            "vic": make_user(session, "vic", "viewer"),
            "aud": make_user(session, "aud", "auditor"),
            "admin": make_user(session, "root", "admin"),
        }
        projects = [
            create_record(session, "project", {"code": f"P{n}", "name": f"Site {n}"}, SYSTEM).id
            for n in range(2)
        ]
        auditor = session.query(User).filter_by(name="aud").one()
        add_grant(session, auditor, "project", projects[0])
    run_state_machine_as_test(
        lambda: WorkflowMachine(session_factory, people, projects),
        settings=settings(
            max_examples=12,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )
