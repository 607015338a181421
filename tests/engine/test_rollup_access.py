"""A rollup is shown only to a reader who may read every row it sums, on every read path.

A site manager granted project P1 sees P1's totals and never a figure of P2: P2's rollups
come back withheld (named in `restricted`, absent from the data), as do formulas computed
from them, and sorting by a rollup does not order the withheld ones by their hidden value.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text

from engine.accounts import add_grant
from engine.actor import SYSTEM, actor
from engine.packs import import_pack
from engine.records import ListQuery, create_record, get_record, list_records
from engine.reports import run_report
from engine.workflow import inbox
from tests.engine.people import make_user
from tests.engine.sample_pack import module, sample_pack

FOREMAN = actor("lee", "foreman")


def pack_with_margin() -> dict:
    """The sample pack plus a formula computed when read from the `actual` rollup."""
    pack = sample_pack()
    project = module(pack, "project")
    project["schema"]["properties"]["left"] = {
        "type": "number",
        "x-scale": 2,
        "x-formula": "budget - actual",
    }
    return pack


def tally(project_id: str, hours: str, rate: str, trade: str = "rebar") -> dict:
    return {
        "project": project_id,
        "date": "2026-03-02",
        "worker": "Wang",
        "trade": trade,
        "items": [{"task": "tie bars", "hours": hours, "rate": rate}],
    }


@pytest.fixture
def sites(session):
    """P1, P2, P3 with approved tallies of 80.00, 900.00 and 5.00; a manager granted P1."""
    import_pack(session, pack_with_margin())
    projects = []
    for code, hours, rate in (("P1", "2", "40"), ("P2", "8", "112.5"), ("P3", "1", "5")):
        project = create_record(
            session, "project", {"code": code, "name": f"Site {code}", "budget": "1000"}, SYSTEM
        )
        create_record(session, "labour", tally(project.id, hours, rate), FOREMAN)
        projects.append(project)
    session.execute(text("update m_labour set state = 'approved'"))
    manager = make_user(session, "ann", "site_manager")
    add_grant(session, "ann", "project", projects[0].id)
    return projects, manager


def test_a_manager_sees_the_totals_of_a_granted_project_only(session, sites):
    (p1, p2, _), manager = sites
    own = get_record(session, "project", p1.id, manager)
    assert own.data["actual"] == Decimal("80.00")
    assert own.data["tally_count"] == 1
    assert own.data["left"] == Decimal("920.00")
    assert own.restricted == frozenset()
    other = get_record(session, "project", p2.id, manager)
    assert other.restricted == {"actual", "tally_count", "left"}
    assert not {"actual", "tally_count", "left"} & other.data.keys()
    assert other.data["budget"] == Decimal("1000.00")  # the project itself stays readable


def test_a_list_withholds_the_same_and_its_order_reveals_nothing(session, sites):
    (p1, p2, p3), manager = sites
    page = list_records(session, "project", manager, ListQuery(sort=("code",)))
    by_code = {r.data["code"]: r for r in page.items}
    assert by_code["P1"].data["actual"] == Decimal("80.00")
    assert by_code["P2"].restricted == {"actual", "tally_count", "left"}
    assert "actual" not in by_code["P3"].data

    def order(who, key):
        page = list_records(session, "project", who, ListQuery(sort=(key,)))
        return [r.data["code"] for r in page.items if r.data["code"] != "P1"]

    assert order(SYSTEM, "actual") == ["P3", "P2"]  # 5.00 before 900.00
    assert order(SYSTEM, "-actual") == ["P2", "P3"]
    assert order(manager, "actual") == order(manager, "-actual")  # withheld: no order by value


def test_an_own_reader_or_one_without_the_summed_field_sees_no_total(session, sites):
    (p1, _, _), _ = sites
    foreman = get_record(session, "project", p1.id, FOREMAN)  # reads only their own tallies
    assert foreman.restricted == {"actual", "tally_count", "left"}
    viewer = get_record(session, "project", p1.id, actor("vic", "viewer"))  # `amount` hidden
    assert viewer.restricted == {"actual", "left"}
    assert viewer.data["tally_count"] == 1  # a count reads no hidden field


def test_the_inbox_withholds_like_the_record(session, sites):
    (_, p2, _), manager = sites
    from engine.models import Task

    session.add(Task(module="project", record_id=p2.id, kind="copied", assignee_user="ann"))
    session.flush()
    (item,) = inbox(session, manager).items
    assert item.record.restricted == {"actual", "tally_count", "left"}
    assert "actual" not in item.record.data


def test_a_report_sums_only_rows_the_reader_may_read(session, sites):
    _, manager = sites
    result = run_report(session, "labour_by_trade", manager)
    assert result.rows == [{"trade": "rebar", "lines": 1, "hours": Decimal("2.0")}]


def test_link_titles_of_unreadable_records_are_not_shown(session):
    pack = sample_pack()
    module(pack, "project")["permissions"].pop("viewer")
    module(pack, "project")["permissions"]["foreman"]["fields"] = {"name": "hidden"}
    import_pack(session, pack)
    p1 = create_record(session, "project", {"code": "P1", "name": "Secret Tower"}, SYSTEM)
    create_record(session, "labour", tally(p1.id, "2", "40"), FOREMAN)
    viewer = list_records(session, "labour", actor("vic", "viewer")).items[0]
    assert viewer.data["project"] == p1.id
    assert "project" not in viewer.titles  # the viewer may not read projects at all
    own = list_records(session, "labour", FOREMAN).items[0]
    assert own.titles.get("project") != "Secret Tower"  # the title field is hidden from them
    assert get_record(session, "labour", own.id, FOREMAN).titles.get("project") != "Secret Tower"
    admin = get_record(session, "labour", own.id, SYSTEM)
    assert admin.titles["project"] == "Secret Tower"


def test_two_managers_with_the_same_role_each_see_their_own_grants(session, sites):
    (p1, p2, _), ann = sites
    bob = make_user(session, "bob", "site_manager")
    add_grant(session, "bob", "project", p2.id)
    for _ in range(2):  # the second round reads statements kept from the first
        assert get_record(session, "project", p1.id, ann).data["actual"] == Decimal("80.00")
        assert get_record(session, "project", p2.id, bob).data["actual"] == Decimal("900.00")
        assert get_record(session, "project", p1.id, bob).restricted == {
            "actual",
            "tally_count",
            "left",
        }
        assert "actual" in get_record(session, "project", p2.id, ann).restricted
