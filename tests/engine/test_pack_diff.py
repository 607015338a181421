"""The structured diff of two compiled packs (sections, keys, what changed, before and after),
and what an import reports and records with it: who, the diff and the records it moves."""

from __future__ import annotations

import json

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from engine.actor import SYSTEM
from engine.definitions import load_pack
from engine.models import AdminEvent, PackVersion
from engine.packs import import_pack
from engine.packs.diff import PackChange, pack_diff
from engine.records import create_record
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
    project_fields = module(raw, "project")["schema"]["properties"]
    project_fields["actual"]["x-rollup"]["where"] = "$state == 'submitted'"  # approved is gone
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


def test_an_import_keeps_its_diff_who_did_it_and_the_records_it_moves(session: Session) -> None:
    import_pack(session, sample_pack(), by="admin")
    project = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
    data = {"project": project.id, "date": "2026-11-01", "worker": "Lee"}
    tallies = [create_record(session, "labour", data, SYSTEM) for _ in range(3)]
    session.execute(text("update m_labour set state = 'submitted'"))
    raw = sample_pack(version="1.1.0")
    labour = module(raw, "labour")
    del labour["workflow"]["states"]["submitted"]
    labour["workflow"]["transitions"] = [
        {"id": "approve", "from": "draft", "to": "approved", "roles": ["site_manager"]}
    ]
    labour["migrate"] = {"states": {"submitted": "draft"}}
    dry = import_pack(session, raw, dry_run=True, by="admin")
    (moved,) = dry.affected
    assert (moved.module, moved.total) == ("labour", 3)
    assert [r[0] for r in moved.records] == [t.id for t in tallies]
    assert [r[1] for r in moved.records] == [t.number for t in tallies]
    assert ("states", "labour.submitted", "removed") in {
        (c.section, c.key, c.change) for c in dry.diff
    }
    assert session.scalar(select(func.count()).select_from(AdminEvent)) == 1  # the install

    report = import_pack(session, raw, by="chen")
    assert report.affected == dry.affected  # read before the records moved
    versions = dict(session.execute(select(PackVersion.version, PackVersion.installed_by)).all())
    assert versions == {"1.0.0": "admin", "1.1.0": "chen"}
    events = session.scalars(select(AdminEvent).order_by(AdminEvent.id)).all()
    assert [(e.actor, e.action, e.target) for e in events] == [
        ("admin", "pack.import", "pack site"),
        ("chen", "pack.import", "pack site"),
    ]
    assert events[1].before == {"version": "1.0.0"}
    assert events[1].after == {"version": "1.1.0", "changes": len(report.diff)}
    assert import_pack(session, raw, by="chen").action == "unchanged"
    assert session.scalar(select(func.count()).select_from(AdminEvent)) == 2  # nothing to log
