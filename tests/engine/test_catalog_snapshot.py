"""The catalog a transaction reads once: its packs are asked for at most once per
transaction, a pack imported in it is seen at once, and a rollback forgets what it saw."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

from engine.catalog import load_catalog
from engine.packs import import_pack
from tests.engine.sample_pack import sample_pack


@contextmanager
def packs_reads(session: Session) -> Iterator[list[str]]:
    """The statements reading the `packs` table while the block runs."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if "FROM packs" in statement:
            seen.append(statement)

    bind = session.get_bind()
    event.listen(bind, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(bind, "before_cursor_execute", count)


def test_a_transaction_reads_the_packs_once(session: Session) -> None:
    import_pack(session, sample_pack())
    session.commit()
    load_catalog(session)  # compiled once for the process
    session.commit()
    with packs_reads(session) as seen:
        first = load_catalog(session)
        for _ in range(5):
            assert load_catalog(session) is first
        with session.begin_nested():  # a savepoint that goes well keeps the snapshot
            assert load_catalog(session) is first
    assert len(seen) == 1
    session.commit()
    with packs_reads(session) as seen:
        load_catalog(session)  # the next transaction asks again: another worker may have upgraded
    assert len(seen) == 1


def test_a_pack_imported_in_the_transaction_is_seen_at_once(session: Session) -> None:
    assert load_catalog(session).modules == {}
    import_pack(session, sample_pack())
    assert load_catalog(session).modules != {}


def test_a_rolled_back_import_is_forgotten(session: Session) -> None:
    assert load_catalog(session).modules == {}
    try:
        with session.begin_nested():
            import_pack(session, sample_pack())
            assert load_catalog(session).modules != {}
            raise RuntimeError("give up")
    except RuntimeError:
        pass
    assert load_catalog(session).modules == {}
