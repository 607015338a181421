"""The bundled office requests (modules/admin_requests.json) as a firm's staff use them:
leave routed by its days (the manager alone up to 3, then a director), trips whose cash
advance goes on to finance, seal use approved by the department head and stamped by the
seal keeper — each step tried with the right and the wrong role; the reports' figures as
hand-computed; and the demo users for the pack's own roles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine import accounts
from engine.actor import Actor
from engine.errors import (
    GuardMessage,
    NotFound,
    OwnerOnly,
    RoleRequired,
    ValidationFailed,
    WrongState,
)
from engine.packs import import_pack
from engine.records import create_record, get_record, list_records
from engine.reports import run_report
from engine.workflow import apply_transition
from tests.engine.people import make_user
from web.cli import cli

PACK = Path(__file__).resolve().parents[2] / "modules" / "admin_requests.json"


@pytest.fixture
def people(session: Any) -> dict[str, Actor]:
    import_pack(session, PACK.read_text(encoding="utf-8"))
    return {
        "lee": make_user(session, "lee", "foreman"),
        "qian": make_user(session, "qian", "planner"),
        "zhao": make_user(session, "zhao", "site_manager"),
        "wu": make_user(session, "wu", "director"),
        "hu": make_user(session, "hu", "accountant"),
        "ma": make_user(session, "ma", "seal_keeper"),
    }


def state(session: Any, module: str, record_id: str, who: Actor) -> str | None:
    return get_record(session, module, record_id, who).state


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def leave(session: Any, who: Actor, start: str, end: str) -> str:
    data = {"leave_type": "annual", "start_date": start, "end_date": end, "reason": "Family"}
    record = create_record(session, "leave", data, who)
    apply_transition(session, "leave", record.id, "submit", who)
    return record.id


def test_three_days_of_leave_are_approved_by_the_manager_alone(session, people) -> None:
    lee, zhao, wu = people["lee"], people["zhao"], people["wu"]
    record = leave(session, lee, "2026-12-01", "2026-12-03")
    assert get_record(session, "leave", record, lee).data["days"] == 3
    with pytest.raises(GuardMessage) as refused:  # no director for three days
        apply_transition(session, "leave", record, "to_director", zhao)
    assert refused.value.problem.params["texts"]["zh-CN"] == "3 天以内的请假由部门负责人直接批准。"
    with pytest.raises(RoleRequired):
        apply_transition(session, "leave", record, "approve", wu)
    with pytest.raises(RoleRequired):  # nobody approves their own request as a foreman
        apply_transition(session, "leave", record, "approve", lee)
    apply_transition(session, "leave", record, "approve", zhao)
    approved = get_record(session, "leave", record, lee)
    assert (approved.state, approved.data["approved_on"]) == ("approved", today())


def test_longer_leave_goes_on_to_a_director(session, people) -> None:
    lee, zhao, wu = people["lee"], people["zhao"], people["wu"]
    record = leave(session, lee, "2026-12-14", "2026-12-18")
    assert get_record(session, "leave", record, lee).data["days"] == 5
    with pytest.raises(GuardMessage):  # the manager cannot approve five days alone
        apply_transition(session, "leave", record, "approve", zhao)
    with pytest.raises(WrongState):  # the director's turn has not come
        apply_transition(session, "leave", record, "director_approve", wu)
    apply_transition(session, "leave", record, "to_director", zhao)
    assert state(session, "leave", record, lee) == "director_review"
    with pytest.raises(RoleRequired):
        apply_transition(session, "leave", record, "director_approve", zhao)
    apply_transition(session, "leave", record, "director_approve", wu)
    assert state(session, "leave", record, lee) == "approved"


def test_a_rejected_leave_is_sent_again_and_only_its_owner_submits(session, people) -> None:
    lee, zhao, qian = people["lee"], people["zhao"], people["qian"]
    record = leave(session, lee, "2026-12-01", "2026-12-01")
    apply_transition(session, "leave", record, "reject", zhao, comment="Pour day")
    assert state(session, "leave", record, lee) == "rejected"
    with pytest.raises(OwnerOnly):  # the manager reads it but does not submit it
        apply_transition(session, "leave", record, "submit", zhao)
    with pytest.raises(NotFound):  # a colleague does not even see it
        apply_transition(session, "leave", record, "submit", qian)
    apply_transition(session, "leave", record, "submit", lee)
    apply_transition(session, "leave", record, "withdraw", lee)
    assert state(session, "leave", record, lee) == "draft"
    assert list_records(session, "leave", qian).total == 0


def test_leave_that_ends_before_it_starts_is_refused(session, people) -> None:
    data = {"leave_type": "sick", "start_date": "2026-12-03", "end_date": "2026-12-01",
            "reason": "Flu"}  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        create_record(session, "leave", data, people["lee"])
    assert [(p.path, p.code) for p in refused.value.problems] == [("/end_date", "rule_message")]


def trip(session: Any, who: Actor, advance: int) -> str:
    data = {"destination": "Ningbo", "purpose": "Site survey", "start_date": "2026-12-07",
            "end_date": "2026-12-10", "transport": "car", "travel_cost": 600,
            "daily_allowance": 500, "advance": advance}  # fmt: skip
    record = create_record(session, "travel", data, who)
    apply_transition(session, "travel", record.id, "submit", who)
    return record.id


def test_a_trip_with_an_advance_goes_on_to_finance_which_pays_it(session, people) -> None:
    lee, zhao, hu = people["lee"], people["zhao"], people["hu"]
    record = trip(session, lee, 2000)
    data = get_record(session, "travel", record, lee).data
    assert (data["days"], data["estimated_cost"]) == (4, Decimal("2600.00"))  # 600 + 4 × 500
    with pytest.raises(GuardMessage):
        apply_transition(session, "travel", record, "approve", zhao)
    with pytest.raises(RoleRequired):  # finance waits for the manager
        apply_transition(session, "travel", record, "to_finance", hu)
    apply_transition(session, "travel", record, "to_finance", zhao)
    with pytest.raises(RoleRequired):
        apply_transition(session, "travel", record, "pay_advance", zhao)
    apply_transition(session, "travel", record, "pay_advance", hu)
    paid = get_record(session, "travel", record, lee)
    assert (paid.state, paid.data["advance_paid_on"]) == ("approved", today())


def test_a_trip_without_an_advance_is_approved_by_the_manager(session, people) -> None:
    lee, zhao = people["lee"], people["zhao"]
    record = trip(session, lee, 0)
    with pytest.raises(GuardMessage):
        apply_transition(session, "travel", record, "to_finance", zhao)
    apply_transition(session, "travel", record, "approve", zhao)
    assert state(session, "travel", record, lee) == "approved"


def test_an_advance_above_the_estimate_is_refused(session, people) -> None:
    with pytest.raises(ValidationFailed) as refused:
        trip(session, people["lee"], 2601)
    assert [(p.path, p.code) for p in refused.value.problems] == [("/advance", "rule_message")]


def test_a_seal_is_stamped_by_its_keeper_after_the_department_head(session, people) -> None:
    lee, zhao, ma = people["lee"], people["zhao"], people["ma"]
    data = {"document": "Subcontract", "seal_type": "contract", "copies": 3,
            "purpose": "Formwork subcontract", "take_out": True}  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:  # taken out: say when it comes back
        create_record(session, "seal_use", data, lee)
    assert [p.path for p in refused.value.problems] == ["/return_by"]
    record = create_record(session, "seal_use", {**data, "return_by": "2026-12-05"}, lee).id
    apply_transition(session, "seal_use", record, "submit", lee)
    with pytest.raises(RoleRequired):  # the keeper stamps only what the head approved
        apply_transition(session, "seal_use", record, "approve", ma)
    apply_transition(session, "seal_use", record, "approve", zhao)
    with pytest.raises(RoleRequired):
        apply_transition(session, "seal_use", record, "stamp", zhao)
    apply_transition(session, "seal_use", record, "stamp", ma)
    stamped = get_record(session, "seal_use", record, lee)
    assert (stamped.state, stamped.data["sealed_on"]) == ("sealed", today())


def test_the_seal_keeper_may_send_a_request_back(session, people) -> None:
    lee, zhao, ma = people["lee"], people["zhao"], people["ma"]
    data = {"document": "Letter", "seal_type": "official", "copies": 1, "purpose": "Notice"}
    record = create_record(session, "seal_use", data, lee).id
    apply_transition(session, "seal_use", record, "submit", lee)
    apply_transition(session, "seal_use", record, "approve", zhao)
    apply_transition(session, "seal_use", record, "keeper_reject", ma, comment="Unsigned")
    assert state(session, "seal_use", record, lee) == "rejected"


def test_the_reports_over_the_demo_requests(session, people) -> None:
    zhao = people["zhao"]
    leave_rows = run_report(session, "leave_days_by_type", zhao).rows
    assert [(r["leave_type"], r["days"], r["requests"]) for r in leave_rows] == [
        ("annual", 2, 1)  # 8–9 October; the others wait or are drafts
    ]
    seals = run_report(session, "seal_use_by_seal", zhao).rows
    assert [(r["seal_type"], r["uses"], r["copies"]) for r in seals] == [("contract", 1, 4)]
    (trips,) = run_report(session, "travel_costs_by_month", zhao).rows
    assert (trips["trips"], trips["days"], trips["estimated_cost"], trips["advance"]) == (
        1,
        2,
        Decimal("1220.00"),  # 320 + 2 × 450
        Decimal("0.00"),
    )


def test_demo_users_for_the_directors_and_seal_keepers_roles(
    database_url: str, session_factory: Any
) -> None:
    runner = CliRunner(env={"DATABASE_URL": database_url})
    before = runner.invoke(cli, ["demo-users"], catch_exceptions=False)
    assert before.exit_code == 0 and "seal_keeper" not in before.stdout
    assert runner.invoke(cli, ["packs", "import", str(PACK)]).exit_code == 0
    after = runner.invoke(cli, ["demo-users"], catch_exceptions=False)
    rows = [line.split() for line in after.stdout.splitlines()[2:]]
    printed = {row[0]: (row[1], row[2]) for row in rows if len(row) == 3}
    assert {name: role for name, (role, _) in printed.items()} == {
        "director": "director",
        "keeper": "seal_keeper",
    }  # the others were there already
    with session_factory() as session:
        user = accounts.verify_password(session, "keeper", printed["keeper"][1])
        assert user is not None and accounts.role_ids(user) == {"seal_keeper"}
