"""Rollups over another module's child-table rows: a material's hours booked on tally lines.

A tally's lines name a material; the material sums the lines that point at it while their
tally is approved, counts every such line, and sums the lines dated since its own `since`.
Lines added, edited, moved to another material, removed, their tally approved, set back by
plain SQL or deleted all move the figures; a rebuild finds nothing to change; a reader who
may not read every tally gets them withheld; a wrong table or link is refused at import.
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


def material_pack() -> dict[str, Any]:
    pack = sample_pack()
    labour = module(pack, "labour")
    columns = labour["schema"]["properties"]["items"]["items"]["properties"]
    columns["material"] = {"type": "string", "x-ref": "material"}
    lines = {"module": "labour", "table": "items", "link": "material"}
    material = {
        "id": "material",
        "title": "Material",
        "title_field": "name",
        "schema": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string"},
                "since": {"type": "string", "format": "date"},
                "approved_hours": {
                    "type": "number",
                    "x-scale": 1,
                    "x-rollup": {**lines, "value": "sum(hours)", "where": "$state == 'approved'"},
                },
                "lines": {"type": "integer", "x-rollup": {**lines, "value": "count()"}},
                "recent_cost": {
                    "type": "number",
                    "x-scale": 2,
                    "x-rollup": {
                        **lines,
                        "value": "sum(hours * rate)",
                        "where": "date >= parent.since",
                    },
                },
            },
        },
        "ui": {"list": {"columns": ["name", "approved_hours"]}},
        "permissions": {
            "foreman": {"read": "all"},
            "site_manager": {"read": "all"},
            "viewer": {"read": "all"},
        },
    }
    pack["modules"].append(material)
    pack["reports"].append(
        {
            "id": "hours_by_material",
            "title": "Approved hours by material and month",
            "module": "labour",
            "rows": "items",
            "where": "$state == 'approved'",
            "group_by": ["material", "month(date)"],
            "measures": {"lines": "count()", "hours": "sum(hours)", "cost": "sum(hours * rate)"},
        }
    )
    return pack


def line(material: str | None, hours: str, rate: str = "10") -> dict[str, Any]:
    return {"task": "lay", "hours": hours, "rate": rate, "material": material}


def tally(project: str, lines: list[dict[str, Any]], date: str = "2026-03-02") -> dict[str, Any]:
    data = {"project": project, "date": date, "worker": "Wang", "items": lines}
    long_day = sum(Decimal(row["hours"]) for row in lines) > 8
    return {**data, "overtime_reason": "late pour"} if long_day else data


def figures(session, material_id: str) -> tuple[Any, ...]:
    data = get_record(session, "material", material_id, SYSTEM).data
    return data["approved_hours"], data["lines"], data["recent_cost"]


def approve(session, record_id: str) -> None:
    apply_transition(session, "labour", record_id, "submit", FOREMAN)
    apply_transition(session, "labour", record_id, "approve", SYSTEM)


@pytest.fixture
def site(session):
    import_pack(session, material_pack())
    project = create_record(session, "project", {"code": "P1", "name": "One"}, SYSTEM)
    cement, sand = (
        create_record(session, "material", {"name": n, "since": "2026-03-02"}, SYSTEM)
        for n in ("cement", "sand")
    )
    return project.id, cement.id, sand.id


def test_lines_move_their_materials_figures_on_every_write(session, site):
    project, cement, sand = site
    assert figures(session, cement) == (Decimal("0.0"), 0, Decimal("0.00"))
    lines = [line(cement, "2"), line(cement, "3", "20"), line(sand, "1"), line(None, "4")]
    first = create_record(session, "labour", tally(project, lines), FOREMAN)
    assert figures(session, cement) == (Decimal("0.0"), 2, Decimal("80.00"))
    approve(session, first.id)  # the owning tally enters the `where`
    assert figures(session, cement) == (Decimal("5.0"), 2, Decimal("80.00"))
    assert figures(session, sand) == (Decimal("1.0"), 1, Decimal("10.00"))
    session.execute(text("update m_labour set state = 'draft' where id = :i"), {"i": first.id})
    assert figures(session, cement)[0] == Decimal("0.0")
    record = get_record(session, "labour", first.id, SYSTEM)
    moved = tally(project, [line(sand, "2"), line(sand, "6")], date="2026-03-01")
    update_record(session, "labour", first.id, record.version, moved, SYSTEM)
    assert figures(session, cement) == (Decimal("0.0"), 0, Decimal("0.00"))
    assert figures(session, sand) == (Decimal("0.0"), 2, Decimal("0.00"))  # before `since`
    record = get_record(session, "material", sand, SYSTEM)
    update_record(session, "material", sand, record.version, {"since": "2026-03-01"}, SYSTEM)
    assert figures(session, sand)[2] == Decimal("80.00")  # the parent's own field moved
    delete_record(session, "labour", first.id, SYSTEM)
    assert figures(session, sand) == (Decimal("0.0"), 0, Decimal("0.00"))


def test_a_batch_of_tallies_counts_each_line_once(session, site):
    project, cement, sand = site
    batch = [tally(project, [line(cement, "1"), line(sand, "1")])] * 20
    create_records(session, "labour", batch + [tally(project, [line(cement, "2")])], FOREMAN)
    assert figures(session, cement)[1:] == (21, Decimal("220.00"))
    assert figures(session, sand)[1:] == (20, Decimal("200.00"))


def test_the_figures_are_withheld_from_a_reader_of_some_tallies_only(session, site):
    from tests.engine.people import make_user

    project, cement, _ = site
    approve(
        session, create_record(session, "labour", tally(project, [line(cement, "2")]), FOREMAN).id
    )
    manager = make_user(session, "ann", "site_manager")  # tallies of granted projects only
    assert get_record(session, "material", cement, manager).restricted >= {"approved_hours"}
    viewer = make_user(session, "vic", "viewer")  # reads every tally and its lines
    seen = get_record(session, "material", cement, viewer)
    assert seen.data["approved_hours"] == Decimal("2.0") and not seen.restricted


def test_a_wrong_table_or_link_is_refused_at_import_where_it_is_written(session):
    pack = material_pack()
    fields = module(pack, "material")["schema"]["properties"]
    fields["lines"]["x-rollup"]["table"] = "itmes"
    fields["approved_hours"]["x-rollup"]["link"] = "task"
    fields["recent_cost"]["x-rollup"]["where"] = "project.code == 'P1'"
    with pytest.raises(DefinitionError) as refused:
        import_pack(session, pack)
    found = {(p.path, p.code) for p in refused.value.problems}
    base = "/modules/2/schema/properties"
    assert (f"{base}/lines/x-rollup/table", "rollup_table_unknown") in found
    assert (f"{base}/approved_hours/x-rollup/link", "rollup_row_link_wrong") in found
    assert (f"{base}/recent_cost/x-rollup/where", "unknown_name") in found
    assert session.execute(text("select count(*) from packs")).scalar_one() == 0


def snapshot(session) -> dict[str, tuple[Any, ...]]:
    sql = "select id, approved_hours, lines, recent_cost from m_material"
    return {row[0]: tuple(row[1:]) for row in session.execute(text(sql)).all()}


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["create", "edit", "delete", "approve", "back", "since"]),
        st.integers(0, 50),
        st.lists(st.tuples(st.integers(0, 2), st.integers(0, 12)), max_size=4),
    ),
    min_size=1,
    max_size=10,
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(OPERATIONS)
def test_incremental_figures_equal_rebuilt_ones_after_random_writes(session, site, operations):
    project, cement, sand = site
    for operation, pick, picks in operations:
        materials = [cement, sand, None]
        lines = [line(materials[m], str(h)) for m, h in picks]
        apply_random(session, operation, pick, tally(project, lines, f"2026-03-0{1 + pick % 3}"))
        kept = snapshot(session)
        rebuild_rollups(session)
        assert snapshot(session) == kept, operation


def apply_random(session, operation: str, pick: int, data: dict[str, Any]) -> None:
    ids = [r[0] for r in session.execute(text("select id from m_labour order by id")).all()]
    target = ids[pick % len(ids)] if ids else None
    if operation == "create" or target is None:
        create_record(session, "labour", data, FOREMAN)
    elif operation == "edit":
        record = get_record(session, "labour", target, SYSTEM)
        if record.state == "draft":
            update_record(session, "labour", target, record.version, data, SYSTEM)
    elif operation == "delete":
        delete_record(session, "labour", target, SYSTEM)
    elif operation == "approve":
        if get_record(session, "labour", target, SYSTEM).state == "draft":
            approve(session, target)
    elif operation == "back":
        session.execute(text("update m_labour set state = 'draft' where id = :i"), {"i": target})
    else:
        material = session.execute(text("select id, version from m_material")).all()[pick % 2]
        since = {"since": data["date"]}
        update_record(session, "material", material[0], material[1], since, SYSTEM)


def test_a_report_groups_and_measures_the_lines_of_the_tallies_a_reader_may_read(session, site):
    from engine.accounts import add_grant
    from engine.reports import run_report
    from tests.engine.people import make_user

    project, cement, sand = site
    other = create_record(session, "project", {"code": "P2", "name": "Two"}, SYSTEM).id
    march = [line(cement, "2"), line(cement, "3", "20"), line(sand, "1"), line(None, "1")]
    approve(session, create_record(session, "labour", tally(project, march), FOREMAN).id)
    april = tally(other, [line(cement, "4")], date="2026-04-01")
    approve(session, create_record(session, "labour", april, FOREMAN).id)
    create_record(session, "labour", tally(project, [line(cement, "7")]), FOREMAN)  # a draft
    result = run_report(session, "hours_by_material", SYSTEM)
    assert result.columns == ["material", "month", "lines", "hours", "cost"]
    got = {(r["material"], r["month"]): (r["lines"], r["hours"], r["cost"]) for r in result.rows}
    assert got == {
        (None, "2026-03"): (1, Decimal("1.0"), Decimal("10.00")),
        (cement, "2026-03"): (2, Decimal("5.0"), Decimal("80.00")),
        (cement, "2026-04"): (1, Decimal("4.0"), Decimal("40.00")),
        (sand, "2026-03"): (1, Decimal("1.0"), Decimal("10.00")),
    }
    manager = make_user(session, "ann", "site_manager")
    add_grant(session, "ann", "project", other)  # reads P2's tallies only
    rows = run_report(session, "hours_by_material", manager).rows
    assert [(r["material"], r["month"], r["hours"]) for r in rows] == [
        (cement, "2026-04", Decimal("4.0"))
    ]


def test_a_report_over_rows_that_are_not_a_child_table_is_refused(session):
    pack = material_pack()
    pack["reports"][-1]["rows"] = "worker"
    pack["reports"][-1]["measures"]["hours"] = {"value": "sum(hours)", "compare": "previous"}
    with pytest.raises(DefinitionError) as refused:
        import_pack(session, pack)
    found = {(p.path, p.code) for p in refused.value.problems}
    assert ("/reports/1/rows", "report_rows_unknown") in found
    assert ("/reports/1/measures/hours/compare", "report_rows_over_time") in found
