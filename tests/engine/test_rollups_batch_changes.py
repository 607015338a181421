"""Records changed as one batch (the API's batch of changes) settle their rollups at the end:
the parents they left and the parents they joined, each once, to the rebuilt figures."""

from __future__ import annotations

from sqlalchemy import text

from engine.actor import SYSTEM
from engine.packs import import_pack
from engine.records import create_record, get_record, update_record
from engine.records.rollups import held_for_changes, rebuild_rollups
from tests.engine.test_rollups_matched import matched_pack, tally


def figures(session) -> dict[str, tuple[object, ...]]:
    projects = session.execute(text("select id, tally_count, actual from m_project")).all()
    wages = session.execute(text("select id, approved, tallies from m_wage")).all()
    return {row[0]: tuple(row[1:]) for row in [*projects, *wages]}


def test_moved_and_renamed_records_settle_both_sides_once(session) -> None:
    import_pack(session, matched_pack())
    p1, p2 = (
        create_record(session, "project", {"code": c, "name": c}, SYSTEM).id for c in ("P1", "P2")
    )
    for worker in ("Wang", "Li"):
        create_record(
            session, "wage", {"worker": worker, "project": p2, "month": "2026-03"}, SYSTEM
        )
    ids = [create_record(session, "labour", tally(p1, "Wang", ["2"]), SYSTEM).id for _ in range(4)]
    session.execute(text("update m_labour set state = 'approved'"))
    with held_for_changes(session, "labour", ids[:3]):
        for record_id in ids[:3]:
            record = get_record(session, "labour", record_id, SYSTEM)
            session.execute(  # approved tallies are read-only to the services
                text("update m_labour set project = :p, worker = 'Li' where id = :i"),
                {"p": p2, "i": record.id},
            )
        assert figures(session)[p1][0] == 4  # held: settled at the end
    kept = figures(session)
    assert kept[p1][0] == 1 and kept[p2][0] == 3
    rebuild_rollups(session)
    assert figures(session) == kept
    record = get_record(session, "labour", ids[3], SYSTEM)
    session.execute(text("update m_labour set state = 'draft' where id = :i"), {"i": record.id})
    with held_for_changes(session, "labour", ids[3:]):  # one record: the triggers as ever
        update_record(session, "labour", ids[3], record.version, {"worker": "Li"}, SYSTEM)
    kept = figures(session)
    rebuild_rollups(session)
    assert figures(session) == kept
