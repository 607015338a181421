"""The bundled materials pack (modules/materials.json) as a site uses it: the demo stock of
Riverside Garden as hand-computed (received − issued per stock card); a request ordered,
received and issued, each step tried with the right and the wrong role; an issue beyond the
stock refused when saved and when issued; the reports' running totals and spend."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine import accounts
from engine.accounts import actor_of
from engine.actor import Actor
from engine.errors import (
    GuardMessage,
    PermissionDenied,
    RoleRequired,
    StateLocked,
    ValidationFailed,
)
from engine.packs import import_pack
from engine.records import (
    create_record,
    delete_record,
    get_record,
    list_records,
    update_record,
)
from engine.records.create_from import prefill_from
from engine.records.query import ListQuery
from engine.reports import run_report
from engine.workflow import apply_transition
from tests.engine.people import make_user
from web.cli import cli

MODULES = Path(__file__).resolve().parents[2] / "modules"


@pytest.fixture
def people(session: Any) -> dict[str, Actor]:
    for name in ("construction", "materials"):  # materials require construction's projects
        import_pack(session, (MODULES / f"{name}.json").read_text(encoding="utf-8"))
    return {
        "lee": make_user(session, "lee", "foreman"),
        "zhao": make_user(session, "zhao", "site_manager"),
        "hu": make_user(session, "hu", "accountant"),
        "ma": make_user(session, "ma", "storekeeper"),
        "sun": make_user(session, "sun", "viewer"),
    }


def by_code(session: Any, module: str, field: str, who: Actor) -> dict[str, Any]:
    return {
        r.data[field]: r for r in list_records(session, module, who, ListQuery(per_page=100)).items
    }


def stock(session: Any, who: Actor) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    """Material code → (received, issued, on hand) of Riverside Garden's stock cards."""
    codes = {r.id: code for code, r in by_code(session, "material", "code", who).items()}
    cards = list_records(session, "stock_card", who, ListQuery(per_page=100)).items
    return {
        codes[c.data["material"]]: (c.data["received"], c.data["issued"], c.data["on_hand"])
        for c in cards
    }


def test_the_demo_stock_is_received_minus_issued(session, people) -> None:
    assert stock(session, people["ma"]) == {
        # received 35 + 25; issued 20 + 12 + 16
        "GJ-HRB400-16": (Decimal("60.00"), Decimal("48.00"), Decimal("12.00")),
        # received 40; issued 15 + 10
        "GJ-HRB400-25": (Decimal("40.00"), Decimal("25.00"), Decimal("15.00")),
        # received 80 (the draft receipt of 40 not yet); issued 55 (20 still waiting)
        "SN-PO425": (Decimal("80.00"), Decimal("55.00"), Decimal("25.00")),
        "MB-FM18": (Decimal("800.00"), Decimal("450.00"), Decimal("350.00")),
    }
    page = list_records(session, "stock_card", people["zhao"])
    assert page.totals == {"received": Decimal("980.00"), "issued": Decimal("578.00")}


