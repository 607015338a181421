"""Packs: install, idempotent re-import, dry run, upgrades that alter tables, refusals, export."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import inspect, text

from engine.actor import SYSTEM
from engine.errors import DefinitionError, UpgradeRefused
from engine.packs import export_pack, import_pack, list_packs
from engine.records import create_record, get_record, list_records
from tests.engine.sample_pack import module, sample_pack


def tables(session):
    return set(inspect(session.connection()).get_table_names())


def columns(session, table):
    return {c["name"]: c for c in inspect(session.connection()).get_columns(table)}


def indexes(session, table):
    return {
        ix["name"]: ix["column_names"] for ix in inspect(session.connection()).get_indexes(table)
    }


def test_install_creates_typed_tables_and_indexes(session):
    report = import_pack(session, sample_pack())
    assert report.action == "installed"
    assert {"m_project", "m_labour", "m_labour__items"} <= tables(session)
    labour = columns(session, "m_labour")
    assert {
        "id",
        "number",
        "state",
        "owner",
        "version",
        "module_version",
        "project",
        "date",
        "hours",
        "amount",
    } <= set(labour)
    assert "actual" in columns(session, "m_project")  # rollups are stored, kept current
    assert "items" not in labour
    ix = indexes(session, "m_labour")
    assert ["date", "hours", "amount"] in ix.values()  # filter + covering totals
    assert ["project", "state", "amount"] in ix.values()  # the project rollup reads this index only
    assert [p.id for p in list_packs(session)] == ["site"]


def test_same_pack_twice_changes_nothing(session):
    import_pack(session, sample_pack())
    before = session.execute(text("select updated_at from packs")).scalar_one()
    report = import_pack(session, sample_pack())
    assert report.action == "unchanged"
    assert session.execute(text("select updated_at from packs")).scalar_one() == before


def test_export_round_trip(session):
    import_pack(session, sample_pack())
    exported = export_pack(session, "site")
    assert exported == sample_pack()
    assert import_pack(session, copy.deepcopy(exported)).action == "unchanged"


def upgraded(**changes):
    pack = sample_pack(version="1.1.0")
    labour = module(pack, "labour")
    for key, value in changes.items():
        if key == "add_field":
            labour["schema"]["properties"].update(value)
        elif key == "required":
            labour["schema"]["required"].append(value)
        elif key == "remove_state":
            del labour["workflow"]["states"][value]
            labour["workflow"]["transitions"] = [  # what left the state now leaves draft
                {**t, "from": "draft" if t["from"] == value else t["from"]}
                for t in labour["workflow"]["transitions"]
                if t["to"] != value
            ]
        elif key == "migrate":
            labour["migrate"] = value
        elif key == "retype":
            labour["schema"]["properties"][value[0]] = value[1]
    return pack


def seed_one(session):
    project = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
    return create_record(
        session,
        "labour",
        {
            "project": project.id,
            "date": "2026-11-01",
            "worker": "Lee",
            "items": [{"task": "t", "hours": 1, "rate": 1}],
        },
        SYSTEM,
    )


def test_dry_run_shows_changes_and_ddl_without_writing(session):
    import_pack(session, sample_pack())
    seed_one(session)
    pack = upgraded(add_field={"shift": {"enum": ["day", "night"]}})
    report = import_pack(session, pack, dry_run=True)
    assert report.dry_run and report.action == "upgraded"
    assert "+ module labour: field shift" in report.changes
    assert "add column m_labour.shift" in report.ddl
    assert "shift" not in columns(session, "m_labour")
    assert session.execute(text("select version from packs")).scalar_one() == "1.0.0"


def test_upgrade_adds_column_and_records_keep_data(session):
    import_pack(session, sample_pack())
    record = seed_one(session)
    report = import_pack(
        session, upgraded(add_field={"shift": {"enum": ["day", "night"], "default": "day"}})
    )
    assert report.action == "upgraded"
    assert "shift" in columns(session, "m_labour")
    kept = get_record(session, "labour", record.id, SYSTEM)
    assert kept.data["worker"] == "Lee" and kept.module_version == "1.0.0"
    new = create_record(
        session,
        "labour",
        {"project": kept.data["project"], "date": "2026-11-02", "worker": "Wu"},
        SYSTEM,
    )
    assert new.data["shift"] == "day" and new.module_version == "1.1.0"


def test_upgrade_refuses_new_required_field_without_default(session):
    import_pack(session, sample_pack())
    seed_one(session)
    pack = upgraded(add_field={"shift": {"enum": ["day", "night"]}}, required="shift")
    with pytest.raises(UpgradeRefused) as caught:
        import_pack(session, pack)
    assert "1 records" in str(caught.value)
    assert "shift" not in columns(session, "m_labour")
    pack = upgraded(
        add_field={"shift": {"enum": ["day", "night"]}},
        required="shift",
        migrate={"defaults": {"shift": "day"}},
    )
    report = import_pack(session, pack)
    assert report.migrated == ["labour: 1 records get shift = 'day'"]
    assert session.execute(text("select shift from m_labour")).scalar_one() == "day"


def test_upgrade_refuses_removing_a_state_in_use_unless_mapped(session):
    import_pack(session, sample_pack())
    record = seed_one(session)
    session.execute(text("update m_labour set state = 'submitted'"))
    with pytest.raises(UpgradeRefused) as caught:
        import_pack(session, upgraded(remove_state="submitted"))
    assert f"state 'submitted' is removed but 1 records are in it ({record.number})" in str(
        caught.value
    )
    import_pack(
        session, upgraded(remove_state="submitted", migrate={"states": {"submitted": "draft"}})
    )
    assert get_record(session, "labour", record.id, SYSTEM).state == "draft"


def test_upgrade_refuses_type_change_of_used_field(session):
    import_pack(session, sample_pack())
    seed_one(session)
    with pytest.raises(UpgradeRefused) as caught:
        import_pack(session, upgraded(retype=("date", {"type": "integer"})))
    assert "1 records hold a value" in str(caught.value)
    assert list_records(session, "labour", SYSTEM).total == 1


def test_malformed_pack_lists_every_problem_and_writes_nothing(session):
    pack = sample_pack()
    pack["id"] = "Bad Id"
    module(pack, "labour")["workflow"]["transitions"][0]["to"] = "nowhere"
    with pytest.raises(DefinitionError) as caught:
        import_pack(session, pack)
    assert "/id" in {p.path for p in caught.value.problems}
    assert not {"m_project", "m_labour"} & tables(session)
    with pytest.raises(DefinitionError) as caught:
        import_pack(session, '{"format": "formwork.pack/1", "id": ')
    assert "not valid JSON" in str(caught.value)


def test_semantic_problems_are_all_reported(session):
    pack = sample_pack()
    labour = module(pack, "labour")
    labour["workflow"]["transitions"][0]["to"] = "nowhere"
    labour["schema"]["properties"]["amount"]["x-formula"] = "hours * wage"
    labour["schema"]["properties"]["state"] = {"type": "string"}
    with pytest.raises(DefinitionError) as caught:
        import_pack(session, pack)
    paths = {p.path for p in caught.value.problems}
    assert "/modules/1/workflow/transitions/0/to" in paths
    assert "/modules/1/schema/properties/amount/x-formula" in paths
    assert "/modules/1/schema/properties/state" in paths
    assert not {"m_project", "m_labour"} & tables(session)


def test_same_version_with_other_content_is_refused(session):
    import_pack(session, sample_pack())
    pack = sample_pack(title="Changed")
    with pytest.raises(DefinitionError) as caught:
        import_pack(session, pack)
    assert caught.value.problems[0].path == "/version"


def test_dry_run_names_the_records_a_state_mapping_moves(session):
    import_pack(session, sample_pack())
    record = seed_one(session)
    session.execute(text("update m_labour set state = 'submitted'"))
    pack = upgraded(remove_state="submitted", migrate={"states": {"submitted": "draft"}})
    report = import_pack(session, pack, dry_run=True)
    assert report.migrated == [
        f"labour: 1 records would move from state submitted to draft: {record.number}"
    ]
    assert get_record(session, "labour", record.id, SYSTEM).state == "submitted"
