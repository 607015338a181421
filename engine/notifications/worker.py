"""One round of notification work — every due send, then the digests whose hour has come —
for `formwork tick` and `formwork worker`, and the thread `formwork serve` runs it in.

A round sends in batches of `limit` until nothing more is due, so a backlog drains in one
tick. The thread never takes its server down: an error around a round (the database away
for a moment) is logged and the next round tries again.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from engine.notifications.delivery import deliver_due
from engine.notifications.digest import send_digests
from engine.notifications.outgoing import Sender
from engine.notifications.settings import NotificationSettings, settings_from_env

log = logging.getLogger(__name__)
MAX_BATCHES = 1000  # a bound on one round, whatever happens to the outbox meanwhile


@dataclass
class RoundCounts:
    sent: int = 0  # messages: single sends and digests
    retrying: int = 0
    failed: int = 0
    dropped: int = 0
    deferred: int = 0  # held until the recipient's quiet hours end

    @property
    def any(self) -> bool:
        return bool(self.sent or self.retrying or self.failed or self.dropped or self.deferred)

    def line(self) -> str:
        """What `formwork tick` prints."""
        said = (
            f"Notifications: {self.sent} sent, {self.retrying} to retry later, "
            f"{self.failed} given up, {self.dropped} dropped."
        )
        return said + (f" {self.deferred} held for quiet hours." if self.deferred else "")


def deliver_round(
    factory: sessionmaker[Session],
    *,
    limit: int = 100,
    settings: NotificationSettings | None = None,
    senders: Mapping[str, Sender] | None = None,
    now: dt.datetime | None = None,
) -> RoundCounts:
    """Today's digests whose hour has come, then what is due, in batches of `limit` until
    none is left (a digest turned off since has its rows sent one by one in this round)."""
    settings = settings or settings_from_env()
    digests = send_digests(factory, now=now, senders=senders, settings=settings)
    counts = RoundCounts(
        len(digests.sent), len(digests.retrying), len(digests.failed), len(digests.dropped)
    )
    for _ in range(MAX_BATCHES):
        report = deliver_due(factory, limit=limit, now=now, senders=senders, settings=settings)
        counts.sent += len(report.sent)
        counts.retrying += len(report.retrying)
        counts.failed += len(report.failed)
        counts.dropped += len(report.dropped)
        counts.deferred += len(report.deferred)
        if report.looked_at < limit:
            break
    return counts


class NotificationWorker(threading.Thread):
    """Sends notifications every `interval` seconds until `stop()` (in `formwork serve`)."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        interval: float = 10.0,
        settings: NotificationSettings | None = None,
    ):
        super().__init__(name="formwork-notifications", daemon=True)
        self.factory, self.interval = factory, interval
        self.settings = settings or settings_from_env()  # a wrong variable stops the start
        self.stopping = threading.Event()
        self.rounds = 0

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                deliver_round(self.factory, settings=self.settings)
            except OperationalError as busy:  # SQLite's lock held past its wait, a lost server
                log.warning("notifications: the database is busy or away: %s", busy)
            except Exception:  # logged; the next round tries again
                log.exception("notifications: a round failed")
            self.rounds += 1
            self.stopping.wait(self.interval)

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the round under way (join waits for it)."""
        self.stopping.set()
        if timeout is not None:
            self.join(timeout)
