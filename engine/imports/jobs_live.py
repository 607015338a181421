"""What a running import shares with its own process at once: progress and a cancel.

On SQLite an all-or-nothing import holds the database's one write lock until it ends, so its
progress cannot be written to `import_jobs` meanwhile (readers are never blocked, writers
queue). The runner keeps it here as well, and `job_view` reads it when the poller is served
by the process that runs the job (`formwork serve` runs its import thread in-process); other
processes see the table, brought up to date at every committed batch and at the end.
"""

from __future__ import annotations

import threading


class LiveJobs:
    """Progress and cancel requests of the jobs this process is running, by job id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._progress: dict[int, tuple[int, int]] = {}
        self._cancelled: set[int] = set()

    def start(self, job_id: int) -> None:
        with self._lock:
            self._progress[job_id] = (0, 0)

    def report(self, job_id: int, done: int, total: int) -> None:
        with self._lock:
            if job_id in self._progress:
                self._progress[job_id] = (done, total)

    def progress(self, job_id: int) -> tuple[int, int] | None:
        with self._lock:
            return self._progress.get(job_id)

    def running_here(self, job_id: int) -> bool:
        with self._lock:
            return job_id in self._progress

    def cancel(self, job_id: int) -> None:
        with self._lock:
            if job_id in self._progress:
                self._cancelled.add(job_id)

    def cancelled(self, job_id: int) -> bool:
        with self._lock:
            return job_id in self._cancelled

    def finish(self, job_id: int) -> None:
        with self._lock:
            self._progress.pop(job_id, None)
            self._cancelled.discard(job_id)


LIVE = LiveJobs()
