"""A pack's history and restoring an earlier version: back through the import, or refused."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from engine.actor import SYSTEM
from engine.errors import DefinitionError, NotFound, UpgradeRefused
from engine.models import AdminEvent
from engine.packs import import_pack
from engine.packs.history import pack_history, restore_pack, version_diff
from engine.records import create_record, get_record
from tests.engine.sample_pack import module, sample_pack


def version_two(**shift: Any) -> dict[str, Any]:
    """1.1.0: labour gets a `shift` field and a `checked` state after `submitted`."""
    pack = sample_pack(version="1.1.0")
    labour = module(pack, "labour")
    labour["schema"]["properties"]["shift"] = shift or {"enum": ["day", "night"]}
    labour["workflow"]["states"]["checked"] = {"title": "Checked", "readonly": True}
    labour["workflow"]["transitions"].append(
        {"id": "check", "from": "submitted", "to": "checked", "roles": ["site_manager"]}
    )
    return pack


def tally(session: Session, **data: Any) -> str:
    project = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
    values = {"project": project.id, "date": "2026-11-01", "worker": "Lee", **data}
    return create_record(session, "labour", values, SYSTEM).id


def installed_version(session: Session) -> str:
    return session.execute(text("select version from packs where id = 'site'")).scalar_one()


def labour_columns(session: Session) -> set[str]:
    return {c["name"] for c in inspect(session.connection()).get_columns("m_labour")}


def restores(session: Session) -> list[AdminEvent]:
    query = select(AdminEvent).where(AdminEvent.action == "pack.restore")
    return list(session.scalars(query))


@pytest.fixture
def upgraded(session: Session) -> Session:
    """The sample pack installed at 1.0.0, then upgraded to 1.1.0."""
    import_pack(session, sample_pack())
    import_pack(session, version_two())
    return session


def test_history_lists_both_versions_and_their_diff(upgraded: Session) -> None:
    history = pack_history(upgraded, "site")
    assert history.current == "1.1.0"
    assert history.version_names == ["1.1.0", "1.0.0"]
    assert [v.current for v in history.versions] == [True, False]
    assert all(v.installed_at is not None for v in history.versions)
    changes = {
        (c.section, c.key, c.change) for c in version_diff(upgraded, "site", "1.0.0", "1.1.0")
    }
    assert ("fields", "labour.shift", "added") in changes
    assert ("states", "labour.checked", "added") in changes
    backwards = {(c.key, c.change) for c in version_diff(upgraded, "site", "1.1.0", "1.0.0")}
    assert ("labour.shift", "removed") in backwards


def test_restore_goes_back_and_records_written_under_the_newer_version_stay(
    upgraded: Session,
) -> None:
    session = upgraded
    newer = tally(session)
    report = restore_pack(session, "site", "1.0.0", by="admin")
    assert (report.action, report.version, report.previous_version) == (
        "restored",
        "1.0.0",
        "1.1.0",
    )
    assert installed_version(session) == "1.0.0"
    assert "shift" not in labour_columns(session)
    kept = get_record(session, "labour", newer, SYSTEM)
    assert kept.data["worker"] == "Lee" and kept.module_version == "1.1.0"
    (event,) = restores(session)
    assert (event.actor, event.target) == ("admin", "pack site")
    assert (event.before, event.after) == ({"version": "1.1.0"}, {"version": "1.0.0"})
    latest = pack_history(session, "site").events[0]
    assert (latest.action, latest.from_version, latest.to_version) == (
        "pack.restore",
        "1.1.0",
        "1.0.0",
    )
    again = import_pack(session, version_two())  # the newer version can come back
    assert again.action == "upgraded" and installed_version(session) == "1.1.0"
    assert "shift" in labour_columns(session)
    assert get_record(session, "labour", newer, SYSTEM).data["worker"] == "Lee"


def test_a_dry_run_restore_reports_and_writes_nothing(upgraded: Session) -> None:
    report = restore_pack(upgraded, "site", "1.0.0", by="admin", dry_run=True)
    assert report.dry_run and report.action == "restored"
    assert any("shift" in step for step in report.ddl)
    assert installed_version(upgraded) == "1.1.0"
    assert "shift" in labour_columns(upgraded) and restores(upgraded) == []


def test_restore_is_refused_while_a_record_is_in_a_state_the_old_version_lacks(
    upgraded: Session,
) -> None:
    session = upgraded
    record = tally(session)
    session.execute(text("update m_labour set state = 'checked' where id = :id"), {"id": record})
    with pytest.raises(UpgradeRefused) as refused:
        restore_pack(session, "site", "1.0.0", by="admin")
    (problem,) = refused.value.problems
    assert problem.code == "state_removed_in_use"
    assert (problem.params["state"], problem.params["count"]) == ("checked", 1)
    assert installed_version(session) == "1.1.0" and restores(session) == []
    assert "shift" in labour_columns(session)


def test_restore_is_refused_while_the_newer_field_holds_values(upgraded: Session) -> None:
    tally(upgraded, shift="night")
    tally(upgraded, shift="day")
    with pytest.raises(UpgradeRefused) as refused:
        restore_pack(upgraded, "site", "1.0.0", by=None)
    (problem,) = refused.value.problems
    assert (problem.code, problem.params["field"], problem.params["count"]) == (
        "field_removed_with_values",
        "shift",
        2,
    )
    assert installed_version(upgraded) == "1.1.0"


def test_restoring_the_installed_version_does_nothing(upgraded: Session) -> None:
    assert restore_pack(upgraded, "site", "1.1.0", by="admin").action == "unchanged"
    assert restores(upgraded) == []


def test_unknown_pack_or_version(upgraded: Session) -> None:
    with pytest.raises(NotFound) as unknown:
        restore_pack(upgraded, "site", "0.9.0", by="admin")
    assert unknown.value.problems[0].code == "unknown_pack_version"
    with pytest.raises(NotFound):
        pack_history(upgraded, "nowhere")
    with pytest.raises(NotFound):
        version_diff(upgraded, "site", "1.0.0", "2.0.0")


def test_only_a_restore_goes_back_and_a_version_number_keeps_its_content(
    upgraded: Session,
) -> None:
    with pytest.raises(DefinitionError) as older:
        import_pack(upgraded, sample_pack())
    assert older.value.problems[0].code == "version_older"
    restore_pack(upgraded, "site", "1.0.0", by="admin")
    with pytest.raises(DefinitionError) as reused:  # 1.1.0 meant something else before
        import_pack(upgraded, version_two(enum=["early", "late"]))
    assert reused.value.problems[0].code == "version_unchanged"
    assert installed_version(upgraded) == "1.0.0"
