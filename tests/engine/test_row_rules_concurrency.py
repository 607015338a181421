"""Two storekeepers issue from one stock card at the same moment: the row rule reading the
card's on-hand figure is checked for the second only after the first has committed."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine.accounts import actor_of
from engine.db import transaction
from engine.errors import GuardMessage, ValidationFailed
from engine.models import User
from engine.packs import import_pack
from engine.records import create_record, get_record, list_records
from engine.workflow import apply_transition
from tests.engine.people import make_user

MODULES = Path(__file__).resolve().parents[2] / "modules"


def _actor(session: Any, name: str) -> Any:
    return actor_of(session.scalars(select(User).where(User.name == name)).one())


def _two_submitted_issues(session: Any, qty: int) -> tuple[str, str, str]:
    lee = _actor(session, "lee")
    cement = next(
        c for c in list_records(session, "stock_card", lee).items if "水泥" in c.data["label"]
    )  # 25 t on hand in the demo
    ids = []
    for crew in ("瓦工班", "抹灰班"):
        data = {
            "project": cement.data["project"],
            "crew": crew,
            "lines": [{"card": cement.id, "qty": qty}],
        }
        ids.append(create_record(session, "stock_issue", data, lee).id)
        apply_transition(session, "stock_issue", ids[-1], "submit", lee)
    return cement.id, ids[0], ids[1]


def test_two_issues_at_once_cannot_both_pass_the_stock(session_factory) -> None:
    with transaction(session_factory) as session:
        for name in ("construction", "materials"):
            import_pack(session, (MODULES / f"{name}.json").read_text(encoding="utf-8"))
        make_user(session, "lee", "foreman")
        make_user(session, "ma", "storekeeper")
        make_user(session, "mo", "storekeeper")
        card, first, second = _two_submitted_issues(session, 15)
    outcome: list[object] = []

    def other_storekeeper() -> None:
        try:
            with transaction(session_factory) as session:
                apply_transition(session, "stock_issue", second, "issue", _actor(session, "mo"))
            outcome.append("issued")
        except ValidationFailed as exc:
            outcome.append([p.path for p in exc.problems])

    with transaction(session_factory) as session:
        apply_transition(session, "stock_issue", first, "issue", _actor(session, "ma"))
        racer = threading.Thread(target=other_storekeeper)
        racer.start()
        time.sleep(0.5)  # the second storekeeper now waits for the first to commit
    racer.join(timeout=60)
    assert outcome == [["/lines/0/qty"]]
    with transaction(session_factory) as session:
        ma = _actor(session, "ma")
        assert get_record(session, "stock_card", card, ma).data["on_hand"] == 10  # 25 − 15
        assert get_record(session, "stock_issue", second, ma).state == "submitted"


def test_two_payments_of_what_is_owed_at_once_pay_it_once(session_factory) -> None:
    """The `pay` guard reads the month's owed wages through the link; the second accountant's
    guard is weighed after the first payment has committed, so 350.00 owed is paid once."""
    with transaction(session_factory) as session:
        for name in ("construction", "labour"):
            import_pack(session, (MODULES / f"{name}.json").read_text(encoding="utf-8"))
        make_user(session, "hu", "accountant")
        make_user(session, "ho", "accountant")
        hu = _actor(session, "hu")
        (march,) = [
            a
            for a in list_records(session, "wage_accrual", hu).items
            if a.data["label"] == "李明 2026-03"
        ]  # 350.00 still owed in the demo
        payments = [
            create_record(
                session,
                "wage_payment",
                {"accrual": march.id, "amount": "350.00", "method": "bank"},
                hu,
            ).id
            for _ in range(2)
        ]
    outcome: list[object] = []

    def other_accountant() -> None:
        try:
            with transaction(session_factory) as session:
                apply_transition(session, "wage_payment", payments[1], "pay", _actor(session, "ho"))
            outcome.append("paid")
        except GuardMessage:
            outcome.append("refused")

    with transaction(session_factory) as session:
        apply_transition(session, "wage_payment", payments[0], "pay", _actor(session, "hu"))
        racer = threading.Thread(target=other_accountant)
        racer.start()
        time.sleep(0.5)  # the second accountant now waits for the first to commit
    racer.join(timeout=60)
    assert outcome == ["refused"]
    with transaction(session_factory) as session:
        owed = get_record(session, "wage_accrual", march.id, _actor(session, "hu")).data["owed"]
    assert str(owed) == "0.00"
