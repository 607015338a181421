"""The bundled contracts pack (modules/contracts.json) as a contractor's commercial team uses
it: contracts numbered from their project's code and approved by amount (the site manager up
to 1,000,000, the director above), change orders rolling their approved amounts into the
current value, payments taken from the funds ledger, the final account checked against the
current value, retention held for the defects period — each step tried with the right and
the wrong role, every figure against the hand-computed one."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine import accounts
from engine.actor import Actor
from engine.catalog import load_catalog
from engine.errors import (
    GuardMessage,
    MissingFields,
    NotApprover,
    NotFound,
    PermissionDenied,
    RoleRequired,
    StateLocked,
    ValidationFailed,
    WrongState,
)
from engine.packs import import_pack
from engine.records import create_record, get_record, list_records, update_record
from engine.reports import run_report
from engine.workflow import apply_transition
from engine.workflow.due import is_overdue
from tests.engine.people import make_user
from tests.engine.test_bundled_packs import labels
from web.cli import cli

MODULES = Path(__file__).resolve().parents[2] / "modules"
UTC = dt.UTC


@pytest.fixture
def people(session: Any) -> dict[str, Actor]:
    for name in ("construction", "contracts"):  # contracts require construction
        import_pack(session, (MODULES / f"{name}.json").read_text(encoding="utf-8"))
    return {
        "chen": make_user(session, "chen", "commercial"),
        "zhao": make_user(session, "zhao", "site_manager"),
        "wu": make_user(session, "wu", "director"),
        "hu": make_user(session, "hu", "accountant"),
        "qi": make_user(session, "qi", "accountant"),
        "sun": make_user(session, "sun", "viewer"),
        "lee": make_user(session, "lee", "foreman"),
    }


def today() -> dt.date:
    return dt.datetime.now(UTC).date()


def project_id(session: Any, who: Actor, code: str) -> str:
    (found,) = [p for p in list_records(session, "project", who).items if p.data["code"] == code]
    return found.id


def seeded(session: Any, who: Actor) -> dict[str, Any]:
    """The demo contracts by the first word of their name."""
    return {r.data["name"].split()[0]: r for r in list_records(session, "contract", who).items}


def contract(session: Any, who: Actor, amount: str, **extra: Any) -> str:
    data = {
        "project": project_id(session, who, "PRJ-2026-001"),
        "name": "幕墙专业分包 Façade subcontract",
        "contract_type": "subcontract",
        "counterparty": "江河幕墙",
        "signed_amount": amount,
        "tax_rate": 9,
        "signed_on": "2026-05-06",
        **extra,
    }
    record = create_record(session, "contract", data, who)
    apply_transition(session, "contract", record.id, "submit", who)
    return record.id


def state(session: Any, module: str, record_id: str, who: Actor) -> str | None:
    return get_record(session, module, record_id, who).state


# -- the demo: Riverside Garden's main contract, two subcontracts and a crane lease --------


def test_the_demo_contracts_carry_their_figures(session, people) -> None:
    found = seeded(session, people["hu"])
    main, labour, waterproof = (
        found["滨江花园二期施工总承包合同"],
        found["主体结构劳务分包"],
        found["地下室防水专业分包"],
    )
    assert (main.number, main.data["kind"]) == ("PRJ-2026-001-HT-0001", "income")
    figures = [
        (
            r.data["amount_excl_tax"],
            r.data["tax_amount"],
            r.data["approved_changes"],
            r.data["current_value"],
            r.data["paid"],
            r.data["paid_pct"],
            r.data["retention_amount"],
            r.data["payable_now"],
        )
        for r in (main, labour, waterproof)
    ]
    assert figures == [
        # 86,500,000 / 1.09; +420,000 approved (65,000 waits); received: construction's
        # payment no. 2 (6,800,000, linked by the pack's seed fill) and no. 3 (5,200,000)
        (Decimal("79357798.17"), Decimal("7142201.83"), Decimal("420000.00"),
         Decimal("86920000.00"), Decimal("12000000.00"), Decimal("13.8"),
         Decimal("2607600.00"), Decimal("72312400.00")),  # 86,920,000 × 97% − 12,000,000
        # 6,800,000 / 1.03; two progress payments 1,200,000 + 950,000
        (Decimal("6601941.75"), Decimal("198058.25"), Decimal("0.00"),
         Decimal("6800000.00"), Decimal("2150000.00"), Decimal("31.6"),
         Decimal("204000.00"), Decimal("4446000.00")),
        # settled at 858,000 of 880,000; 600,000 paid, the rest (less 3%) in approval
        (Decimal("788990.83"), Decimal("71009.17"), Decimal("20000.00"),
         Decimal("880000.00"), Decimal("600000.00"), Decimal("68.2"),
         Decimal("25740.00"), Decimal("232260.00")),
    ]  # fmt: skip
    assert waterproof.data["in_process"] == Decimal("232260.00")
    assert waterproof.data["retention_release_on"] == dt.date(2028, 3, 28)  # 28 March + 24 months
    assert found["塔吊租赁合同"].state == "review"


def test_the_contract_ledger_by_project_and_type(session, people) -> None:
    rows = run_report(session, "contract_ledger", people["wu"]).rows
    got = {
        r["contract_type"]: (r["contracts"], r["signed"], r["current"], r["paid"], r["outstanding"])
        for r in rows
    }
    assert got == {
        "main": (1, Decimal("86500000.00"), Decimal("86920000.00"), Decimal("12000000.00"),
                 Decimal("74920000.00")),
        "subcontract": (2, Decimal("7660000.00"), Decimal("7680000.00"), Decimal("2750000.00"),
                        Decimal("4930000.00")),
    }  # fmt: skip  # the crane lease waits for approval and is not in force yet


def test_payment_progress_runs_per_contract_by_month(session, people) -> None:
    hu = people["hu"]
    names = {r.id: r.data["name"].split()[0] for r in list_records(session, "contract", hu).items}
    rows = run_report(session, "contract_payments", hu).rows
    got = [(r["month"], names[r["contract"]], r["amount"], r["to_date"]) for r in rows]
    assert sorted(got) == [
        ("2026-03", "主体结构劳务分包", Decimal("1200000.00"), Decimal("1200000.00")),
        ("2026-03", "地下室防水专业分包", Decimal("600000.00"), Decimal("600000.00")),
        ("2026-03", "滨江花园二期施工总承包合同", Decimal("6800000.00"), Decimal("6800000.00")),
        ("2026-04", "主体结构劳务分包", Decimal("950000.00"), Decimal("2150000.00")),
        ("2026-04", "滨江花园二期施工总承包合同", Decimal("5200000.00"), Decimal("12000000.00")),
    ]


def test_change_orders_by_type(session, people) -> None:
    hu = people["hu"]
    names = {r.id: r.data["name"].split()[0] for r in list_records(session, "contract", hu).items}
    rows = run_report(session, "change_orders_by_type", hu).rows
    got = {(names[r["contract"]], r["change_type"]): (r["orders"], r["amount"]) for r in rows}
    assert got == {
        ("滨江花园二期施工总承包合同", "design_change"): (1, Decimal("420000.00")),
        ("地下室防水专业分包", "site_visa"): (1, Decimal("20000.00")),
    }


# -- approval routed by amount ----------------------------------------------------------------


def test_a_contract_up_to_a_million_is_approved_by_the_site_manager(session, people) -> None:
    chen, zhao, wu, hu = people["chen"], people["zhao"], people["wu"], people["hu"]
    record = contract(session, chen, "1000000")
    assert get_record(session, "contract", record, chen).number == "PRJ-2026-001-HT-0005"
    with pytest.raises(GuardMessage) as refused:
        apply_transition(session, "contract", record, "to_director", zhao)
    assert (
        refused.value.problem.params["texts"]["zh-CN"] == "100 万元以内的合同由项目经理直接审批。"
    )
    with pytest.raises(WrongState):  # the director's turn never comes
        apply_transition(session, "contract", record, "director_approve", wu)
    with pytest.raises(RoleRequired):
        apply_transition(session, "contract", record, "approve", hu)
    apply_transition(session, "contract", record, "approve", zhao)
    approved = get_record(session, "contract", record, chen)
    assert (approved.state, approved.data["approved_on"]) == ("active", today())


def test_a_larger_contract_goes_on_to_the_director(session, people) -> None:
    chen, zhao, wu = people["chen"], people["zhao"], people["wu"]
    record = contract(session, chen, "1000000.01")
    with pytest.raises(GuardMessage) as refused:
        apply_transition(session, "contract", record, "approve", zhao)
    assert "分管领导" in refused.value.problem.params["texts"]["zh-CN"]
    apply_transition(session, "contract", record, "to_director", zhao)
    with pytest.raises(RoleRequired):
        apply_transition(session, "contract", record, "director_approve", zhao)
    apply_transition(session, "contract", record, "director_reject", wu, comment="Price too high")
    assert state(session, "contract", record, chen) == "rejected"
    apply_transition(session, "contract", record, "submit", chen)
    apply_transition(session, "contract", record, "to_director", zhao)
    apply_transition(session, "contract", record, "director_approve", wu)
    assert state(session, "contract", record, chen) == "active"


def test_who_may_draft_a_contract_and_its_number_per_project(session, people) -> None:
    chen = people["chen"]
    for nobody in (people["zhao"], people["sun"]):  # they read contracts, but draft none
        with pytest.raises(PermissionDenied):
            contract(session, nobody, "5000")
    with pytest.raises(NotFound):  # foremen do not even read them
        contract(session, people["lee"], "5000")
    other = project_id(session, chen, "PRJ-2026-002")
    record = contract(session, chen, "5000", project=other)
    assert get_record(session, "contract", record, chen).number == "PRJ-2026-002-HT-0001"


# -- change orders --------------------------------------------------------------------------


def change(session: Any, who: Actor, contract_id: str, amount: str) -> str:
    data = {"contract": contract_id, "subject": "Extra anchors", "change_type": "site_visa",
            "amount": amount, "reason": "Supervisor's instruction"}  # fmt: skip
    record = create_record(session, "change_order", data, who)
    apply_transition(session, "change_order", record.id, "submit", who)
    return record.id


def test_approved_change_orders_move_the_current_value(session, people) -> None:
    chen, zhao, wu = people["chen"], people["zhao"], people["wu"]
    record = contract(session, chen, "500000")
    apply_transition(session, "contract", record, "approve", zhao)
    small = change(session, chen, record, "50000")  # 10% of 500,000: the manager alone
    with pytest.raises(RoleRequired):
        apply_transition(session, "change_order", small, "approve", chen)
    apply_transition(session, "change_order", small, "approve", zhao)
    big = change(session, chen, record, "-50000.01")  # a deduction above 10%: the director too
    with pytest.raises(GuardMessage) as refused:
        apply_transition(session, "change_order", big, "approve", zhao)
    assert "10%" in refused.value.problem.params["texts"]["en"]
    apply_transition(session, "change_order", big, "to_director", zhao)
    waiting = get_record(session, "contract", record, chen).data
    assert (waiting["approved_changes"], waiting["current_value"]) == (
        Decimal("50000.00"),
        Decimal("550000.00"),
    )  # only what is approved counts
    apply_transition(session, "change_order", big, "director_approve", wu)
    rejected = change(session, chen, record, "1000")
    apply_transition(session, "change_order", rejected, "reject", zhao, comment="No evidence")
    data = get_record(session, "contract", record, chen).data
    assert (data["approved_changes"], data["current_value"]) == (
        Decimal("-0.01"),
        Decimal("499999.99"),
    )


def test_a_change_order_cannot_deduct_more_than_the_contract_is_worth(session, people) -> None:
    chen = people["chen"]
    record = contract(session, chen, "500000")
    data = {"contract": record, "subject": "Omit the canopy", "change_type": "design_change",
            "amount": "-500000.01"}  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        create_record(session, "change_order", data, chen)
    assert [(p.path, p.code) for p in refused.value.problems] == [("/amount", "rule_message")]
    assert refused.value.problems[0].params["texts"]["zh-CN"] == "核减金额超过合同现值。"


# -- payments from the funds ledger ----------------------------------------------------------


def fund(session: Any, people: dict[str, Actor], contract_id: str, **data: Any) -> str:
    """A payment of 200,000 on the contract, taken to the manager's approval."""
    hu, qi, zhao = people["hu"], people["qi"], people["zhao"]
    values = {"project": project_id(session, hu, "PRJ-2026-001"), "contract": contract_id,
              "direction": "out", "category": "subcontract", "counterparty": "江河幕墙",
              "amount": "200000", "date": "2026-05-20", **data}  # fmt: skip
    record = create_record(session, "fund", values, hu).id
    for step, who in (("submit", hu), ("finance_approve", qi), ("manager_approve", zhao)):
        apply_transition(session, "fund", record, step, who)
    return record


