"""Records: what a foreman filling a labour tally and a manager checking it would see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import text

from engine.actor import SYSTEM, actor
from engine.audit import record_history
from engine.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from engine.packs import import_pack
from engine.records import create_record, delete_record, get_record, update_record
from tests.engine.sample_pack import sample_pack

FOREMAN = actor("lee", "foreman")
OTHER_FOREMAN = actor("wang", "foreman")
MANAGER = actor("zhao", "site_manager", "foreman")


@pytest.fixture
def site(session):
    import_pack(session, sample_pack())
    project = create_record(session, "project", {"code": "P1", "name": "Riverside Tower"}, SYSTEM)
    return project


def tally(project_id: str, **extra):
    data = {
        "project": project_id,
        "date": "2026-11-02",
        "worker": "Lee Wei",
        "trade": "rebar",
        "items": [
            {"task": "tie bars", "hours": "4.5", "rate": "40.00"},
            {"task": "lift", "hours": 3, "rate": 42},
        ],
    }
    data.update(extra)
    return data


def test_create_computes_formulas_numbers_and_history(session, site):
    record = create_record(session, "labour", tally(site.id), FOREMAN)
    assert record.number == f"LT-{dt.date.today():%Y%m}-0001"
    assert record.state == "draft"
    assert record.owner == "lee"
    assert record.version == 1
    assert [row["amount"] for row in record.data["items"]] == [Decimal("180.00"), Decimal("126.00")]
    assert record.data["hours"] == Decimal("7.5")
    assert record.data["amount"] == Decimal("306.00")
    assert record.data["date"] == dt.date(2026, 11, 2)
    second = create_record(session, "labour", tally(site.id), FOREMAN)
    assert second.number.endswith("-0002")
    history = record_history(session, "labour", record.id)
    assert [h.action for h in history] == ["create"]
    changed = {c["field"]: c["new"] for c in history[0].changes}
    assert changed["amount"] == "306.00"
    assert history[0].module_version == "1.0.0"


def test_decimals_are_stored_exactly(session, site, backend):
    create_record(
        session,
        "labour",
        tally(site.id, items=[{"task": "a", "hours": "0.1", "rate": "0.10"}]),
        FOREMAN,
    )
    create_record(
        session,
        "labour",
        tally(site.id, items=[{"task": "b", "hours": "0.2", "rate": "0.20"}]),
        FOREMAN,
    )
    total = session.execute(text("select sum(amount) from m_labour")).scalar_one()
    if backend == "sqlite":
        assert total == 5  # scaled integers: 0.01 + 0.04 = 0.05
    else:
        assert total == Decimal("0.05")


def test_show_if_field_is_not_stored_when_hidden(session, site):
    record = create_record(session, "labour", tally(site.id, overtime_reason="storm"), FOREMAN)
    assert record.data["overtime_reason"] is None
    long_day = tally(
        site.id, items=[{"task": "pour", "hours": 10, "rate": 40}], overtime_reason="pour finish"
    )
    record = create_record(session, "labour", long_day, FOREMAN)
    assert record.data["overtime_reason"] == "pour finish"


def test_required_if_and_required_errors_are_located(session, site):
    with pytest.raises(ValidationFailed) as caught:
        create_record(
            session,
            "labour",
            {
                "project": site.id,
                "items": [{"task": "pour", "hours": 10, "rate": 40}, {"task": "x"}],
            },
            FOREMAN,
        )
    paths = {p.path for p in caught.value.problems}
    assert {"/date", "/worker", "/overtime_reason", "/items/1/hours", "/items/1/rate"} <= paths


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"items": [{"task": "a", "hours": "1.25", "rate": 1}]}, "/items/0/hours"),
        ({"items": [{"task": "a", "hours": 25, "rate": 1}]}, "/items/0/hours"),
        ({"date": "2026-13-45"}, "/date"),
        ({"trade": "painting"}, "/trade"),
        ({"tags": ["night", "night"]}, "/tags"),
        ({"worker": 12}, "/worker"),
        ({"checked": "perhaps"}, "/checked"),
        ({"state": "approved"}, "/state"),
        ({"owner": "boss"}, "/owner"),
        ({"amount": 1}, "/amount"),
        ({"items": [{"task": "a", "hours": 1, "rate": 1, "amount": 99}]}, "/items/0/amount"),
        ({"salary": 1}, "/salary"),
        ({"project": "no-such-project"}, "/project"),
    ],
)
def test_bad_input_is_refused_by_path_and_nothing_written(session, site, data, path):
    with pytest.raises(ValidationFailed) as caught:
        create_record(session, "labour", tally(site.id, **data), FOREMAN)
    assert path in {p.path for p in caught.value.problems}, caught.value.problems
    assert session.execute(text("select count(*) from m_labour")).scalar_one() == 0
    assert session.execute(text("select count(*) from m_labour__items")).scalar_one() == 0


def test_update_with_stale_version_conflicts_and_history_has_old_and_new(session, site):
    record = create_record(session, "labour", tally(site.id), FOREMAN)
    updated = update_record(
        session,
        "labour",
        record.id,
        1,
        {"worker": "Lee Wei Jr", "items": [{"task": "x", "hours": 2, "rate": 50}]},
        FOREMAN,
    )
    assert updated.version == 2
    assert updated.data["amount"] == Decimal("100.00")
    assert len(updated.data["items"]) == 1
    with pytest.raises(Conflict):
        update_record(session, "labour", record.id, 1, {"worker": "late"}, FOREMAN)
    assert get_record(session, "labour", record.id, FOREMAN).data["worker"] == "Lee Wei Jr"
    entry = record_history(session, "labour", record.id)[-1]
    assert entry.action == "update"
    changes = {c["field"]: (c["old"], c["new"]) for c in entry.changes}
    assert changes["worker"] == ("Lee Wei", "Lee Wei Jr")
    assert changes["amount"] == ("306.00", "100.00")


def test_owner_rules_and_delete(session, site):
    record = create_record(session, "labour", tally(site.id), FOREMAN)
    with pytest.raises(NotFound):
        get_record(session, "labour", record.id, OTHER_FOREMAN)
    with pytest.raises(NotFound):
        update_record(session, "labour", record.id, 1, {"worker": "x"}, OTHER_FOREMAN)
    with pytest.raises(PermissionDenied):
        create_record(session, "labour", tally(site.id), actor("v", "viewer"))
    delete_record(session, "labour", record.id, FOREMAN)
    with pytest.raises(NotFound):
        get_record(session, "labour", record.id, FOREMAN)
    assert session.execute(text("select count(*) from m_labour__items")).scalar_one() == 0
    assert [h.action for h in record_history(session, "labour", record.id)] == ["create", "delete"]


def test_hidden_field_is_masked_for_viewer(session, site):
    record = create_record(session, "labour", tally(site.id), FOREMAN)
    seen = get_record(session, "labour", record.id, actor("v", "viewer"))
    assert "amount" not in seen.data
    assert seen.data["hours"] == Decimal("7.5")


def test_rollups_are_current(session, site):
    first = create_record(session, "labour", tally(site.id), FOREMAN)
    create_record(session, "labour", tally(site.id), FOREMAN)
    project = get_record(session, "project", site.id, SYSTEM)
    assert project.data["actual"] == Decimal("0.00")
    assert project.data["tally_count"] == 2
    session.execute(text("update m_labour set state = 'approved' where id = :id"), {"id": first.id})
    project = get_record(session, "project", site.id, SYSTEM)
    assert project.data["actual"] == Decimal("306.00")


def test_unknown_module_and_record(session, site):
    with pytest.raises(NotFound):
        get_record(session, "nothing", "x", SYSTEM)
    with pytest.raises(NotFound):
        get_record(session, "labour", "missing", SYSTEM)


def test_formulas_and_guards_read_through_links(session):
    pack = sample_pack()
    labour = pack["modules"][1]
    labour["schema"]["properties"]["site_code"] = {
        "type": "string",
        "x-formula": "concat(project.code, '/', worker)",
    }
    labour["schema"]["properties"]["permit"] = {"type": "string"}
    labour["ui"]["required_if"]["permit"] = "project.budget > 1000000"
    import_pack(session, pack)
    small = create_record(
        session, "project", {"code": "S1", "name": "Shed", "budget": 5000}, SYSTEM
    )
    big = create_record(
        session, "project", {"code": "T9", "name": "Tower", "budget": 9000000}, SYSTEM
    )
    record = create_record(session, "labour", tally(small.id), FOREMAN)
    assert record.data["site_code"] == "S1/Lee Wei"
    assert record.data["project"] == small.id  # the stored link stays the id
    with pytest.raises(ValidationFailed) as caught:
        create_record(session, "labour", tally(big.id), FOREMAN)
    assert [p.path for p in caught.value.problems] == ["/permit"]
    moved = update_record(
        session, "labour", record.id, 1, {"project": big.id, "permit": "P-7"}, FOREMAN
    )
    assert moved.data["site_code"] == "T9/Lee Wei"


def test_malformed_and_missing_fields_are_reported_together(session, site):
    with pytest.raises(ValidationFailed) as caught:
        create_record(session, "labour", {"project": site.id, "date": "not a date"}, FOREMAN)
    assert {p.path for p in caught.value.problems} == {"/date", "/worker"}