def test_the_reports_over_the_demo_records(session, people) -> None:
    zhao = people["zhao"]
    codes = {r.id: c for c, r in by_code(session, "material", "code", zhao).items()}
    received = run_report(session, "received_by_material", zhao).rows
    assert [(r["month"], codes[r["material"]], r["qty"], r["to_date"]) for r in received] == [
        ("2026-03", "GJ-HRB400-16", Decimal("35.00"), Decimal("35.00")),
        ("2026-03", "GJ-HRB400-25", Decimal("40.00"), Decimal("40.00")),
        ("2026-03", "MB-FM18", Decimal("800.00"), Decimal("800.00")),
        ("2026-04", "GJ-HRB400-16", Decimal("25.00"), Decimal("60.00")),  # 35 + 25
        ("2026-04", "SN-PO425", Decimal("80.00"), Decimal("80.00")),
    ]
    assert [r["value"] for r in received] == [
        Decimal("136500"),  # 35 × 3900
        Decimal("154400"),  # 40 × 3860
        Decimal("52800"),  # 800 × 66
        Decimal("97500"),  # 25 × 3900
        Decimal("36400"),  # 80 × 455
    ]
    cards = {
        c.id: codes[c.data["material"]] for c in list_records(session, "stock_card", zhao).items
    }
    issued = run_report(session, "issued_by_card", zhao).rows
    assert [(r["month"], cards[r["card"]], r["qty"], r["to_date"]) for r in issued] == [
        ("2026-03", "GJ-HRB400-16", Decimal("32.00"), Decimal("32.00")),  # 20 + 12
        ("2026-03", "GJ-HRB400-25", Decimal("25.00"), Decimal("25.00")),
        ("2026-03", "MB-FM18", Decimal("450.00"), Decimal("450.00")),
        ("2026-04", "GJ-HRB400-16", Decimal("16.00"), Decimal("48.00")),  # 32 + 16
        ("2026-04", "SN-PO425", Decimal("55.00"), Decimal("55.00")),
    ]
    spend = run_report(session, "spend_by_supplier", zhao).rows
    assert [(r["month"], r["supplier"], r["orders"], r["spend"]) for r in spend] == [
        ("2026-02", "临安板材厂", 1, Decimal("52800.00")),  # 800 × 66
        ("2026-02", "华东建材贸易有限公司", 1, Decimal("388400.00")),  # 60 × 3900 + 40 × 3860
        ("2026-03", "海螺水泥杭州经销部", 1, Decimal("54600.00")),  # 120 × 455
    ]
    on_hand = run_report(session, "stock_on_hand", zhao).rows
    assert {(r["project_code"], codes[r["material"]]): r["on_hand"] for r in on_hand} == {
        ("PRJ-2026-001", "GJ-HRB400-16"): 12,
        ("PRJ-2026-001", "GJ-HRB400-25"): 15,
        ("PRJ-2026-001", "SN-PO425"): 25,
        ("PRJ-2026-001", "MB-FM18"): 350,
    }


def test_orders_show_what_has_been_received(session, people) -> None:
    hu = people["hu"]
    orders = {o.data["supplier"]: o.data for o in list_records(session, "purchase_order", hu).items}
    received = {s: (d["total"], d["received_value"], d["to_receive"]) for s, d in orders.items()}
    assert received == {
        # 35 × 3900 + 40 × 3860 on 5 March, 25 × 3900 on 3 April: all of it
        "华东建材贸易有限公司": (Decimal("388400.00"), Decimal("388400.00"), Decimal("0.00")),
        "临安板材厂": (Decimal("52800.00"), Decimal("52800.00"), Decimal("0.00")),
        # 80 of 120 t received; the second delivery (40 × 455) is still a draft
        "海螺水泥杭州经销部": (Decimal("54600.00"), Decimal("36400.00"), Decimal("18200.00")),
    }


def test_a_receipt_for_another_projects_order_is_refused(session, people) -> None:
    ma, hu = people["ma"], people["hu"]
    projects = by_code(session, "project", "code", people["zhao"])
    order = by_code(session, "purchase_order", "supplier", hu)["海螺水泥杭州经销部"]
    values = prefill_from(session, "goods_receipt", "purchase_order", order.id, ma)
    values["project"] = projects["PRJ-2026-002"].id
    with pytest.raises(ValidationFailed) as refused:
        create_record(session, "goods_receipt", values, ma)
    assert [(p.path, p.code) for p in refused.value.problems] == [("/order", "rule_message")]


def _riverside(session: Any, who: Actor) -> str:
    return by_code(session, "project", "code", who)["PRJ-2026-001"].id