def settle(session: Any, hu: Actor, fund_id: str) -> None:
    stored = get_record(session, "fund", fund_id, hu)
    paid_at = {"settled_at": "2026-05-21T10:00:00Z"}
    update_record(session, "fund", fund_id, stored.version, paid_at, hu)
    apply_transition(session, "fund", fund_id, "settle", hu)


def payments(session: Any, hu: Actor, contract_id: str) -> tuple[Any, ...]:
    data = get_record(session, "contract", contract_id, hu).data
    return data["paid"], data["in_process"], data["paid_pct"]


def test_only_settled_funds_count_as_paid(session, people) -> None:
    chen, zhao, hu = people["chen"], people["zhao"], people["hu"]
    record = contract(session, chen, "800000")
    apply_transition(session, "contract", record, "approve", zhao)
    accounts.add_grant(session, "zhao", "project", project_id(session, hu, "PRJ-2026-001"))
    payment = fund(session, people, record)
    zero, amount = Decimal("0.00"), Decimal("200000.00")
    assert payments(session, hu, record) == (zero, amount, Decimal("0.0"))
    settle(session, hu, payment)
    assert payments(session, hu, record) == (amount, zero, Decimal("25.0"))
    data = get_record(session, "contract", record, hu).data
    assert data["payable_now"] == Decimal("576000.00")  # 800,000 × 97% − 200,000


