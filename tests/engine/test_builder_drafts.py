"""Builder drafts: kept per admin while invalid, published through the import, never over
someone else's newer version."""

from __future__ import annotations

import pytest

from engine.actor import SYSTEM
from engine.builder import drafts, edits
from engine.builder.publish import DraftBehind, compile_draft, publish_draft, value_count
from engine.builder.settings import set_field
from engine.errors import DefinitionError, NotFound, UpgradeRefused, ValidationFailed
from engine.models import PackVersion
from engine.packs import export_pack, import_pack
from engine.records import create_record, get_record
from tests.engine.sample_pack import sample_pack


def new_module(session, owner="ann"):
    return drafts.start_module(
        session,
        owner,
        module_id="visit",
        title={"en": "Visit", "zh-CN": "巡检"},
        pack_id="works",
        pack_title={"en": "Works"},
        numbering="V-{seq:4}",
    )


def test_an_invalid_draft_is_kept_and_only_its_owner_sees_it(session):
    draft = new_module(session)
    pack, name = edits.add_field(draft.definition, "visit", "link", {"en": "Project"})
    drafts.save_draft(session, draft, pack)  # a link without its target: not a valid pack
    with pytest.raises(DefinitionError):
        compile_draft(session, draft.definition)
    assert [d.id for d in drafts.list_drafts(session, "ann")] == [draft.id]
    assert drafts.list_drafts(session, "bob") == []
    with pytest.raises(NotFound):
        drafts.get_draft(session, "bob", draft.id)
    session.expire_all()
    kept = drafts.get_draft(session, "ann", draft.id)
    assert "project" in kept.definition["modules"][0]["schema"]["properties"]
    drafts.discard_draft(session, "ann", draft.id)
    assert drafts.list_drafts(session, "ann") == []


def test_a_new_pack_publishes_as_1_0_0_after_a_dry_run_and_the_draft_goes(session):
    draft = new_module(session)
    pack, _ = edits.add_field(draft.definition, "visit", "text", {"en": "Place"})
    drafts.save_draft(session, draft, pack)
    review = publish_draft(session, "ann", draft.id, dry_run=True)
    assert (review.action, review.version, review.dry_run) == ("installed", "1.0.0", True)
    assert session.get(PackVersion, ("works", "1.0.0")) is None
    report = publish_draft(session, "ann", draft.id, dry_run=False)
    assert report.action == "installed"
    assert session.get(PackVersion, ("works", "1.0.0")).installed_by == "ann"
    assert drafts.list_drafts(session, "ann") == []


def test_an_installed_pack_gets_a_field_and_the_next_minor_version_records_kept(session):
    import_pack(session, sample_pack())
    record = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
    draft = drafts.edit_installed(session, "ann", "site", "project")
    pack, name = edits.add_field(draft.definition, "project", "date", {"en": "Start"})
    drafts.save_draft(session, draft, pack)
    report = publish_draft(session, "ann", draft.id, dry_run=False)
    assert (report.action, report.version, report.previous_version) == (
        "upgraded",
        "1.1.0",
        "1.0.0",
    )
    assert export_pack(session, "site")["modules"][0]["schema"]["properties"][name]
    assert get_record(session, "project", record.id, SYSTEM).data["name"] == "Tower"


def test_removing_a_field_with_values_is_refused_unless_declared(session):
    import_pack(session, sample_pack())
    create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
    assert value_count(session, "project", "code") == 1
    assert value_count(session, "project", "budget") == 0
    draft = drafts.edit_installed(session, "ann", "site", "project")
    drafts.save_draft(session, draft, edits.remove_field(draft.definition, "project", "code"))
    with pytest.raises(UpgradeRefused) as refused:
        publish_draft(session, "ann", draft.id, dry_run=True)
    (problem,) = refused.value.problems
    assert (problem.code, problem.params["count"]) == ("field_removed_with_values", 1)
    declared = edits.remove_field(
        export_pack(session, "site"), "project", "code", declare_drop=True
    )
    declared = edits.remove_field(declared, "project", "budget")  # no record holds one
    drafts.discard_draft(session, "ann", draft.id)
    again = drafts.edit_installed(session, "ann", "site", "project")
    drafts.save_draft(session, again, declared)
    assert publish_draft(session, "ann", again.id, dry_run=False).version == "1.1.0"


def test_a_draft_behind_the_installed_version_is_refused(session):
    import_pack(session, sample_pack())
    first = drafts.edit_installed(session, "ann", "site", "project")
    second = drafts.edit_installed(session, "bob", "site", "project")
    pack, _ = edits.add_field(second.definition, "project", "text", {"en": "Client"})
    drafts.save_draft(session, second, pack)
    publish_draft(session, "bob", second.id, dry_run=False)
    pack = set_field(first.definition, "project", "code", {"label_en": "Project code"})
    drafts.save_draft(session, first, pack)
    with pytest.raises(DraftBehind) as behind:
        publish_draft(session, "ann", first.id, dry_run=True)
    assert behind.value.problems[0].params["installed"] == "1.1.0"


def test_a_module_starts_as_a_copy_of_an_installed_one_in_the_installed_pack(session):
    import_pack(session, sample_pack())
    draft = drafts.start_module(
        session,
        "ann",
        module_id="labour_night",
        title={"en": "Night labour", "zh-CN": "夜间点工"},
        pack_id="site",
        template="labour",
    )
    copied = draft.definition["modules"][-1]
    assert (copied["id"], copied["title"]["zh-CN"]) == ("labour_night", "夜间点工")
    assert "items" in copied["schema"]["properties"]
    assert draft.base_version == "1.0.0"
    report = publish_draft(session, "ann", draft.id, dry_run=False)
    assert (report.version, report.action) == ("1.1.0", "upgraded")
    with pytest.raises(ValidationFailed) as taken:
        drafts.start_module(
            session, "ann", module_id="labour", title={"en": "Again"}, pack_id="site"
        )
    assert taken.value.problems[0].code == "builder_module_taken"
