"""Rollups matched by fields, not by a link: a wage accrual per worker × month, a task
card per project × task over tally lines.

The accrual sums the approved tallies whose `worker` and `project` equal its own and counts
the tallies of its worker dated in its month; the task card sums the approved hours of the
lines whose `task` (a column of the line) and `project` (a field of the tally owning it)
equal its own. Tallies written, renamed, moved, approved, set back or deleted (also by
plain SQL), and accruals whose own fields change, all move the figures; a batch counts
each tally once; a rebuild finds nothing to change; a reader who may not read every tally
gets them withheld; a match that cannot work is refused at import where it is written.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from engine.actor import SYSTEM, actor
from engine.errors import DefinitionError
from engine.packs import import_pack
from engine.records import create_record, delete_record, get_record, update_record
from engine.records.rollups import rebuild_rollups
from engine.records.service import create_records
from engine.workflow import apply_transition
from tests.engine.sample_pack import module, sample_pack

FOREMAN = actor("lee", "foreman")
READERS = {"foreman": {"read": "all"}, "site_manager": {"read": "all"}, "viewer": {"read": "all"}}


def _module(id_: str, fields: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "id": id_,
        "title": {"en": id_.title(), "zh-CN": id_},
        "title_field": required[0],
        "schema": {"type": "object", "required": required, "properties": fields},
        "ui": {"list": {"columns": list(fields)}},
        "permissions": READERS,
    }


def matched_pack() -> dict[str, Any]:
    pack = sample_pack()
    by_worker = {"module": "labour", "match": {"worker": "worker", "project": "project"}}
    wage = {
        "worker": {"type": "string"},
        "project": {"type": "string", "x-ref": "project"},
        "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
        "approved": {
            "type": "number",
            "x-scale": 2,
            "x-rollup": {**by_worker, "value": "sum(amount)", "where": "$state == 'approved'"},
        },
        "tallies": {
            "type": "integer",
            "x-rollup": {
                "module": "labour",
                "match": {"worker": "worker"},
                "value": "count()",
                "where": "month(date) == parent.month",
            },
        },
    }
    lines = {"module": "labour", "table": "items", "match": {"task": "task", "project": "project"}}
    card = {
        "task": {"type": "string"},
        "project": {"type": "string", "x-ref": "project"},
        "hours": {
            "type": "number",
            "x-scale": 1,
            "x-rollup": {**lines, "value": "sum(hours)", "where": "$state == 'approved'"},
        },
    }
    pack["modules"] += [_module("wage", wage, ["worker"]), _module("card", card, ["task"])]
    return pack


def tally(project: str, worker: str, hours: list[str], date: str = "2026-03-02") -> dict[str, Any]:
    items = [{"task": task, "hours": h, "rate": "10"} for task, h in zip("ab", hours, strict=False)]
    data = {"project": project, "date": date, "worker": worker, "items": items}
    long_day = sum(Decimal(h) for h in hours) > 8
    return {**data, "overtime_reason": "late pour"} if long_day else data


def approve(session, record_id: str) -> None:
    apply_transition(session, "labour", record_id, "submit", FOREMAN)
    apply_transition(session, "labour", record_id, "approve", SYSTEM)


def wage(session, record_id: str) -> tuple[Any, Any]:
    data = get_record(session, "wage", record_id, SYSTEM).data
    return data["approved"], data["tallies"]


def card(session, record_id: str) -> Any:
    return get_record(session, "card", record_id, SYSTEM).data["hours"]


@pytest.fixture
def site(session):
    import_pack(session, matched_pack())
    p1, p2 = (
        create_record(session, "project", {"code": c, "name": c}, SYSTEM).id for c in ("P1", "P2")
    )
    wang = {"worker": "Wang", "project": p1, "month": "2026-03"}
    wages = [create_record(session, "wage", wang, SYSTEM).id]
    wages.append(create_record(session, "wage", {**wang, "worker": "Li"}, SYSTEM).id)
    cards = [create_record(session, "card", {"task": "a", "project": p1}, SYSTEM).id]
    cards.append(create_record(session, "card", {"task": "b", "project": p2}, SYSTEM).id)
    return p1, p2, wages, cards


def test_tallies_move_the_figures_of_the_records_they_match(session, site):
    p1, p2, (wang, li), (a_p1, b_p2) = site
    first = create_record(session, "labour", tally(p1, "Wang", ["2", "3"]), FOREMAN)
    assert wage(session, wang) == (Decimal("0.00"), 1)
    approve(session, first.id)  # 2 h + 3 h at 10
    assert wage(session, wang) == (Decimal("50.00"), 1) and card(session, a_p1) == Decimal("2.0")
    other = create_record(session, "labour", tally(p1, "Wang", ["1"], "2026-04-01"), FOREMAN)
    approve(session, other.id)  # April: in the sum (any month), not in March's count
    assert wage(session, wang) == (Decimal("60.00"), 1)
    session.execute(text("update m_labour set worker = 'Li' where id = :i"), {"i": first.id})
    assert wage(session, wang) == (Decimal("10.00"), 0)
    assert wage(session, li) == (Decimal("50.00"), 1)
    session.execute(
        text("update m_labour set project = :p where id = :i"), {"p": p2, "i": first.id}
    )
    assert wage(session, li) == (Decimal("0.00"), 1)  # another project: not this accrual's
    assert card(session, a_p1) == Decimal("1.0") and card(session, b_p2) == Decimal("3.0")
    session.execute(text("update m_labour set state = 'draft' where id = :i"), {"i": first.id})
    assert card(session, b_p2) == Decimal("0.0")
    record = get_record(session, "wage", li, SYSTEM)
    update_record(session, "wage", li, record.version, {"worker": "Wang"}, SYSTEM)
    assert wage(session, li) == (Decimal("10.00"), 0)  # the accrual's own key moved
    record = get_record(session, "wage", li, SYSTEM)
    update_record(session, "wage", li, record.version, {"month": "2026-04"}, SYSTEM)
    assert wage(session, li) == (Decimal("10.00"), 1)
    delete_record(session, "labour", other.id, SYSTEM)
    assert wage(session, li) == (Decimal("0.00"), 0) and card(session, a_p1) == Decimal("0.0")


def test_a_batch_of_tallies_counts_each_one_once(session, site):
    p1, _, (wang, _), (a_p1, _) = site
    batch = [tally(p1, "Wang", ["1", "2"])] * 20 + [tally(p1, "Li", ["4"])]
    create_records(session, "labour", batch, FOREMAN)
    assert wage(session, wang) == (Decimal("0.00"), 20)
    session.execute(text("update m_labour set state = 'approved'"))
    assert wage(session, wang)[0] == Decimal("600.00")
    assert card(session, a_p1) == Decimal("24.0")


def test_the_figures_are_withheld_from_a_reader_of_some_tallies_only(session, site):
    from tests.engine.people import make_user

    p1, _, (wang, _), _ = site
    approve(session, create_record(session, "labour", tally(p1, "Wang", ["2"]), FOREMAN).id)
    manager = make_user(session, "ann", "site_manager")  # tallies of granted projects only
    assert get_record(session, "wage", wang, manager).restricted >= {"approved", "tallies"}
    viewer = make_user(session, "vic", "viewer")  # every tally, but not their amounts
    seen = get_record(session, "wage", wang, viewer)
    assert seen.restricted == {"approved"} and seen.data["tallies"] == 1


def _refused(session, pack: dict[str, Any]) -> set[tuple[str, str]]:
    with pytest.raises(DefinitionError) as refused:
        import_pack(session, pack)
    return {(p.path, p.code) for p in refused.value.problems}


def test_a_match_that_cannot_work_is_refused_where_it_is_written(session):
    pack = matched_pack()
    fields = module(pack, "wage")["schema"]["properties"]
    fields["approved"]["x-rollup"]["match"] = {"wroker": "worker", "project": "month"}
    fields["tallies"]["x-rollup"]["link"] = "project"  # beside its match
    cards = module(pack, "card")["schema"]["properties"]
    cards["hours"]["x-rollup"]["match"] = {"hours": "task", "date": "project", "task": "nope"}
    found = _refused(session, pack)
    base = "/modules/2/schema/properties"
    assert found >= {
        (f"{base}/approved/x-rollup/match/wroker", "rollup_match_unknown"),
        (f"{base}/approved/x-rollup/match/project", "rollup_match_mismatch"),  # link vs text
        (f"{base}/tallies/x-rollup", "rollup_link_or_match"),
        ("/modules/3/schema/properties/hours/x-rollup/match/hours", "rollup_match_mismatch"),
        ("/modules/3/schema/properties/hours/x-rollup/match/date", "rollup_match_mismatch"),
        ("/modules/3/schema/properties/hours/x-rollup/match/task", "rollup_match_unknown"),
    }
    pack = matched_pack()
    module(pack, "wage")["schema"]["properties"]["project"]["x-ref"] = "wage"  # another module
    del module(pack, "card")["schema"]["properties"]["hours"]["x-rollup"]["match"]
    found = _refused(session, pack)
    assert (f"{base}/approved/x-rollup/match/project", "rollup_match_mismatch") in found
    assert ("/modules/3/schema/properties/hours/x-rollup", "rollup_link_or_match") in found
    assert session.execute(text("select count(*) from packs")).scalar_one() == 0


def snapshot(session) -> dict[str, Any]:
    wages = session.execute(text("select id, approved, tallies from m_wage")).all()
    cards = session.execute(text("select id, hours from m_card")).all()
    return {row[0]: tuple(row[1:]) for row in [*wages, *cards]}


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["create", "edit", "delete", "approve", "back", "worker", "move", "key"]),
        st.integers(0, 50),
        st.lists(st.integers(0, 9), max_size=2),
    ),
    min_size=1,
    max_size=10,
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(OPERATIONS)
def test_incremental_figures_equal_rebuilt_ones_after_random_writes(session, site, operations):
    p1, p2, _, _ = site
    for operation, pick, hours in operations:
        worker, project = ("Wang", "Li")[pick % 2], (p1, p2)[pick % 3 % 2]
        data = tally(project, worker, [str(h) for h in hours], f"2026-0{3 + pick % 2}-01")
        apply_random(session, operation, pick, data)
        kept = snapshot(session)
        rebuild_rollups(session)
        assert snapshot(session) == kept, operation


def apply_random(session, operation: str, pick: int, data: dict[str, Any]) -> None:
    ids = [r[0] for r in session.execute(text("select id from m_labour order by id")).all()]
    target = ids[pick % len(ids)] if ids else None
    params = {"i": target, "w": data["worker"], "p": data["project"]}
    if operation == "create" or target is None:
        create_record(session, "labour", data, FOREMAN)
    elif operation == "edit":
        record = get_record(session, "labour", target, SYSTEM)
        if record.state == "draft":
            update_record(session, "labour", target, record.version, data, SYSTEM)
    elif operation == "delete":
        session.execute(text("delete from m_labour where id = :i"), params)  # rows cascade
    elif operation == "approve":
        if get_record(session, "labour", target, SYSTEM).state == "draft":
            approve(session, target)
    elif operation == "back":
        session.execute(text("update m_labour set state = 'draft' where id = :i"), params)
    elif operation == "worker":
        session.execute(text("update m_labour set worker = :w where id = :i"), params)
    elif operation == "move":
        session.execute(text("update m_labour set project = :p where id = :i"), params)
    else:  # an accrual's or a card's own key
        session.execute(text("update m_wage set worker = :w where worker <> :w"), params)
        session.execute(text("update m_card set project = :p"), params)
