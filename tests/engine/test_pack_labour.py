"""The bundled labour and wages pack (modules/labour.json), as a site's wage clerk and a labour
inspector use it: each month's wages summed from the worker's approved tallies, advances
deducted, payments made and the wages still owed, all hand-computed; the workflows walked
with the right and the wrong roles; the roster's identity checks; the two reports."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from engine import accounts
from engine.actor import SYSTEM, Actor
from engine.errors import (
    CommentRequired,
    GuardMessage,
    PermissionDenied,
    RoleRequired,
    ValidationFailed,
    WrongState,
)
from engine.packs import import_pack
from engine.records import create_record, get_record, list_records, update_record
from engine.records.query import Filter, ListQuery
from engine.reports import run_report
from engine.workflow import apply_transition
from tests.engine.people import make_user

MODULES = Path(__file__).resolve().parents[2] / "modules"


def install(session: Any) -> None:
    for name in ("construction", "labour"):  # the tallies and projects are construction's
        import_pack(session, (MODULES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def people(session: Any) -> dict[str, Actor]:
    install(session)
    found = {
        "lee": make_user(session, "lee", "foreman"),
        "zhao": make_user(session, "zhao", "site_manager"),
        "hu": make_user(session, "hu", "accountant"),
        "sun": make_user(session, "sun", "viewer"),
    }
    riverside = by_title(session, "project", "code", SYSTEM)["PRJ-2026-001"]
    accounts.add_grant(session, "zhao", "project", riverside.id)  # he runs Riverside Garden
    return found


def money(value: str) -> Decimal:
    return Decimal(value)


def by_title(session: Any, module: str, field: str, who: Actor) -> dict[str, Any]:
    return {r.data[field]: r for r in list_records(session, module, who).items}


def figures(record: Any, *fields: str) -> tuple[Any, ...]:
    return tuple(record.data[f] for f in fields)


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


# Riverside's approved tallies, construction's (2 March, 8 April: linked to the roster by the
# pack's demo) and the pack's own: 王建国 2 March 8 h × 42.50 = 340.00, 3, 4, 5 March the
# same → 4 days, 32 h, 1,360.00; 8 April 7.5 h × 42.50 = 318.75 and 9 April 340.00 → 658.75.
# 李明 2 March 8 h × 45.00 + 2 h × 67.50 = 495.00, 3 March 360.00, 4 March 495.00 → 3 days,
# 28 h, 1,350.00; his 6 March tally is only submitted and does not count.
# An advance of 500.00 to 王建国, paid, deducted from March; March paid: 860.00 and 1,000.00.
ACCRUALS = {
    "王建国 2026-03": ("approved", 4, money("32.0"), money("1360.00"), money("500.00"),
                      money("860.00"), money("860.00"), money("0.00")),
    "李明 2026-03": ("approved", 3, money("28.0"), money("1350.00"), money("0.00"),
                    money("1350.00"), money("1000.00"), money("350.00")),
    "王建国 2026-04": ("draft", 2, money("15.5"), money("658.75"), money("0.00"),
                      money("658.75"), money("0.00"), money("658.75")),
}  # fmt: skip
ACCRUAL_FIELDS = ("days", "hours", "gross", "advances", "net", "paid", "owed")


def test_the_demo_wages_are_summed_from_approved_tallies(session, people) -> None:
    accruals = by_title(session, "wage_accrual", "label", people["hu"])
    found = {k: (r.state, *figures(r, *ACCRUAL_FIELDS)) for k, r in accruals.items()}
    assert found == ACCRUALS


def test_the_roster_keeps_what_each_worker_earned_was_paid_and_is_owed(session, people) -> None:
    page = list_records(session, "worker", people["hu"])
    rows = {r.data["name"]: figures(r, "earned", "advanced", "paid", "owed") for r in page.items}
    zero = money("0.00")
    assert rows == {  # approved months only: 王建国's April wages are still a draft
        "王建国": (money("1360.00"), money("500.00"), money("860.00"), zero),
        "李明": (money("1350.00"), zero, money("1000.00"), money("350.00")),
        "赵磊": (zero, zero, zero, zero),
        "陈华": (zero, zero, zero, zero),
    }
    assert page.totals["owed"] == money("350.00")
    assert page.totals["earned"] == money("2710.00")


def test_the_roster_lists_the_workers_owed_wages_with_their_total(session, people) -> None:
    owed = ListQuery(filters=(Filter("owed", "gt", "0"),))
    page = list_records(session, "worker", people["hu"], owed)
    assert [r.data["name"] for r in page.items] == ["李明"]
    assert (page.total, page.totals["owed"]) == (1, money("350.00"))


def test_the_workers_owed_wages_report(session, people) -> None:
    result = run_report(session, "wage_arrears", people["hu"])
    assert [(r["crew"], r["name"], r["id_number"], r["earned"], r["paid"], r["owed"])
            for r in result.rows] == [
        ("木工二班", "李明", "511025198509230015", money("1350.00"), money("1000.00"),
         money("350.00")),
    ]  # fmt: skip


def test_wages_by_team_and_month_run_the_owed_balance_to_date(session, people) -> None:
    lee, zhao, hu = people["lee"], people["zhao"], people["hu"]
    april = by_title(session, "wage_accrual", "label", hu)["王建国 2026-04"]
    apply_transition(session, "wage_accrual", april.id, "submit", lee)
    apply_transition(session, "wage_accrual", april.id, "check", zhao)
    apply_transition(session, "wage_accrual", april.id, "approve", hu)  # 658.75 more owed
    result = run_report(session, "wages_by_team_month", hu)
    rows = {
        (r["month"], r["worker_crew"]): (
            r["workers"],
            r["gross"],
            r["advances"],
            r["paid"],
            r["owed"],
            r["owed_to_date"],
        )
        for r in result.rows
    }
    assert rows == {
        ("2026-03", "钢筋一班"): (1, money("1360.00"), money("500.00"), money("860.00"),
                                 money("0.00"), money("0.00")),
        ("2026-03", "木工二班"): (1, money("1350.00"), money("0.00"), money("1000.00"),
                                 money("350.00"), money("350.00")),
        ("2026-04", "钢筋一班"): (1, money("658.75"), money("0.00"), money("0.00"),
                                 money("658.75"), money("658.75")),
    }  # fmt: skip


def tally(session: Any, who: Actor, worker_id: str, day: str, hours: float, rate: float) -> str:
    project = by_title(session, "project", "code", who)["PRJ-2026-001"].id
    data = {"project": project, "date": day, "worker": "王建国", "worker_ref": worker_id,
            "trade": "rebar", "items": [{"content": "Rebar", "hours": hours, "rate": rate}]}  # fmt: skip
    return create_record(session, "labour_tally", data, who).id


def test_a_tally_counts_in_the_month_while_it_is_approved(session, people) -> None:
    lee, zhao, hu = people["lee"], people["zhao"], people["hu"]
    wang = by_title(session, "worker", "name", hu)["王建国"]
    march = by_title(session, "wage_accrual", "label", hu)["王建国 2026-03"]
    tally_id = tally(session, lee, wang.id, "2026-03-20", 6, 42.5)  # 255.00
    apply_transition(session, "labour_tally", tally_id, "submit", lee)
    unchanged = get_record(session, "wage_accrual", march.id, hu)
    assert figures(unchanged, "days", "gross") == (4, money("1360.00"))  # submitted only
    apply_transition(session, "labour_tally", tally_id, "approve", zhao)
    grown = get_record(session, "wage_accrual", march.id, hu)
    assert figures(grown, "days", "hours", "gross", "net", "owed") == (
        5, money("38.0"), money("1615.00"), money("1115.00"), money("255.00"))  # fmt: skip
    assert by_title(session, "worker", "name", hu)["王建国"].data["owed"] == money("255.00")
    other = tally(session, lee, wang.id, "2026-05-02", 8, 42.5)  # another month: no change
    apply_transition(session, "labour_tally", other, "submit", lee)
    apply_transition(session, "labour_tally", other, "approve", zhao)
    assert get_record(session, "wage_accrual", march.id, hu).data["gross"] == money("1615.00")
    # an approved tally is final in the workflow; taken back out of approved (a data fix in
    # SQL), it drops out of the month's wages at once
    session.execute(text("UPDATE m_labour_tally SET state = 'submitted' WHERE id = :id"),
                    {"id": tally_id})  # fmt: skip
    back = get_record(session, "wage_accrual", march.id, hu)
    assert figures(back, "days", "gross", "owed") == (4, money("1360.00"), money("0.00"))


def test_monthly_wages_go_from_foreman_to_site_manager_to_accountant(session, people) -> None:
    lee, zhao, hu = people["lee"], people["zhao"], people["hu"]
    li = by_title(session, "worker", "name", hu)["李明"]
    empty = create_record(session, "wage_accrual", {"worker": li.id, "month": "2026-05"}, lee)
    with pytest.raises(GuardMessage) as refused:  # no approved tally in May
        apply_transition(session, "wage_accrual", empty.id, "submit", lee)
    assert refused.value.problem.params["texts"]["zh-CN"].startswith("该工人本月没有已审批")
    record = create_record(session, "wage_accrual", {"worker": li.id, "month": "2026-04"}, lee)
    tally_id = tally(session, lee, li.id, "2026-04-07", 8, 45)  # 360.00 for 李明
    apply_transition(session, "labour_tally", tally_id, "submit", lee)
    apply_transition(session, "labour_tally", tally_id, "approve", zhao)
    with pytest.raises(RoleRequired):  # the foreman prepares; the manager cannot submit
        apply_transition(session, "wage_accrual", record.id, "submit", zhao)
    apply_transition(session, "wage_accrual", record.id, "submit", lee)
    with pytest.raises(WrongState):  # the accountant approves only after the site manager
        apply_transition(session, "wage_accrual", record.id, "approve", hu)
    with pytest.raises(RoleRequired):
        apply_transition(session, "wage_accrual", record.id, "check", lee)
    apply_transition(session, "wage_accrual", record.id, "check", zhao)
    with pytest.raises(CommentRequired):
        apply_transition(session, "wage_accrual", record.id, "reject", hu)
    apply_transition(session, "wage_accrual", record.id, "reject", hu, comment="Check 7 April")
    apply_transition(session, "wage_accrual", record.id, "submit", lee)
    apply_transition(session, "wage_accrual", record.id, "check", zhao)
    with pytest.raises(RoleRequired):
        apply_transition(session, "wage_accrual", record.id, "approve", zhao)
    apply_transition(session, "wage_accrual", record.id, "approve", hu)
    approved = get_record(session, "wage_accrual", record.id, hu)
    assert (approved.state, approved.data["approved_on"]) == ("approved", today())
    assert figures(approved, "gross", "owed", "payable") == (money("360.00"), money("360.00"), True)
    roster = by_title(session, "worker", "name", hu)["李明"]
    assert roster.data["owed"] == money("710.00")  # 350.00 from March + 360.00


def test_one_accrual_per_worker_and_month(session, people) -> None:
    wang = by_title(session, "worker", "name", people["hu"])["王建国"]
    with pytest.raises(ValidationFailed) as refused:
        create_record(session, "wage_accrual", {"worker": wang.id, "month": "2026-03"},
                      people["lee"])  # fmt: skip
    assert [(p.path, p.code) for p in refused.value.problems] == [("/month", "not_unique")]


def pay(session: Any, who: Actor, accrual_id: str, amount: str) -> str:
    data = {"accrual": accrual_id, "amount": amount, "method": "bank"}
    return create_record(session, "wage_payment", data, who).id


def test_wages_are_paid_up_to_what_is_owed_and_no_more(session, people) -> None:
    lee, hu = people["lee"], people["hu"]
    accruals = by_title(session, "wage_accrual", "label", hu)
    li_march, wang_april = accruals["李明 2026-03"].id, accruals["王建国 2026-04"].id
    with pytest.raises(PermissionDenied):  # only the accountant pays
        pay(session, lee, li_march, "350.00")
    too_much = pay(session, hu, li_march, "350.01")
    with pytest.raises(GuardMessage) as refused:
        apply_transition(session, "wage_payment", too_much, "pay", hu)
    assert refused.value.problem.params["texts"]["en"].startswith("Only approved monthly wages")
    not_approved = pay(session, hu, wang_april, "100.00")  # April is still a draft
    with pytest.raises(GuardMessage):
        apply_transition(session, "wage_payment", not_approved, "pay", hu)
    apply_transition(session, "wage_payment", not_approved, "cancel", hu)
    balance = pay(session, hu, li_march, "350.00")
    with pytest.raises(RoleRequired):
        apply_transition(session, "wage_payment", balance, "pay", people["zhao"])
    apply_transition(session, "wage_payment", balance, "pay", hu)
    paid = get_record(session, "wage_payment", balance, hu)
    assert (paid.state, paid.data["paid_on"], paid.data["label"]) == (
        "paid",
        today(),
        "李明 2026-03",
    )
    march = get_record(session, "wage_accrual", li_march, hu)
    assert figures(march, "paid", "owed") == (money("1350.00"), money("0.00"))
    li = by_title(session, "worker", "name", hu)["李明"]
    assert figures(li, "paid", "owed") == (money("1350.00"), money("0.00"))
    assert run_report(session, "wage_arrears", hu).rows == []


def test_an_advance_is_deducted_from_the_month_it_names_once_paid(session, people) -> None:
    lee, zhao, hu = people["lee"], people["zhao"], people["hu"]
    li = by_title(session, "worker", "name", hu)["李明"]
    data = {"worker": li.id, "date": "2026-03-25", "amount": "200.00", "reason": "Rent"}
    advance = create_record(session, "advance", data, lee)
    assert advance.data["deduct_month"] == "2026-03"  # from its date unless given
    with pytest.raises(RoleRequired):
        apply_transition(session, "advance", advance.id, "approve", lee)
    apply_transition(session, "advance", advance.id, "approve", zhao)
    march = by_title(session, "wage_accrual", "label", hu)["李明 2026-03"]
    assert march.data["advances"] == money("0.00")  # approved, not yet paid out
    with pytest.raises(RoleRequired):
        apply_transition(session, "advance", advance.id, "pay", zhao)
    apply_transition(session, "advance", advance.id, "pay", hu)
    assert get_record(session, "advance", advance.id, hu).data["paid_on"] == today()
    march = get_record(session, "wage_accrual", march.id, hu)
    assert figures(march, "advances", "net", "owed") == (
        money("200.00"), money("1150.00"), money("150.00"))  # fmt: skip
    li = by_title(session, "worker", "name", hu)["李明"]
    assert figures(li, "advanced", "owed") == (money("200.00"), money("150.00"))
    refused = create_record(session, "advance", {**data, "deduct_month": "2026-04"}, lee)
    with pytest.raises(CommentRequired):
        apply_transition(session, "advance", refused.id, "refuse", zhao)
    apply_transition(session, "advance", refused.id, "refuse", zhao, comment="Too soon")
    assert get_record(session, "advance", refused.id, zhao).state == "rejected"


def test_the_roster_checks_identity_numbers(session, people) -> None:
    zhao = people["zhao"]
    project = by_title(session, "project", "code", zhao)["PRJ-2026-001"].id
    data = {"name": "周强", "project": project, "trade": "general", "entry_date": "2026-03-01",
            "pay_basis": "hour", "hourly_rate": "30.00"}  # fmt: skip
    with pytest.raises(ValidationFailed) as short:
        create_record(session, "worker", {**data, "id_number": "34012319780512003"}, zhao)
    ((problem,),) = [short.value.problems]
    assert (problem.path, problem.code) == ("/id_number", "rule_message")
    assert problem.params["texts"] == {
        "en": "An ID number has 18 characters: 17 digits, then a digit or X.",
        "zh-CN": "身份证号应为 18 位：17 位数字加 1 位数字或 X。",
    }
    with pytest.raises(ValidationFailed) as taken:  # 王建国's number
        create_record(session, "worker", {**data, "id_number": "340123197805120035"}, zhao)
    assert [(p.path, p.code) for p in taken.value.problems] == [("/id_number", "not_unique")]
    created = create_record(session, "worker", {**data, "id_number": "34012319900101002X"}, zhao)
    with pytest.raises(ValidationFailed) as left:
        update_record(session, "worker", created.id, created.version,
                      {"exit_date": "2026-02-01"}, zhao)  # fmt: skip
    assert [(p.path, p.code) for p in left.value.problems] == [("/exit_date", "rule_message")]


def test_a_viewer_reads_the_roster_without_identity_or_bank_details(session, people) -> None:
    page = list_records(session, "worker", people["sun"])
    assert page.total == 4
    wang = {r.data["name"]: r for r in page.items}["王建国"]
    assert not {"id_number", "phone", "bank_account"} & set(wang.data)
    # the wages are sums of tally amounts, which a viewer may not read: withheld, not zero
    assert not {"earned", "owed"} & set(wang.data)
    with pytest.raises(PermissionDenied):
        create_record(session, "worker", {"name": "x"}, people["sun"])


def localized(node: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """Every text a reader meets — titles, descriptions, messages, choice titles — with its place."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}/{key}"
            if key in ("title", "description", "message"):
                yield here, value
            elif key == "x-enum-titles":
                yield from ((f"{here}/{choice}", title) for choice, title in value.items())
            else:
                yield from localized(value, here)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from localized(value, f"{where}/{index}")


def test_every_label_message_and_choice_is_in_chinese_and_english() -> None:
    pack = json.loads((MODULES / "labour.json").read_text(encoding="utf-8"))
    found = dict(localized({k: v for k, v in pack.items() if k != "seed"}))
    assert [where for where, text in found.items() if not bilingual(text)] == []
    fields = [
        f"/modules/{i}/schema/properties/{name}"
        for i, m in enumerate(pack["modules"])
        for name in m["schema"]["properties"]
    ] + [
        f"/extends/labour_tally/fields/{name}" for name in pack["extends"]["labour_tally"]["fields"]
    ]
    assert [f for f in fields if f"{f}/title" not in found] == []  # every field has its title
    messages = [w for w in found if w.endswith("/message")]
    assert len(messages) == 4  # two validations, two refused steps


def bilingual(text: Any) -> bool:
    return isinstance(text, dict) and set(text) == {"en", "zh-CN"} and all(text.values())
