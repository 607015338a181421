"""What notifications cost: the time they add to a user's transition, and how fast the
worker sends e-mail through a real SMTP server.

1. A foreman submits labour tallies of the bundled construction pack, a session each as one
   web request would have. Taking turns, a submit that tells the approvers (site managers
   who chose e-mail, with e-mail turned on by the administrator: a notification and an
   outbox row each) and the same submit with nobody to tell (the approvers switched off
   between turns, so the same inbox items are opened and only the telling is missing).
   Prints the median and worst milliseconds and the SQL statements of each.
2. M e-mails waiting in the outbox are sent by `deliver_round` with the real renderer and
   e-mail sender, to an SMTP server on 127.0.0.1 (aiosmtpd, tests/smtpserver.py) set in
   FORMWORK_SMTP_*. Prints messages a second, and checks that exactly M arrived, each with
   its own Message-ID, and that every row is marked sent.

    .venv/bin/python benchmarks/notifications.py                  # SQLite
    .venv/bin/python benchmarks/notifications.py --submits 300 --emails 2000
    scripts/with-postgres.sh .venv/bin/python benchmarks/notifications.py --postgres
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.harness import StatementLog, Timing, scratch_database, server_version
from engine import accounts
from engine.actor import SYSTEM, Actor
from engine.db import make_engine, make_session_factory, transaction
from engine.migrate import upgrade_database
from engine.models import User
from engine.models_notifications import Notification, NotificationChannel, NotificationSend
from engine.notifications import Preferences, notify, save_preferences
from engine.notifications.events import reader
from engine.notifications.settings import NotificationSettings, settings_from_env
from engine.notifications.worker import deliver_round
from engine.packs import import_pack
from engine.records import Filter, ListQuery, list_records
from engine.records.service import create_records
from engine.workflow.transitions import apply_transition
from tests.smtpserver import SmtpServer, running_smtp

PACK = Path(__file__).resolve().parents[1] / "modules" / "construction.json"
PASSWORD = "bench-password-1"


@dataclass
class Site:
    factory: sessionmaker[Session]
    log: StatementLog
    foreman: Actor
    approvers: list[str]
    project: str


def tally(project: str, number: int) -> dict[str, Any]:
    return {
        "project": project,
        "date": "2026-03-02",
        "worker": f"Worker {number}",
        "trade": "rebar",
        "items": [{"content": "Tie slab rebar", "hours": "8", "rate": "42.50"}],
    }


def set_up(url: str, approvers: int) -> Site:
    """The pack, a foreman, site managers who chose e-mail, e-mail turned on."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    names = [f"manager{n:02d}" for n in range(1, approvers + 1)]
    with transaction(factory) as session:
        import_pack(session, PACK.read_text(encoding="utf-8"))
        query = ListQuery(filters=(Filter("code", "eq", "PRJ-2026-001"),))
        project = list_records(session, "project", SYSTEM, query).items[0].id
        accounts.create_user(session, "foreman", PASSWORD, roles=["foreman"])
        for name in names:
            user = accounts.create_user(
                session, name, PASSWORD, roles=["site_manager"], grants=[("project", project)]
            )
            wanted = Preferences(email=f"{name}@example.com", language="en", channels=("email",))
            save_preferences(session, user.id, wanted)
        session.add(NotificationChannel(channel="email", enabled=True, settings={}))
    with transaction(factory, write=False) as session:
        foreman = reader(session, "foreman")
    assert foreman is not None
    return Site(factory, StatementLog(engine), foreman, names, project)


def drafts(site: Site, count: int) -> list[str]:
    """`count` draft tallies of the foreman's, ready to submit."""
    rows = [tally(site.project, n) for n in range(count)]
    with transaction(site.factory) as session:
        return create_records(session, "labour_tally", rows, site.foreman)


def approvers_active(site: Site, active: bool) -> None:
    with transaction(site.factory) as session:
        session.execute(update(User).where(User.name.in_(site.approvers)).values(active=active))


def submit(site: Site, record_id: str, times: Timing, statements: list[int]) -> None:
    """One submit in a transaction of its own, timed, its statements counted."""
    site.log.statements, site.log.active = [], True
    start = time.perf_counter()
    try:
        with transaction(site.factory) as session:
            result = apply_transition(session, "labour_tally", record_id, "submit", site.foreman)
    finally:
        site.log.active = False
    times.samples_ms.append((time.perf_counter() - start) * 1000)
    statements.append(len(site.log.statements))
    assert result.fired and result.record.state == "submitted"


def told_about(site: Site, ids: list[str]) -> tuple[int, int]:
    """Notifications and pending e-mail rows written about these records."""
    with transaction(site.factory, write=False) as session:
        notes = session.scalar(
            select(func.count()).select_from(Notification).where(Notification.record_id.in_(ids))
        )
        sends = session.scalar(
            select(func.count())
            .select_from(NotificationSend)
            .join(Notification, Notification.id == NotificationSend.notification_id)
            .where(Notification.record_id.in_(ids), NotificationSend.status == "pending")
        )
    return notes or 0, sends or 0