def test_a_request_is_ordered_received_and_issued(session, people) -> None:
    lee, zhao, hu, ma = people["lee"], people["zhao"], people["hu"], people["ma"]
    project = _riverside(session, zhao)
    c30 = by_code(session, "material", "code", lee)["HNT-C30"]
    data = {"project": project, "subject": "Slab pour", "lines": [{"material": c30.id, "qty": 45}]}
    request = create_record(session, "purchase_request", data, lee)
    line = request.data["lines"][0]  # unit and price from the catalogue
    assert (line["unit"], line["price"], request.data["total"]) == (
        "m3",
        Decimal("418.00"),
        Decimal("18810.00"),  # 45 × 418
    )
    apply_transition(session, "purchase_request", request.id, "submit", lee)
    with pytest.raises(RoleRequired):  # the site manager approves, not the foreman
        apply_transition(session, "purchase_request", request.id, "approve", lee)
    apply_transition(session, "purchase_request", request.id, "approve", zhao)
    approved = get_record(session, "purchase_request", request.id, zhao)
    assert approved.data["approved_on"] == dt.datetime.now(dt.UTC).date()

    with pytest.raises(PermissionDenied):  # the storekeeper does not place orders
        prefill_from(session, "purchase_order", "purchase_request", request.id, ma)
    values = prefill_from(session, "purchase_order", "purchase_request", request.id, hu)
    values["supplier"] = "杭州商砼 Hangzhou Ready-mix"
    values["lines"][0]["price"] = 405
    order = create_record(session, "purchase_order", values, hu)
    assert (order.data["request"], order.data["total"]) == (request.id, Decimal("18225.00"))
    with pytest.raises(RoleRequired):
        apply_transition(session, "purchase_order", order.id, "place", ma)
    apply_transition(session, "purchase_order", order.id, "place", hu)

    receipt_values = prefill_from(session, "goods_receipt", "purchase_order", order.id, ma)
    receipt_values["lines"][0]["qty"] = 30  # the first truck of two
    receipt = create_record(session, "goods_receipt", receipt_values, ma)
    card = create_record(
        session, "stock_card", {"project": project, "material": c30.id}, ma
    )  # a new card sums what is already received: nothing yet, the receipt is a draft
    assert get_record(session, "stock_card", card.id, ma).data["received"] == 0
    with pytest.raises(RoleRequired):  # the storekeeper receives, not the foreman
        apply_transition(session, "goods_receipt", receipt.id, "receive", lee)
    apply_transition(session, "goods_receipt", receipt.id, "receive", ma)
    assert get_record(session, "stock_card", card.id, ma).data["on_hand"] == 30
    with pytest.raises(StateLocked):  # a received receipt is voided, never deleted
        delete_record(session, "goods_receipt", receipt.id, ma)

    issue = {"project": project, "crew": "混凝土班", "lines": [{"card": card.id, "qty": 18}]}
    issue_id = create_record(session, "stock_issue", issue, lee).id
    apply_transition(session, "stock_issue", issue_id, "submit", lee)
    with pytest.raises(RoleRequired):
        apply_transition(session, "stock_issue", issue_id, "issue", lee)
    apply_transition(session, "stock_issue", issue_id, "issue", ma)
    stored = get_record(session, "stock_card", card.id, ma).data
    assert (stored["received"], stored["issued"], stored["on_hand"]) == (30, 18, 12)

    with pytest.raises(RoleRequired):  # only the site manager voids a receipt
        apply_transition(session, "goods_receipt", receipt.id, "void", ma, comment="wrong")
    apply_transition(session, "stock_issue", issue_id, "void", zhao, comment="Returned")
    assert get_record(session, "stock_card", card.id, ma).data["on_hand"] == 30  # back in


def test_an_issue_beyond_the_stock_is_refused(session, people) -> None:
    lee, ma = people["lee"], people["ma"]
    project = _riverside(session, ma)
    cement = next(
        c for c in list_records(session, "stock_card", ma).items if "水泥" in c.data["label"]
    )  # 25 t on hand
    too_much = {"project": project, "crew": "瓦工班", "lines": [{"card": cement.id, "qty": 26}]}
    with pytest.raises(ValidationFailed) as refused:
        create_record(session, "stock_issue", too_much, lee)
    (problem,) = refused.value.problems
    assert (problem.path, problem.code) == ("/lines/0/qty", "rule_message")
    assert problem.params["texts"]["zh-CN"] == "领用数量超过现存量。"

    # two requests of 15 t each fit the 25 t alone, not both: the second is refused when issued
    first, second = (
        create_record(
            session,
            "stock_issue",
            {"project": project, "crew": crew, "lines": [{"card": cement.id, "qty": 15}]},
            lee,
        ).id
        for crew in ("瓦工班", "抹灰班")
    )
    for issue_id in (first, second):
        apply_transition(session, "stock_issue", issue_id, "submit", lee)
    apply_transition(session, "stock_issue", first, "issue", ma)
    with pytest.raises(ValidationFailed) as refused:
        apply_transition(session, "stock_issue", second, "issue", ma)
    assert [p.path for p in refused.value.problems] == ["/lines/0/qty"]
    assert get_record(session, "stock_issue", second, ma).state == "submitted"
    assert get_record(session, "stock_card", cement.id, ma).data["on_hand"] == 10  # 25 − 15

    # two lines of 6 t each fit the 10 t left alone, not together: one line per card
    twice = [{"card": cement.id, "qty": 6}, {"card": cement.id, "qty": 6}]
    with pytest.raises(ValidationFailed) as refused:
        create_record(session, "stock_issue", {**too_much, "lines": twice}, lee)
    assert [(p.path, p.code) for p in refused.value.problems] == [("/lines", "rule_message")]


