"""The structured diff of two compiled packs: sections, keys, what changed, before and after."""

from __future__ import annotations

import json

from engine.definitions import load_pack
from engine.packs.diff import PackChange, pack_diff
from tests.engine.sample_pack import module, sample_pack


def by_key(changes: list[PackChange]) -> dict[tuple[str, str], PackChange]:
    return {(c.section, c.key): c for c in changes}


def test_the_same_pack_under_a_new_version_has_no_changes() -> None:
    old = load_pack(sample_pack())
    assert pack_diff(old, load_pack(sample_pack(version="1.0.1"))) == []


def test_a_first_install_adds_every_part() -> None:
    changes = by_key(pack_diff(None, load_pack(sample_pack())))
    assert {c.change for c in changes.values()} == {"added"}
    assert changes[("roles", "foreman")].after == {"title": {"en": "Foreman", "zh-CN": "班组长"}}
    assert changes[("modules", "labour")].after is not None
    assert changes[("fields", "labour.items.hours")].after["scale"] == 1  # type: ignore[index]
    assert ("transitions", "labour.approve") in changes
    assert ("reports", "labour_by_trade") in changes


def test_field_changes_say_what_changed() -> None:
    old = load_pack(sample_pack())
    raw = sample_pack(version="1.1.0")
    labour = module(raw, "labour")
    props = labour["schema"]["properties"]
    props["worker"]["title"] = "Worker name"
    props["trade"]["enum"].append("scaffold")
    props["items"]["items"]["properties"]["hours"]["x-scale"] = 2
    labour["schema"]["required"].append("notes")
    props["shift"] = {"enum": ["day", "night"]}
    del props["checked"]
    changes = by_key(pack_diff(old, load_pack(raw)))
    worker = changes[("fields", "labour.worker")]
    assert (worker.change, worker.attributes) == ("changed", ("label",))
    assert worker.before["label"] == "worker" and worker.after["label"] == "Worker name"  # type: ignore[index]
    assert changes[("fields", "labour.trade")].attributes == ("choices",)
    assert changes[("fields", "labour.trade")].after["choices"][-1] == "scaffold"  # type: ignore[index]
    assert changes[("fields", "labour.items.hours")].attributes == ("scale",)
    assert changes[("fields", "labour.notes")].attributes == ("required",)
    assert changes[("fields", "labour.shift")].change == "added"
    assert changes[("fields", "labour.checked")].change == "removed"
    assert changes[("fields", "labour.checked")].before["kind"] == "boolean"  # type: ignore[index]
    assert ("fields", "labour.items") not in changes  # its column is an entry of its own
    assert not any(c.module == "project" for c in changes.values())


def test_workflow_roles_views_lists_and_reports() -> None:
    old = load_pack(sample_pack())
    raw = sample_pack(version="1.1.0")
    labour = module(raw, "labour")
    workflow = labour["workflow"]
    del workflow["states"]["approved"]
    workflow["transitions"] = [t for t in workflow["transitions"] if t["id"] != "approve"]
    workflow["transitions"][0]["roles"] = ["foreman", "site_manager"]
    labour["ui"]["list"]["sort"] = "date"
    labour["ui"]["views"] = [{"type": "calendar", "date": "date"}]
    labour["permissions"]["viewer"]["fields"] = {}
    raw["roles"].append({"id": "auditor", "title": "Auditor"})
    raw["reports"][0]["measures"]["amount"] = "sum(amount)"
    changes = by_key(pack_diff(old, load_pack(raw)))
    assert changes[("states", "labour.approved")].change == "removed"
    assert changes[("transitions", "labour.approve")].change == "removed"
    submit = changes[("transitions", "labour.submit")]
    assert submit.attributes == ("roles",) and submit.after["roles"] == ["foreman", "site_manager"]  # type: ignore[index]
    assert changes[("list", "labour.list")].attributes == ("sort",)
    assert changes[("views", "labour.calendar")].change == "added"
    assert changes[("permissions", "labour.viewer")].attributes == ("fields",)
    assert changes[("roles", "auditor")].change == "added"
    report = changes[("reports", "labour_by_trade")]
    assert report.attributes == ("measures",)
    assert report.after["measures"]["amount"] == "sum(amount)"  # type: ignore[index]
    sections = [c.section for c in changes.values()]
    assert sections.index("roles") < sections.index("states") < sections.index("reports")


def test_removed_module_lists_its_parts_and_entries_are_json() -> None:
    old = load_pack(sample_pack())
    raw = sample_pack(version="2.0.0")
    raw["modules"] = [m for m in raw["modules"] if m["id"] == "project"]
    raw["reports"] = []
    project = module(raw, "project")
    del project["schema"]["properties"]["actual"], project["schema"]["properties"]["tally_count"]
    project["ui"]["list"]["columns"].remove("actual")
    changes = pack_diff(old, load_pack(raw))
    keyed = by_key(changes)
    assert keyed[("modules", "labour")].change == "removed"
    assert keyed[("fields", "labour.worker")].change == "removed"
    assert keyed[("reports", "labour_by_trade")].change == "removed"
    json.dumps([c.as_dict() for c in changes])  # every entry can be kept in the admin trail
