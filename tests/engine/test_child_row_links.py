"""A link to one child row of another record: a fix points at item 2 of an audit.

The audit's items carry a key of their own (`x-row-key`), so the link survives the rewrite
of the rows on every save; the fix names its audit once and the item by its key (`x-row`).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from engine.actor import SYSTEM
from engine.definitions.loader import load_pack
from engine.errors import BatchFailed, DefinitionError, ValidationFailed
from engine.packs import import_pack
from engine.records import create_record, delete_record, get_record, list_records, update_record
from engine.records.service import create_records
from engine.workflow import apply_transition
from tests.engine.people import make_user
from tests.engine.row_link_pack import AUDIT, FIX, row_link_pack

ITEMS = [
    {"no": 1, "text": "Rail missing", "severity": "major", "days": 1},
    {"no": 2, "text": "Box unlocked", "severity": "minor", "days": 3},
]


@pytest.fixture
def world(session: Any) -> dict[str, Any]:
    import_pack(session, row_link_pack())
    auditor = make_user(session, "zhao", "auditor")
    fixer = make_user(session, "lee", "fixer")
    audit = create_record(
        session, "audit", {"area": "Block 1", "date": "2026-11-03", "items": ITEMS}, auditor
    )
    return {"auditor": auditor, "fixer": fixer, "audit": audit}


def _problems(exc: pytest.ExceptionInfo[Any]) -> set[tuple[str, str]]:
    return {(p.path, p.code) for p in exc.value.problems}


def test_a_fix_reads_its_item_and_shows_number_key_and_title(session, world) -> None:
    fix = create_record(session, "fix", {"audit": world["audit"].id, "item": 2}, world["auditor"])
    stored = get_record(session, "fix", fix.id, world["auditor"])
    assert stored.titles["item"] == "AUD-0001 · 2 · Box unlocked"
    assert stored.data["severity"] == "minor"  # item.severity
    assert stored.data["due"] == dt.date(2026, 11, 6)  # audit.date + item.days
    (listed,) = list_records(session, "fix", world["auditor"]).items
    assert listed.titles["item"] == "AUD-0001 · 2 · Box unlocked"


def test_rows_keep_their_identity_when_the_audit_is_edited(session, world) -> None:
    auditor, audit = world["auditor"], world["audit"]
    fix = create_record(session, "fix", {"audit": audit.id, "item": 2}, auditor)
    reordered = [{**ITEMS[1], "text": "Box unlocked again"}, ITEMS[0], {"no": 7, "text": "New"}]
    update_record(session, "audit", audit.id, audit.version, {"items": reordered}, auditor)
    stored = get_record(session, "fix", fix.id, auditor)
    assert stored.titles["item"] == "AUD-0001 · 2 · Box unlocked again"


def test_row_keys_are_required_and_unique_within_a_record(session, world) -> None:
    items = [{"no": 1, "text": "a"}, {"no": 1, "text": "b"}, {"text": "c"}]
    with pytest.raises(ValidationFailed) as refused:
        create_record(session, "audit", {"area": "Block 2", "items": items}, world["auditor"])
    assert _problems(refused) == {("/items/1/no", "row_key_twice"), ("/items/2/no", "required")}
    other = create_record(session, "audit", {"area": "Block 2", "items": ITEMS}, world["auditor"])
    assert other.number == "AUD-0002"  # the same keys in another record are fine


def test_a_fix_must_name_an_existing_row_on_every_write_path(session, world) -> None:
    auditor, audit = world["auditor"], world["audit"]
    with pytest.raises(ValidationFailed) as refused:
        create_record(session, "fix", {"audit": audit.id, "item": 5}, auditor)
    assert _problems(refused) == {("/item", "no_linked_row")}
    assert refused.value.problems[0].params == {"record": "AUD-0001", "value": 5, "table": "items"}
    with pytest.raises(BatchFailed) as batch:
        items = [{"audit": audit.id, "item": 1}, {"item": 2}, {"audit": audit.id, "item": 8}]
        create_records(session, "fix", items, auditor)
    assert [(i, p.path, p.code) for i, p in batch.value.items] == [
        (1, "/item", "row_needs_record"),
        (2, "/item", "no_linked_row"),
    ]
    fix = create_record(session, "fix", {"audit": audit.id, "item": 1}, auditor)
    with pytest.raises(ValidationFailed) as updated:
        update_record(session, "fix", fix.id, fix.version, {"item": 3}, auditor)
    assert _problems(updated) == {("/item", "no_linked_row")}
    with pytest.raises(ValidationFailed) as moved:  # a transition's `set` too
        apply_transition(session, "fix", fix.id, "move", auditor)
    assert _problems(moved) == {("/item", "no_linked_row")}
    assert get_record(session, "fix", fix.id, auditor).state == "open"


def test_a_row_a_fix_points_at_cannot_be_removed_or_rekeyed(session, world) -> None:
    auditor, audit = world["auditor"], world["audit"]
    fix = create_record(session, "fix", {"audit": audit.id, "item": 2}, auditor)
    for items in ([ITEMS[0]], [ITEMS[0], {**ITEMS[1], "no": 3}]):
        with pytest.raises(ValidationFailed) as refused:
            update_record(session, "audit", audit.id, audit.version, {"items": items}, auditor)
        (problem,) = refused.value.problems
        assert (problem.path, problem.code) == ("/items", "row_still_named")
        assert problem.params == {"keys": "2", "table": "items", "records": fix.number}
    with pytest.raises(ValidationFailed) as deleting:
        delete_record(session, "audit", audit.id, auditor)
    assert _problems(deleting) == {("/items", "row_still_named")}
    kept = update_record(session, "audit", audit.id, audit.version, {"items": [ITEMS[1]]}, auditor)
    assert [row["no"] for row in kept.data["items"]] == [2]  # item 1, named by none, goes
    delete_record(session, "fix", fix.id, auditor)
    delete_record(session, "audit", audit.id, auditor)


def test_a_reader_who_may_not_read_the_audit_sees_no_row_content(session, world) -> None:
    fix = create_record(session, "fix", {"audit": world["audit"].id, "item": 2}, world["auditor"])
    stored = get_record(session, "fix", fix.id, world["fixer"])
    assert stored.data["item"] == 2 and "item" not in stored.titles and "audit" not in stored.titles
    (listed,) = list_records(session, "fix", world["fixer"]).items
    assert "item" not in listed.titles
    with pytest.raises(ValidationFailed) as refused:  # nor point at it: no number revealed
        create_record(session, "fix", {"audit": world["audit"].id, "item": 9}, world["fixer"])
    assert _problems(refused) == {("/audit", "no_linked_record")}


def _checked(changes: dict[str, Any], fix: dict[str, Any] | None = None) -> set[tuple[str, str]]:
    audit = copy.deepcopy(AUDIT)
    audit["schema"]["properties"]["items"].update(changes)
    other = copy.deepcopy(FIX)
    other["schema"]["properties"]["item"].update(fix or {})
    with pytest.raises(DefinitionError) as refused:
        load_pack(row_link_pack(modules=[audit, other]))
    return {(p.path, p.code) for p in refused.value.problems}


ITEMS_AT = "/modules/0/schema/properties/items"
ITEM_AT = "/modules/1/schema/properties/item"


def test_import_refuses_row_keys_and_row_links_it_cannot_follow() -> None:
    assert _checked({"x-row-key": "number"}) == {(f"{ITEMS_AT}/x-row-key", "row_key_unknown")}
    assert _checked({"x-row-title": "txt"}) == {(f"{ITEMS_AT}/x-row-title", "row_key_unknown")}
    wrong_link = {"x-row": {"link": "area", "table": "items"}}
    assert _checked({}, wrong_link) == {(f"{ITEM_AT}/x-row/link", "row_link_not_link")}
    wrong_table = {"x-row": {"link": "audit", "table": "lines"}}
    assert _checked({}, wrong_table) == {(f"{ITEM_AT}/x-row/table", "row_link_unknown_table")}
    assert (f"{ITEM_AT}/type", "row_link_type") in _checked({}, {"type": "string"})


def test_import_refuses_a_row_link_to_a_table_without_a_key() -> None:
    audit = copy.deepcopy(AUDIT)
    del audit["schema"]["properties"]["items"]["x-row-key"]
    del audit["schema"]["properties"]["items"]["x-row-title"]
    with pytest.raises(DefinitionError) as refused:
        load_pack(row_link_pack(modules=[audit, FIX]))
    assert {(p.path, p.code) for p in refused.value.problems} == {
        (f"{ITEM_AT}/x-row/table", "row_link_no_key")
    }


def test_the_seeded_system_can_fill_a_fix_too(session, world) -> None:
    fix = create_record(session, "fix", {"audit": world["audit"].id, "item": 1}, SYSTEM)
    assert get_record(session, "fix", fix.id, world["auditor"]).data["severity"] == "major"


def test_import_refuses_a_row_key_on_a_field_that_is_no_table() -> None:
    audit = copy.deepcopy(AUDIT)
    audit["schema"]["properties"]["area"]["x-row-key"] = "no"
    with pytest.raises(DefinitionError) as refused:
        load_pack(row_link_pack(modules=[audit, FIX]))
    assert {(p.path, p.code) for p in refused.value.problems} == {
        ("/modules/0/schema/properties/area/x-row-key", "row_key_not_table")
    }


def test_import_refuses_a_date_key_and_row_keywords_on_a_column() -> None:
    columns = {"when": {"type": "string", "format": "date"}, "other": {"type": "integer"}}
    columns["other"]["x-row"] = {"link": "audit", "table": "items"}
    audit = copy.deepcopy(AUDIT)
    audit["schema"]["properties"]["items"]["items"]["properties"].update(columns)
    audit["schema"]["properties"]["items"]["x-row-key"] = "when"
    with pytest.raises(DefinitionError) as refused:
        load_pack(row_link_pack(modules=[audit, FIX]))
    assert {(p.path, p.code) for p in refused.value.problems} == {
        (f"{ITEMS_AT}/x-row-key", "row_key_kind"),
        (f"{ITEMS_AT}/items/properties/other/x-row", "row_keyword_on_column"),
    }