def test_a_fund_must_match_its_contracts_project_and_direction(session, people) -> None:
    chen, zhao, hu = people["chen"], people["zhao"], people["hu"]
    record = contract(session, chen, "800000")  # a subcontract: money goes out
    apply_transition(session, "contract", record, "approve", zhao)
    base = {"project": project_id(session, hu, "PRJ-2026-002"), "contract": record,
            "direction": "in", "category": "subcontract", "counterparty": "江河幕墙",
            "amount": "1000", "date": "2026-05-20"}  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        create_record(session, "fund", base, hu)
    problems = {p.path: p.params["texts"]["zh-CN"] for p in refused.value.problems}
    assert problems == {
        "/contract": "该合同不属于本项目。",
        "/direction": "总承包合同（业主）只登记收款，其他合同只登记付款。",
    }
    fine = {**base, "project": project_id(session, hu, "PRJ-2026-001"), "direction": "out"}
    assert create_record(session, "fund", fine, hu).data["contract"] == record


# -- final account and retention --------------------------------------------------------------


def test_the_final_account_is_checked_and_approved_by_manager_and_finance(session, people) -> None:
    chen, zhao, hu = people["chen"], people["zhao"], people["hu"]
    record = contract(session, chen, "300000")
    stored = get_record(session, "contract", record, chen)
    with pytest.raises(StateLocked):  # a contract under review is not edited
        update_record(session, "contract", record, stored.version, {"notes": "x"}, chen)
    apply_transition(session, "contract", record, "approve", zhao)
    with pytest.raises(MissingFields):
        apply_transition(session, "contract", record, "submit_settlement", chen)
    stored = get_record(session, "contract", record, chen)
    too_much = {
        "completed_on": "2023-01-10",
        "settled_amount": "300000.01",
        "settled_on": "2023-02-01",
    }
    with pytest.raises(ValidationFailed) as refused:
        update_record(session, "contract", record, stored.version, too_much, chen)
    assert [(p.path, p.code) for p in refused.value.problems] == [
        ("/settled_amount", "rule_message")
    ]
    assert "合同现值" in refused.value.problems[0].params["texts"]["zh-CN"]
    update_record(
        session, "contract", record, stored.version, {**too_much, "settled_amount": "290000"}, chen
    )
    apply_transition(session, "contract", record, "submit_settlement", chen)
    apply_transition(session, "contract", record, "approve_settlement", zhao)  # one group of two
    assert state(session, "contract", record, chen) == "settlement_review"
    with pytest.raises(NotApprover):
        apply_transition(session, "contract", record, "approve_settlement", chen)
    apply_transition(session, "contract", record, "approve_settlement", hu)
    settled = get_record(session, "contract", record, chen)
    assert settled.state == "settled"
    assert (
        settled.data["basis"],
        settled.data["retention_amount"],
        settled.data["payable_now"],
    ) == (
        Decimal("290000.00"),
        Decimal("8700.00"),
        Decimal("281300.00"),
    )  # the settled amount, not the current value, is what is owed
    assert settled.data["retention_release_on"] == dt.date(2025, 1, 10)
    module = load_catalog(session).module("contract")
    overdue = dt.datetime(2025, 1, 11, 0, 0, 1, tzinfo=UTC)
    assert is_overdue(module, settled.state, settled.state_since, settled.data, overdue)
    with pytest.raises(RoleRequired):
        apply_transition(session, "contract", record, "release_retention", chen)
    apply_transition(session, "contract", record, "release_retention", hu)
    closed = get_record(session, "contract", record, chen)
    assert (closed.state, closed.data["retention_released_on"]) == ("closed", today())


