"""The thread that runs queued import jobs one after another, for `formwork worker` and the
one `formwork serve` starts in-process.

It never takes its host down: a job that fails is recorded as failed by the runner, and any
error around it (the database away for a moment, SQLite's write lock held past its wait by
a long all-or-nothing import) is logged and tried again after a pause.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from engine.attachments import FileStore
from engine.imports.jobs import run_next

log = logging.getLogger(__name__)


def worker_name(role: str) -> str:
    """Who runs a job, as the job's row records it: host, process and role."""
    return f"{socket.gethostname()}:{os.getpid()}:{role}"


class ImportWorker(threading.Thread):
    """Runs queued import jobs until `stop()`; looks for new ones every `interval` seconds."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        store: FileStore | Callable[[], FileStore],
        *,
        interval: float = 2.0,
        role: str = "imports",
    ):
        super().__init__(name="formwork-imports", daemon=True)
        self.factory, self._store, self.interval = factory, store, interval
        self.worker = worker_name(role)
        self.stopping = threading.Event()
        self.ran: list[int] = []

    def store(self) -> FileStore:
        return self._store() if callable(self._store) else self._store

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                job_id = run_next(self.factory, self.store(), worker=self.worker)
            except OperationalError as busy:  # SQLite's lock held past its wait, a lost server
                log.warning("import worker %s: the database is busy or away: %s", self.worker, busy)
                job_id = None
            except Exception:  # logged; the next round tries again
                log.exception("import worker %s: a round failed", self.worker)
                job_id = None
            if job_id is not None:
                self.ran.append(job_id)
                continue
            self.stopping.wait(self.interval)

    def stop(self, timeout: float | None = None) -> None:
        """Stop looking for jobs; a job under way runs to its end (join waits for it)."""
        self.stopping.set()
        if timeout is not None:
            self.join(timeout)
