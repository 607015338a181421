"""Imports as background work: a clerk queues a tally file, a worker runs it, the clerk
follows it and finds it in the module's history; nobody else can read the clerk's job."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from engine.actor import SYSTEM, Actor
from engine.attachments import LocalFolder
from engine.db import transaction
from engine.errors import NotFound, PermissionDenied
from engine.imports.jobs import cancel, history, job_view, run_next, submit
from engine.models_imports import ImportJob
from engine.packs import import_pack
from tests.bundled import PACK_FILE
from tests.engine.people import make_user

HEADERS = ["所属项目", "日期", "工人姓名", "工种", "工作内容", "工时", "单价（元/小时）"]


def tally_rows(count: int, bad_every: int = 0) -> list[list[str]]:
    """`count` tallies; every `bad_every`-th has hours that are not a number."""
    return [
        [
            "PRJ-2026-001",
            "2026/3/2",
            f"工人{n}",
            "钢筋工",
            "绑扎",
            "x" if bad_every and n % bad_every == 0 else "8",
            "42.50",
        ]
        for n in range(1, count + 1)
    ]


def store_csv(store: LocalFolder, file_id: str, rows: list[list[str]]) -> str:
    lines = [",".join(HEADERS), *(",".join(r) for r in rows)]
    store.save(file_id, [("\r\n".join(lines) + "\r\n").encode("utf-8-sig")])
    return file_id


def _pack() -> dict[str, Any]:
    pack = json.loads(PACK_FILE.read_text(encoding="utf-8"))
    pack["roles"].append({"id": "clerk", "title": {"en": "Clerk", "zh-CN": "录入员"}})
    tally = next(m for m in pack["modules"] if m["id"] == "labour_tally")
    tally["permissions"]["clerk"] = {
        "create": True, "read": "all", "update": "all", "import": True,
    }  # fmt: skip
    project = next(m for m in pack["modules"] if m["id"] == "project")
    project["permissions"]["clerk"] = {"read": "all"}
    return pack


@pytest.fixture
def people(session_factory: sessionmaker[Session]) -> dict[str, Actor]:
    with transaction(session_factory) as session:
        import_pack(session, _pack())
        return {
            "clerk": make_user(session, "clerk1", "clerk"),
            "other": make_user(session, "clerk2", "clerk"),
            "worker": make_user(session, "foreman1", "foreman"),
        }


@pytest.fixture
def store(tmp_path: Path) -> LocalFolder:
    return LocalFolder(tmp_path / "uploads")


def tallies(factory: sessionmaker[Session]) -> int:
    with transaction(factory, write=False) as session:
        return session.scalar(select(func.count()).select_from(text("m_labour_tally"))) or 0


def queue(factory: sessionmaker[Session], actor: Actor, file_id: str, **options: Any) -> int:
    with transaction(factory) as session:
        return submit(session, "labour_tally", file_id, "tallies.csv", actor, **options)


def view(factory: sessionmaker[Session], job_id: int, actor: Actor) -> Any:
    with transaction(factory, write=False) as session:
        return job_view(session, job_id, actor)


def test_a_queued_import_runs_to_done_with_its_counts(
    session_factory: sessionmaker[Session], people: dict[str, Actor], store: LocalFolder
) -> None:
    before = tallies(session_factory)
    job_id = queue(session_factory, people["clerk"], store_csv(store, "a" * 32, tally_rows(3)))
    assert view(session_factory, job_id, people["clerk"]).status == "queued"
    assert run_next(session_factory, store, worker="w1") == job_id
    job = view(session_factory, job_id, people["clerk"])
    assert (job.status, job.created, job.done, job.total, job.rejected) == ("done", 3, 3, 3, 0)
    assert job.mapping["工时"] == "items.hours" and job.by == "clerk1"
    assert job.sample[0].data["amount"] == job.sample[0].data["amount"].__class__("340.00")
    assert tallies(session_factory) == before + 3
    assert run_next(session_factory, store, worker="w1") is None  # nothing else queued


def test_a_dry_run_job_is_the_preview_and_writes_nothing(
    session_factory: sessionmaker[Session], people: dict[str, Actor], store: LocalFolder
) -> None:
    before = tallies(session_factory)
    rows = tally_rows(4, bad_every=4)
    job_id = queue(
        session_factory,
        people["clerk"],
        store_csv(store, "b" * 32, rows),
        dry_run=True,
        mode="valid",
    )
    run_next(session_factory, store)
    job = view(session_factory, job_id, people["clerk"])
    assert job.status == "done" and job.dry_run and job.rejected == 1
    assert [(p.row, p.column) for p in job.problems] == [(5, "工时")]
    assert len(job.sample) == 3 and tallies(session_factory) == before


def test_mode_all_with_a_bad_row_writes_nothing_and_valid_keeps_the_good_rows(
    session_factory: sessionmaker[Session], people: dict[str, Actor], store: LocalFolder
) -> None:
    before = tallies(session_factory)
    file_id = store_csv(store, "c" * 32, tally_rows(10, bad_every=5))
    all_id = queue(session_factory, people["clerk"], file_id)
    valid_id = queue(session_factory, people["clerk"], file_id, mode="valid")
    run_next(session_factory, store)
    refused = view(session_factory, all_id, people["clerk"])
    assert (refused.status, refused.created, refused.rejected) == ("failed", 0, 2)
    assert refused.error is not None and refused.error.code == "import_rows_refused"
    assert tallies(session_factory) == before
    run_next(session_factory, store)
    kept = view(session_factory, valid_id, people["clerk"])
    assert (kept.status, kept.created, kept.rejected) == ("done", 8, 2)
    assert tallies(session_factory) == before + 8
    rejected = store.open(kept.rejected_file or "")
    assert rejected is not None
    with rejected:
        lines = rejected.read().decode("utf-8-sig").splitlines()
    assert lines[0].endswith(",error") and len(lines) == 3 and "工人5" in lines[1]


def test_the_history_names_who_imported_what_and_others_cannot_read_a_job(
    session_factory: sessionmaker[Session], people: dict[str, Actor], store: LocalFolder
) -> None:
    mine = queue(session_factory, people["clerk"], store_csv(store, "d" * 32, tally_rows(1)))
    theirs = queue(session_factory, people["other"], store_csv(store, "e" * 32, tally_rows(2)))
    run_next(session_factory, store)
    with transaction(session_factory, write=False) as session:
        everyone = history(session, "labour_tally", SYSTEM)
        own = history(session, "labour_tally", people["clerk"])
    assert [(j.id, j.by, j.file_name, j.created) for j in everyone] == [
        (theirs, "clerk2", "tallies.csv", 0),
        (mine, "clerk1", "tallies.csv", 1),
    ]
    assert [j.id for j in own] == [mine]
    with pytest.raises(NotFound), transaction(session_factory, write=False) as session:
        job_view(session, theirs, people["clerk"])
    with pytest.raises(NotFound), transaction(session_factory) as session:
        cancel(session, mine, people["other"])


def test_a_role_without_import_permission_cannot_queue(
    session_factory: sessionmaker[Session], people: dict[str, Actor], store: LocalFolder
) -> None:
    with pytest.raises(PermissionDenied) as refused, transaction(session_factory) as session:
        submit(session, "labour_tally", "f" * 32, "t.csv", people["worker"])
    assert refused.value.problems[0].code == "import_not_allowed"
    with transaction(session_factory, write=False) as session:
        assert session.scalar(select(func.count()).select_from(ImportJob)) == 0


def test_a_queued_job_cancelled_never_starts(
    session_factory: sessionmaker[Session], people: dict[str, Actor], store: LocalFolder
) -> None:
    before = tallies(session_factory)
    job_id = queue(session_factory, people["clerk"], store_csv(store, "a" * 32, tally_rows(3)))
    with transaction(session_factory) as session:
        cancel(session, job_id, people["clerk"])
    assert run_next(session_factory, store) is None
    assert view(session_factory, job_id, people["clerk"]).status == "cancelled"
    assert tallies(session_factory) == before


def test_two_workers_never_claim_the_same_job(
    session_factory: sessionmaker[Session], people: dict[str, Actor], store: LocalFolder
) -> None:
    from engine.imports.jobs_store import claim_next

    job_id = queue(session_factory, people["clerk"], store_csv(store, "a" * 32, tally_rows(1)))
    assert claim_next(session_factory, "w1") == job_id
    assert claim_next(session_factory, "w2") is None
    with transaction(session_factory) as session:  # claimed behind the first worker's back
        session.execute(update(ImportJob).values(status="queued"))
        session.execute(update(ImportJob).where(ImportJob.id == job_id).values(worker="w1"))
    assert claim_next(session_factory, "w2") == job_id
    assert claim_next(session_factory, "w1") is None


def test_a_file_that_cannot_be_read_or_is_gone_fails_the_job_with_its_reason(
    session_factory: sessionmaker[Session], people: dict[str, Actor], store: LocalFolder
) -> None:
    store.save("d" * 32, [b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8])
    unreadable = queue(session_factory, people["clerk"], "d" * 32)
    gone = queue(session_factory, people["clerk"], "e" * 32)
    run_next(session_factory, store)
    run_next(session_factory, store)
    for job_id, code in ((unreadable, "import_unknown_format"), (gone, "import_file_missing")):
        job = view(session_factory, job_id, people["clerk"])
        assert job.status == "failed" and job.error is not None and job.error.code == code
        assert job.finished_at is not None and job.created == 0


def test_the_worker_thread_outlives_a_database_it_cannot_use(tmp_path: Path) -> None:
    from engine.db import make_engine, make_session_factory
    from engine.imports.jobs_worker import ImportWorker

    engine = make_engine(f"sqlite:///{tmp_path / 'never-set-up.db'}")  # no import_jobs table
    thread = ImportWorker(make_session_factory(engine), LocalFolder(tmp_path), interval=0.05)
    try:
        thread.start()
        time.sleep(0.5)  # several rounds, each failing
        assert thread.is_alive() and thread.ran == []
    finally:
        thread.stop(timeout=5)
        engine.dispose()
    assert not thread.is_alive()


def test_workers_claiming_at_the_same_moment_each_get_another_job(
    session_factory: sessionmaker[Session], people: dict[str, Actor], store: LocalFolder
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from engine.imports.jobs_store import claim_next

    queued = {queue(session_factory, people["clerk"], f"{n:032x}") for n in range(3)}
    start = threading.Barrier(8)

    def claim(worker: int) -> int | None:
        start.wait()
        return claim_next(session_factory, f"w{worker}")

    with ThreadPoolExecutor(8) as pool:
        claimed = [c for c in pool.map(claim, range(8)) if c is not None]
    assert sorted(claimed) == sorted(queued)  # each job once, no worker with another's