def test_retention_is_held_until_the_defects_period_ends(session, people) -> None:
    found = seeded(session, people["hu"])
    waterproof = found["地下室防水专业分包"]  # completed 2026-03-28, released 2028-03-28
    module = load_catalog(session).module("contract")
    before = dt.datetime(2028, 3, 28, 23, 59, tzinfo=UTC)
    assert not is_overdue(module, waterproof.state, waterproof.state_since, waterproof.data, before)
    if today() < dt.date(2028, 3, 28):
        with pytest.raises(GuardMessage) as refused:
            apply_transition(session, "contract", waterproof.id, "release_retention", people["hu"])
        assert refused.value.problem.params["texts"]["zh-CN"] == "质保期未满，质保金暂不退还。"


def test_settlement_fields_change_only_while_the_contract_is_in_force(session, people) -> None:
    chen = people["chen"]
    record = contract(session, chen, "300000")
    apply_transition(session, "contract", record, "withdraw", chen)
    stored = get_record(session, "contract", record, chen)
    with pytest.raises(StateLocked) as refused:
        update_record(session, "contract", record, stored.version, {"settled_amount": "1"}, chen)
    assert "active" in str(refused.value)


# -- both languages, and a demo user for the commercial manager -------------------------------


def bilingual_texts(pack: dict[str, Any]) -> Any:
    """Every label and message of the pack that reaches a page, with where it is."""
    yield from labels(pack)
    for m in pack["modules"]:
        for index, rule in enumerate(m.get("validations", ())):
            yield f"{m['id']} validation {index}", rule["message"]
        for transition in m["workflow"]["transitions"]:
            if "when" in transition:
                yield f"{m['id']} transition {transition['id']} message", transition["message"]
    for module_id, extension in pack["extends"].items():
        for name, field in extension.get("fields", {}).items():
            yield f"{module_id}.{name}", field["title"]
        for index, rule in enumerate(extension.get("validations", ())):
            yield f"{module_id} validation {index}", rule["message"]


def test_every_label_and_message_is_in_chinese_and_english() -> None:
    pack = json.loads((MODULES / "contracts.json").read_text(encoding="utf-8"))
    missing = [
        where
        for where, text in bilingual_texts(pack)
        if not (isinstance(text, dict) and set(text) >= {"en", "zh-CN"} and all(text.values()))
    ]
    assert missing == []


def test_demo_users_include_the_commercial_manager(database_url: str, session_factory: Any) -> None:
    runner = CliRunner(env={"DATABASE_URL": database_url})
    for name in ("construction", "contracts"):
        assert runner.invoke(cli, ["packs", "import", str(MODULES / f"{name}.json")]).exit_code == 0
    printed = runner.invoke(cli, ["demo-users"], catch_exceptions=False).stdout
    rows = [line.split() for line in printed.splitlines()[2:]]
    users = {row[0]: (row[1], row[2]) for row in rows if len(row) == 3}
    assert (users["commercial"][0], users["director"][0]) == ("commercial", "director")
    with session_factory() as session:
        user = accounts.verify_password(session, "commercial", users["commercial"][1])
        assert user is not None and accounts.role_ids(user) == {"commercial"}