def test_a_card_of_another_project_and_a_second_card_are_refused(session, people) -> None:
    ma, lee = people["ma"], people["lee"]
    projects = by_code(session, "project", "code", people["zhao"])
    other = projects["PRJ-2026-002"].id
    rebar = next(
        c for c in list_records(session, "stock_card", ma).items if "Φ16" in c.data["label"]
    )
    issue = {"project": other, "crew": "钢筋班", "lines": [{"card": rebar.id, "qty": 1}]}
    with pytest.raises(ValidationFailed) as refused:
        create_record(session, "stock_issue", issue, lee)
    assert [(p.path, p.code) for p in refused.value.problems] == [("/lines/0/card", "rule_message")]
    twice = {"project": rebar.data["project"], "material": rebar.data["material"]}
    with pytest.raises(ValidationFailed) as refused:
        create_record(session, "stock_card", twice, ma)
    assert refused.value.problems[0].code == "not_unique"


def test_viewers_read_and_foremen_cannot_receive(session, people) -> None:
    sun, lee = people["sun"], people["lee"]
    assert list_records(session, "stock_card", sun).total == 4
    project = _riverside(session, people["zhao"])
    with pytest.raises(PermissionDenied):
        create_record(session, "goods_receipt", {"project": project, "lines": []}, lee)
    with pytest.raises(PermissionDenied):
        create_record(session, "material", {"code": "X", "name": "X"}, sun)


def test_an_order_is_placed_only_at_a_price(session, people) -> None:
    hu = people["hu"]
    project = _riverside(session, people["zhao"])
    plywood = by_code(session, "material", "code", hu)["MB-FM18"]
    line = {"material": plywood.id, "qty": 100, "price": 0}
    data = {"project": project, "supplier": "临安板材厂", "lines": [line]}
    order = create_record(session, "purchase_order", data, hu)
    with pytest.raises(GuardMessage) as refused:
        apply_transition(session, "purchase_order", order.id, "place", hu)
    assert (
        refused.value.problems[0].params["texts"]["en"] == "Agree a price before placing the order."
    )
    stored = get_record(session, "purchase_order", order.id, hu)
    update_record(
        session, "purchase_order", order.id, stored.version, {"lines": [{**line, "price": 65}]}, hu
    )
    apply_transition(session, "purchase_order", order.id, "place", hu)
    assert get_record(session, "purchase_order", order.id, hu).data["total"] == Decimal("6500.00")


def test_demo_users_include_a_storekeeper_once_the_pack_is_installed(
    database_url: str, session_factory: Any
) -> None:
    runner = CliRunner(env={"DATABASE_URL": database_url})
    assert runner.invoke(cli, ["demo-users"], catch_exceptions=False).exit_code == 0
    for name in ("construction", "materials"):
        imported = runner.invoke(cli, ["packs", "import", str(MODULES / f"{name}.json")])
        assert imported.exit_code == 0, imported.output
    after = runner.invoke(cli, ["demo-users"], catch_exceptions=False)
    rows = [line.split() for line in after.stdout.splitlines()[2:]]
    printed = {row[0]: (row[1], row[2]) for row in rows if len(row) == 3}
    assert {name: role for name, (role, _) in printed.items()} == {"storekeeper": "storekeeper"}
    with session_factory() as session:
        user = accounts.verify_password(session, "storekeeper", printed["storekeeper"][1])
        assert user is not None and accounts.role_ids(user) == {"storekeeper"}
        cards = list_records(session, "stock_card", actor_of(user))
        assert cards.total == 4  # Riverside Garden's rebar ×2, cement, plywood
