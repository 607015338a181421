"""Unique fields and combinations: refused at the field on every write path, held by the index."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from engine.actor import SYSTEM
from engine.catalog import load_catalog
from engine.db import transaction
from engine.errors import BatchFailed, DefinitionError, UpgradeRefused, ValidationFailed
from engine.packs import import_pack
from engine.records import create_record, get_record, update_record
from engine.records.service import create_records
from engine.workflow import apply_transition
from tests.engine.people import make_user
from tests.engine.unique_pack import unique_pack


def _count(session, module: str) -> int:
    return session.execute(text(f"SELECT count(*) FROM m_{module}")).scalar_one()


@pytest.fixture
def stores(session):
    import_pack(session, unique_pack())
    return session


def _codes(exc) -> list[tuple[str, str, object]]:
    return [(p.path, p.code, p.params.get("record")) for p in exc.problems]


def test_a_taken_code_is_refused_at_the_field_naming_the_record(stores) -> None:
    keeper = make_user(stores, "kim", "keeper")
    first = create_record(stores, "site", {"code": "N1", "name": "North"}, keeper)
    with pytest.raises(ValidationFailed) as caught:
        create_record(stores, "site", {"code": "N1", "name": "Other"}, keeper)
    assert _codes(caught.value) == [("/code", "not_unique", first.number)]
    assert "'N1' is already used by S-001" in caught.value.problems[0].message
    assert _count(stores, "site") == 1


def test_empty_values_never_collide(stores) -> None:
    keeper = make_user(stores, "kim", "keeper")
    create_records(stores, "site", [{"name": "A"}, {"name": "B"}, {"name": "C"}], keeper)
    assert _count(stores, "site") == 3


def test_a_record_the_writer_may_not_read_is_not_named(stores) -> None:
    create_record(
        stores, "site", {"code": "N1", "name": "North"}, make_user(stores, "ann", "clerk")
    )
    bob = make_user(stores, "bob", "clerk")  # reads only his own sites
    with pytest.raises(ValidationFailed) as caught:
        create_record(stores, "site", {"code": "N1", "name": "Mine"}, bob)
    assert _codes(caught.value) == [("/code", "not_unique", None)]
    assert "S-001" not in caught.value.problems[0].message


def test_a_combination_is_unique_but_each_part_alone_is_not(stores) -> None:
    keeper = make_user(stores, "kim", "keeper")
    north, south = create_records(
        stores, "site", [{"code": "N", "name": "N"}, {"code": "S", "name": "S"}], keeper
    )
    steel, sand = create_records(stores, "material", [{"name": "steel"}, {"name": "sand"}], keeper)
    taken = create_record(stores, "stock", {"site": north, "material": steel}, keeper)
    create_record(stores, "stock", {"site": north, "material": sand}, keeper)
    create_record(stores, "stock", {"site": south, "material": steel}, keeper)
    with pytest.raises(ValidationFailed) as caught:
        create_record(stores, "stock", {"site": north, "material": steel, "qty": 3}, keeper)
    assert _codes(caught.value) == [("/material", "not_unique", taken.number)]
    assert caught.value.problems[0].params["fields"] == "site, material"
    assert _count(stores, "stock") == 3


def test_a_batch_repeating_a_value_is_refused_whole(stores) -> None:
    keeper = make_user(stores, "kim", "keeper")
    items = [{"code": "A", "name": "a"}, {"code": "B", "name": "b"}, {"code": "A", "name": "c"}]
    with pytest.raises(BatchFailed) as caught:
        create_records(stores, "site", items, keeper)
    assert [(i, p.path, p.code) for i, p in caught.value.items] == [(2, "/code", "not_unique")]
    assert _count(stores, "site") == 0


def test_an_update_may_keep_its_own_value_but_not_take_another(stores) -> None:
    keeper = make_user(stores, "kim", "keeper")
    create_record(stores, "site", {"code": "N1", "name": "North"}, keeper)
    south = create_record(stores, "site", {"code": "S1", "name": "South"}, keeper)
    renamed = update_record(stores, "site", south.id, 1, {"name": "South yard"}, keeper)
    assert renamed.data["code"] == "S1" and renamed.version == 2
    with pytest.raises(ValidationFailed) as caught:
        update_record(stores, "site", south.id, 2, {"code": "N1"}, keeper)
    assert _codes(caught.value) == [("/code", "not_unique", "S-001")]


def test_the_table_itself_refuses_a_duplicate(stores) -> None:
    keeper = make_user(stores, "kim", "keeper")
    create_record(stores, "site", {"code": "N1", "name": "North"}, keeper)
    table = load_catalog(stores).tables["site"].main
    row = {"number": "X", "version": 1, "created_at": func.now(), "updated_at": func.now()}
    with pytest.raises(IntegrityError), stores.begin_nested():
        stores.execute(insert(table).values(id="x" * 32, code="N1", name="raw", **row))


def test_two_writers_at_once_one_wins_the_other_reads_not_unique(session_factory) -> None:
    """The second writer checks before the first commits; the index decides, coded."""
    with transaction(session_factory) as session:
        import_pack(session, unique_pack())
        make_user(session, "kim", "keeper")
        make_user(session, "lou", "keeper")
    outcome: list[object] = []

    def second() -> None:
        try:
            with transaction(session_factory) as session:
                create_record(
                    session, "site", {"code": "R1", "name": "late"}, _actor(session, "lou")
                )
            outcome.append("created")
        except ValidationFailed as exc:
            outcome.append(_codes(exc))

    with transaction(session_factory) as first:
        create_record(first, "site", {"code": "R1", "name": "early"}, _actor(first, "kim"))
        racer = threading.Thread(target=second)
        racer.start()
        time.sleep(0.5)  # the second writer is now waiting on the first
    racer.join(timeout=60)
    assert outcome == [[("/code", "not_unique", "S-001")]]
    with transaction(session_factory) as session:
        names = session.execute(text("SELECT name FROM m_site")).scalars().all()
    assert names == ["early"]


def _actor(session, name):
    from engine.accounts import actor_of
    from engine.models import User

    return actor_of(session.scalars(select(User).where(User.name == name)).one())


def test_an_upgrade_adding_a_uniqueness_records_break_is_refused_naming_them(session) -> None:
    pack = unique_pack()
    site = pack["modules"][0]
    del site["schema"]["properties"]["code"]["unique"]
    import_pack(session, pack)
    create_records(
        session,
        "site",
        [{"code": "D", "name": "a"}, {"code": "D", "name": "b"}, {"code": "E", "name": "c"}],
        SYSTEM,
    )
    with pytest.raises(UpgradeRefused) as caught:
        import_pack(session, unique_pack(version="1.1.0"))
    (problem,) = caught.value.problems
    assert (problem.path, problem.code) == (
        "/modules/0/schema/properties/code/unique",
        "unique_violated_by_records",
    )
    assert problem.params["count"] == 1
    assert problem.params["values"] == "'D' (S-001, S-002)"
    indexes = session.execute(text("SELECT count(*) FROM m_site WHERE code = 'D'")).scalar_one()
    assert indexes == 2
    create_record(session, "site", {"code": "D", "name": "still allowed"}, SYSTEM)


def test_uniqueness_on_what_no_index_can_hold_is_refused_at_import(session) -> None:
    pack = unique_pack()
    stock = pack["modules"][2]
    stock["schema"]["properties"]["lines"] = {
        "type": "array",
        "items": {"type": "object", "properties": {"n": {"type": "integer", "unique": True}}},
    }
    stock["schema"]["properties"]["done"] = {"type": "boolean", "unique": True}
    stock["unique"] = [["site", "matrial"]]
    with pytest.raises(DefinitionError) as caught:
        import_pack(session, pack)
    found = {(p.path, p.code) for p in caught.value.problems}
    assert found == {
        ("/modules/2/schema/properties/lines/items/properties/n/unique", "unique_not_storable"),
        ("/modules/2/schema/properties/done/unique", "unique_not_storable"),
        ("/modules/2/unique/0/1", "unique_not_a_field"),
    }
    assert "did you mean 'material'" in " ".join(p.message for p in caught.value.problems)


def test_a_transition_setting_a_taken_value_is_refused_and_leaves_the_record(session) -> None:
    pack = unique_pack()
    site = pack["modules"][0]
    site["workflow"] = {
        "initial": "open",
        "states": {"open": {"title": "Open"}, "merged": {"title": "Merged"}},
        "transitions": [
            {"id": "merge", "from": "open", "to": "merged", "roles": ["keeper"],
             "set": {"code": "'MAIN'"}},
        ],
    }  # fmt: skip
    import_pack(session, pack)
    keeper = make_user(session, "kim", "keeper")
    create_record(session, "site", {"code": "MAIN", "name": "Main yard"}, keeper)
    annex = create_record(session, "site", {"code": "ANX", "name": "Annex"}, keeper)
    with pytest.raises(ValidationFailed) as caught:
        apply_transition(session, "site", annex.id, "merge", keeper)
    assert _codes(caught.value) == [("/code", "not_unique", "S-001")]
    kept = get_record(session, "site", annex.id, keeper)
    assert (kept.state, kept.data["code"], kept.version) == ("open", "ANX", 1)


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ({"type": "number", "x-scale": 2}, "12.50"),
        ({"type": "integer"}, 7),
        ({"type": "string", "format": "date"}, "2026-03-01"),
        ({"type": "string", "format": "date-time"}, "2026-03-01T08:00:00+08:00"),
        ({"enum": ["a", "b"]}, "a"),
        ({"type": "string", "x-user": True}, "kim"),
    ],
)
def test_each_kind_that_can_be_unique_is_refused_as_not_unique(session, schema, value) -> None:
    pack = unique_pack()
    pack["modules"][0]["schema"]["properties"]["v"] = {**schema, "unique": True}
    import_pack(session, pack)
    keeper = make_user(session, "kim", "keeper")
    create_record(session, "site", {"name": "a", "v": value}, keeper)
    with pytest.raises(ValidationFailed) as caught:
        create_record(session, "site", {"name": "b", "v": value}, keeper)
    assert _codes(caught.value) == [("/v", "not_unique", "S-001")]


def test_a_write_that_slips_past_the_check_meets_the_index_and_reads_not_unique(
    stores, monkeypatch
) -> None:
    """What a racing writer sees on PostgreSQL, made certain: the look-up before the write
    finds nothing, the UNIQUE index refuses the row, and the answer is still the coded
    problem naming the holder, with the transaction still usable."""
    keeper = make_user(stores, "kim", "keeper")
    holder = create_record(stores, "site", {"code": "N1", "name": "North"}, keeper)
    other = create_record(stores, "site", {"code": "S1", "name": "South"}, keeper)
    monkeypatch.setattr("engine.records.checks.unique_problems", lambda *args: [])
    with pytest.raises(ValidationFailed) as created:
        create_record(stores, "site", {"code": "N1", "name": "Late"}, keeper)
    with pytest.raises(ValidationFailed) as updated:
        update_record(stores, "site", other.id, 1, {"code": "N1"}, keeper)
    assert (
        _codes(created.value) == _codes(updated.value) == [("/code", "not_unique", holder.number)]
    )
    assert sorted(stores.execute(text("SELECT code FROM m_site")).scalars()) == ["N1", "S1"]