def transitions(site: Site, runs: int, warmup: int) -> None:
    """Submits that tell the approvers against submits with nobody to tell, in turns."""
    ids = drafts(site, 2 * (runs + warmup))
    telling, silent = ids[::2], ids[1::2]
    times = {"tell": Timing(), "none": Timing()}
    counts: dict[str, list[int]] = {"tell": [], "none": []}
    for turn in range(runs + warmup):
        if turn == warmup:
            times, counts = {"tell": Timing(), "none": Timing()}, {"tell": [], "none": []}
            gc.collect()
        approvers_active(site, True)
        submit(site, telling[turn], times["tell"], counts["tell"])
        approvers_active(site, False)
        submit(site, silent[turn], times["none"], counts["none"])
    approvers_active(site, True)
    notes, sends = told_about(site, telling)
    quiet = told_about(site, silent)
    expected = len(telling) * len(site.approvers)
    assert (notes, sends) == (expected, expected), (notes, sends, expected)
    assert quiet == (0, 0), quiet
    tell, none = times["tell"], times["none"]
    print(
        f"submit a labour tally, {runs} each in turns after {warmup} to warm up "
        f"({len(site.approvers)} approvers with e-mail):"
    )
    for label, key in (("telling the approvers", "tell"), ("nobody to tell", "none")):
        timing = times[key]
        print(
            f"  {label:<22} median {timing.median:6.1f} ms, worst {timing.max:6.1f} ms, "
            f"{statistics.median(counts[key]):.0f} statements"
        )
    print(
        f"  notifications add {tell.median - none.median:.1f} ms to the median submit "
        f"({(tell.median / none.median - 1) * 100:+.0f} %); {notes} notifications and "
        f"{sends} e-mails waiting were written, none for the submits with nobody to tell"
    )


def example(site: Site) -> tuple[str, dict[str, Any]]:
    """A submitted tally and the parameters of the "task" event its submit raised."""
    (record,) = drafts(site, 1)
    with transaction(site.factory) as session:
        apply_transition(session, "labour_tally", record, "submit", site.foreman)
        found = session.scalars(
            select(Notification.params).where(Notification.record_id == record)
        ).first()
    return record, dict(found or {})


def queue(site: Site, count: int, record: str, params: dict[str, Any]) -> float:
    """`count` e-mails waiting: "task" events about one tally, spread over the approvers,
    written by `notify` as the workflow does; the seconds it took."""
    start = time.perf_counter()
    with transaction(site.factory) as session:
        for n in range(count):
            name = site.approvers[n % len(site.approvers)]
            notify(
                session, "task", [name], key=f"bench:{n}", module="labour_tally",
                record_id=record, actor="foreman", params=params,
            )  # fmt: skip
    return time.perf_counter() - start


def pending(site: Site) -> int:
    with transaction(site.factory, write=False) as session:
        found = session.scalar(
            select(func.count())
            .select_from(NotificationSend)
            .where(NotificationSend.status == "pending", NotificationSend.channel == "email")
        )
    return found or 0


def delivery(site: Site, count: int, limit: int) -> None:
    """Send what part 1 left (a warm-up), then `count` e-mails, timed, to a real server."""
    with running_smtp() as smtp:
        settings = configure(smtp)
        record, params = example(site)
        earlier = deliver_round(site.factory, limit=limit, settings=settings).sent
        assert pending(site) == 0
        before = len(smtp.received)
        took_queue = queue(site, count, record, params)
        waiting = pending(site)
        start = time.perf_counter()
        counts = deliver_round(site.factory, limit=limit, settings=settings)
        took = time.perf_counter() - start
        arrived = smtp.received[before:]
    ids = {str(mail.message["Message-ID"]) for mail in arrived}
    with transaction(site.factory, write=False) as session:
        sent = session.scalar(
            select(func.count())
            .select_from(NotificationSend)
            .where(NotificationSend.status == "sent", NotificationSend.channel == "email")
        )
    print(
        f"deliver {waiting:,} e-mails waiting ({count:,} queued by notify in {took_queue:.1f} s) "
        f"to an SMTP server on 127.0.0.1, batches of {limit}, one connection a message:"
    )
    print(
        f"  {counts.sent:,} sent in {took:.1f} s: {counts.sent / took:,.0f} messages/s "
        f"({took / max(counts.sent, 1) * 1000:.1f} ms each); {len(arrived):,} arrived, "
        f"{len(ids):,} distinct Message-IDs; {counts.retrying} to retry, {counts.failed} failed"
    )
    assert waiting == count and counts.sent == count, (waiting, counts)
    assert len(arrived) == count and len(ids) == count, (len(arrived), len(ids))
    assert pending(site) == 0 and sent == earlier + count, (sent, earlier)


def configure(smtp: SmtpServer) -> NotificationSettings:
    """FORMWORK_SMTP_* set to the local server, read as the worker reads them."""
    os.environ.update(
        FORMWORK_SMTP_HOST=smtp.host,
        FORMWORK_SMTP_PORT=str(smtp.port),
        FORMWORK_SMTP_TLS="none",
        FORMWORK_SMTP_FROM="Formwork <noreply@example.com>",
        FORMWORK_BASE_URL="https://formwork.example.com",
        FORMWORK_TIMEZONE="Asia/Shanghai",
    )
    return settings_from_env()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submits", type=int, default=100, help="timed submits of each kind")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--approvers", type=int, default=3)
    parser.add_argument("--emails", type=int, default=500)
    parser.add_argument("--batch", type=int, default=100, help="deliver_round's limit")
    parser.add_argument("--postgres", action="store_true", help="use TEST_DATABASE_URL's server")
    args = parser.parse_args()
    server = os.environ.get("TEST_DATABASE_URL") if args.postgres else None
    with scratch_database(server) as url:
        upgrade_database(url)
        site = set_up(url, args.approvers)
        engine = site.factory.kw["bind"]
        print(f"{engine.dialect.name} {server_version(engine)}")
        transitions(site, args.submits, args.warmup)
        delivery(site, args.emails, args.batch)
        engine.dispose()


if __name__ == "__main__":
    main()
