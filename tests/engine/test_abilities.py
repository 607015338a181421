"""One abilities answer per actor, module and record, matching what the services enforce.

A scoped writer may change only the records of the projects granted to them, though a
second role lets them read every record; an owner-only role changes only its own records;
a read-only state locks the data for everyone and lets only an admin delete. Each answer is
checked against the service itself, so a button shown is an action that succeeds.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest
from sqlalchemy.orm import Session

from engine import accounts
from engine.abilities import abilities, abilities_in
from engine.actor import SYSTEM, Actor
from engine.catalog import load_catalog
from engine.errors import NotFound, PermissionDenied, StateLocked
from engine.packs import import_pack
from engine.records import create_record, delete_record, get_record, update_record
from engine.workflow import apply_transition
from engine.workflow.abilities import record_abilities
from tests.engine.people import make_user
from tests.engine.sample_pack import SAMPLE


def _pack() -> dict[str, Any]:
    """Site managers change tallies of their granted projects; viewers read and export all."""
    pack = copy.deepcopy(SAMPLE)
    labour = pack["modules"][1]
    labour["permissions"]["site_manager"] = {
        "read": "all",
        "update": "all",
        "delete": "all",
        "scope": ["project"],
    }
    labour["permissions"]["viewer"]["export"] = True
    return pack


def _tally(project: str) -> dict[str, Any]:
    return {
        "project": project,
        "date": "2026-11-02",
        "worker": "Lee Wei",
        "trade": "rebar",
        "items": [{"task": "tie bars", "hours": "4", "rate": "40"}],
    }


@pytest.fixture
def site(session: Session) -> dict[str, Any]:
    import_pack(session, _pack())
    a = create_record(session, "project", {"code": "A", "name": "Tower A"}, SYSTEM)
    b = create_record(session, "project", {"code": "B", "name": "Tower B"}, SYSTEM)
    manager = make_user(session, "zhao", "site_manager", "viewer")
    accounts.add_grant(session, "zhao", "project", a.id)
    foreman = make_user(session, "lee", "foreman")
    other = make_user(session, "wu", "foreman")
    in_a = create_record(session, "labour", _tally(a.id), foreman)
    in_b = create_record(session, "labour", _tally(b.id), foreman)
    theirs = create_record(session, "labour", _tally(a.id), other)
    return {"manager": manager, "foreman": foreman, "in_a": in_a, "in_b": in_b, "theirs": theirs}


def _answer(session: Session, who: Actor, record_id: str) -> Any:
    module = load_catalog(session).module("labour")
    return abilities_in(session, who, module, get_record(session, "labour", record_id, who))


def test_a_scoped_writer_may_change_only_granted_records_it_can_read(
    session: Session, site: dict[str, Any]
) -> None:
    manager = site["manager"]
    inside = _answer(session, manager, site["in_a"].id)
    outside = _answer(session, manager, site["in_b"].id)  # readable as a viewer
    assert (inside.update, inside.delete, inside.edit) == (True, True, True)
    assert (outside.read, outside.update, outside.delete, outside.edit) == (
        True,
        False,
        False,
        False,
    )
    assert outside.update_lock is None and outside.export and not outside.create
    with pytest.raises(PermissionDenied):  # the service agrees with the answer
        update_record(session, "labour", site["in_b"].id, 1, {"worker": "Zhao"}, manager)
    with pytest.raises(PermissionDenied):
        delete_record(session, "labour", site["in_b"].id, manager, version=1)
    update_record(session, "labour", site["in_a"].id, 1, {"worker": "Zhao"}, manager)
    # without the grants, a scoped role never answers yes
    module = load_catalog(session).module("labour")
    record = get_record(session, "labour", site["in_a"].id, manager)
    assert not abilities(manager, module, record).update


def test_an_owner_only_role_changes_its_own_records_alone(
    session: Session, site: dict[str, Any]
) -> None:
    foreman = site["foreman"]
    own = _answer(session, foreman, site["in_a"].id)
    assert own.update and own.delete and own.create and not own.export
    with pytest.raises(NotFound):  # "read own": the other foreman's record is not even there
        _answer(session, foreman, site["theirs"].id)
    module = load_catalog(session).module("labour")
    other = get_record(session, "labour", site["theirs"].id, SYSTEM)
    answer = abilities(foreman, module, other)
    assert not answer.update and not answer.delete
    assert answer.fields["worker"] == "write" and answer.fields["amount"] == "computed"


def test_a_read_only_state_locks_data_and_leaves_delete_to_admins(
    session: Session, site: dict[str, Any]
) -> None:
    foreman, record_id = site["foreman"], site["in_a"].id
    apply_transition(session, "labour", record_id, "submit", foreman)
    owner = _answer(session, foreman, record_id)
    assert not owner.update and not owner.delete and not owner.edit
    assert owner.update_lock is not None and owner.update_lock.code == "state_locked"
    assert owner.fields["worker"] == "read"
    admin = _answer(session, make_user(session, "root", "admin"), record_id)
    assert not admin.update and admin.delete and admin.delete_lock is None
    with pytest.raises(StateLocked):
        update_record(session, "labour", record_id, 2, {"worker": "Zhao"}, foreman)
    with pytest.raises(StateLocked):
        delete_record(session, "labour", record_id, foreman, version=2)


def test_the_workflow_adds_each_step_with_its_reason(
    session: Session, site: dict[str, Any]
) -> None:
    module = load_catalog(session).module("labour")
    foreman, manager = site["foreman"], site["manager"]
    record = get_record(session, "labour", site["in_a"].id, foreman)
    answer = record_abilities(session, module, record, foreman)
    submit, approve = answer.step("submit"), answer.step("approve")
    assert submit is not None and submit.available and submit.reason is None
    assert approve is not None and not approve.available and approve.reason is not None
    seen = record_abilities(
        session, module, get_record(session, "labour", record.id, manager), manager
    )
    assert not seen.step("submit").available  # type: ignore[union-attr]  # not a foreman
    with pytest.raises(dataclasses.FrozenInstanceError):
        answer.update = False  # type: ignore[misc]  # one answer, not edited downstream


def test_without_a_record_the_steps_are_those_some_record_may_offer(
    session: Session, site: dict[str, Any]
) -> None:
    module = load_catalog(session).module("labour")
    foreman = abilities(site["foreman"], module)
    manager = abilities(site["manager"], module)
    assert [(s.id, s.available) for s in foreman.transitions] == [
        ("submit", True),
        ("approve", False),
    ]
    assert [(s.id, s.available) for s in manager.transitions] == [
        ("submit", False),
        ("approve", True),
    ]
    assert manager.update and manager.delete and not foreman.export  # on some record
