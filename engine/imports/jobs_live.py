"""What a running import shares at once, outside its transaction: progress and a cancel.

On SQLite an all-or-nothing import holds the database's one write lock until it ends, so its
progress cannot be written to `import_jobs` meanwhile (readers are never blocked; writers,
a cancel among them, would wait for the end). So the runner keeps its progress in memory
for its own process (`LiveJobs`) and in a small file beside the database for the others on
the machine (`Beside`); a cancel is a file there too. The table is brought up to date at
every committed batch (mode "valid") and at the end. On PostgreSQL a second session writes
progress to the table and a cancel is a column; these are then only the in-process path.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from sqlalchemy.orm import Session


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


class Beside:
    """A running job's progress and cancel request in two small files beside a SQLite
    database, for the other processes on its machine (SQLite's readers and writers are all
    on one machine): written without the database's write lock, read without a statement.
    """

    def __init__(self, database: str, job_id: int):
        base = Path(database)
        self.progress_file = base.with_name(f"{base.name}-import-{job_id}.progress")
        self.cancel_file = base.with_name(f"{base.name}-import-{job_id}.cancel")

    @classmethod
    def of(cls, session: Session, job_id: int) -> Beside | None:
        """The files of a job on a SQLite file database; None on any other."""
        url = session.get_bind().engine.url
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return cls(str(url.database), job_id)

    def report(self, done: int, total: int) -> None:
        draft = self.progress_file.with_suffix(".part")
        draft.write_text(json.dumps([done, total]), encoding="utf-8")
        os.replace(draft, self.progress_file)

    def progress(self) -> tuple[int, int] | None:
        try:
            done, total = json.loads(self.progress_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return int(done), int(total)

    def cancel(self) -> None:
        self.cancel_file.touch()

    def cancelled(self) -> bool:
        return self.cancel_file.exists()

    def clear(self) -> None:
        self.progress_file.unlink(missing_ok=True)
        self.cancel_file.unlink(missing_ok=True)
