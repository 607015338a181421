"""Every write path holds the writer to their scope, their readable links and the state rules.

A site manager granted one project cannot file, batch-file or move a record under another;
a link to a record the writer cannot read is refused like a missing one; a record in a
read-only or final state cannot be deleted by anyone but an admin. Nothing is written when
a write is refused.
"""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import accounts
from engine.actor import SYSTEM, Actor
from engine.catalog import load_catalog
from engine.errors import BatchFailed, Conflict, StateLocked, ValidationFailed
from engine.packs import import_pack
from engine.records import create_record, delete_record, get_record, update_record
from engine.records.service import create_records
from engine.workflow import apply_transition
from tests.engine.people import make_user
from tests.engine.sample_pack import SAMPLE


def scoped_pack() -> dict:
    """The sample pack where site managers write tallies (scoped to their projects) and
    foremen read only the projects they own."""
    pack = copy.deepcopy(SAMPLE)
    project, labour = pack["modules"]
    project["permissions"]["foreman"] = {"read": "own", "create": True}
    labour["permissions"]["site_manager"] = {
        "create": True,
        "read": "all",
        "update": "all",
        "delete": "all",
        "scope": ["project"],
    }
    return pack


@pytest.fixture
def site(session: Session) -> dict:
    import_pack(session, scoped_pack())
    a = create_record(session, "project", {"code": "A", "name": "Tower A"}, SYSTEM)
    b = create_record(session, "project", {"code": "B", "name": "Tower B"}, SYSTEM)
    manager = make_user(session, "zhao", "site_manager")
    accounts.add_grant(session, "zhao", "project", a.id)
    foreman = make_user(session, "lee", "foreman")
    return {"a": a.id, "b": b.id, "manager": manager, "foreman": foreman}


def tally(project: str, worker: str = "Lee Wei") -> dict:
    return {
        "project": project,
        "date": "2026-11-02",
        "worker": worker,
        "trade": "rebar",
        "items": [{"task": "tie bars", "hours": "4", "rate": "40"}],
    }


def count(session: Session) -> int:
    table = load_catalog(session).tables["labour"].main
    return session.scalar(select(func.count()).select_from(table)) or 0


def test_a_scoped_writer_cannot_create_records_outside_the_granted_project(
    session: Session, site: dict
) -> None:
    manager: Actor = site["manager"]
    with pytest.raises(ValidationFailed) as refused:
        create_record(session, "labour", tally(site["b"]), manager)
    assert [p.path for p in refused.value.problems] == ["/project"]
    assert "granted to you" in refused.value.problems[0].message
    with pytest.raises(BatchFailed) as batch:
        create_records(session, "labour", [tally(site["a"]), tally(site["b"])], manager)
    assert [(i, p.path) for i, p in batch.value.items] == [(1, "/project")]
    assert count(session) == 0
    inside = create_record(session, "labour", tally(site["a"]), manager)
    assert inside.data["project"] == site["a"] and count(session) == 1


def test_a_scoped_writer_cannot_move_a_record_out_of_the_granted_project(
    session: Session, site: dict
) -> None:
    manager: Actor = site["manager"]
    record = create_record(session, "labour", tally(site["a"]), manager)
    with pytest.raises(ValidationFailed) as refused:
        update_record(session, "labour", record.id, 1, {"project": site["b"]}, manager)
    assert [p.path for p in refused.value.problems] == ["/project"]
    after = get_record(session, "labour", record.id, SYSTEM)
    assert after.version == 1 and after.data["project"] == site["a"]
    changed = update_record(session, "labour", record.id, 1, {"worker": "Wang"}, manager)
    assert changed.version == 2  # within the scope, writing works


def test_a_link_the_writer_cannot_read_is_refused_like_a_missing_one(
    session: Session, site: dict
) -> None:
    foreman: Actor = site["foreman"]
    own = create_record(session, "project", {"code": "F", "name": "Foreman's"}, foreman)
    hidden = tally(site["a"])  # a project the foreman may not read
    with pytest.raises(ValidationFailed) as refused:
        create_record(session, "labour", hidden, foreman)
    with pytest.raises(ValidationFailed) as unknown:
        create_record(session, "labour", tally("0" * 32), foreman)
    assert [p.path for p in refused.value.problems] == ["/project"]
    said = refused.value.problems[0].message.replace(site["a"], "ID")
    assert said == unknown.value.problems[0].message.replace("0" * 32, "ID")
    assert count(session) == 0
    assert create_record(session, "labour", tally(own.id), foreman).data["project"] == own.id


def test_records_in_read_only_and_final_states_cannot_be_deleted_but_by_an_admin(
    session: Session, site: dict
) -> None:
    foreman: Actor = site["foreman"]
    own = create_record(session, "project", {"code": "F", "name": "Foreman's"}, foreman)
    record = create_record(session, "labour", tally(own.id), foreman)
    apply_transition(session, "labour", record.id, "submit", foreman)
    with pytest.raises(StateLocked) as refused:
        delete_record(session, "labour", record.id, foreman)
    assert isinstance(refused.value, Conflict) and "read-only" in str(refused.value)
    with pytest.raises(StateLocked):
        update_record(session, "labour", record.id, 2, {"worker": "Wang"}, foreman)
    assert get_record(session, "labour", record.id, foreman).state == "submitted"
    apply_transition(session, "labour", record.id, "approve", SYSTEM)
    with pytest.raises(StateLocked) as final:
        delete_record(session, "labour", record.id, foreman)
    assert get_record(session, "labour", record.id, foreman).state == "approved"
    admin = make_user(session, "root", "admin")
    delete_record(session, "labour", record.id, admin)
    assert count(session) == 0
    assert final.value.action == "delete"
