"""The table of imports run as background work (engine/imports/jobs.py), on the same
Base as engine/models.py; migrations/env.py imports it so Alembic sees it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base, utcnow


class ImportJob(Base):
    """One import run as background work: the file, who asked, how far it got and what it did.

    Queued by a page, the API or the command line, claimed by one worker (engine/imports/
    jobs.py), and kept afterwards as the history of who imported what into which module.
    """

    __tablename__ = "import_jobs"
    __table_args__ = (
        Index("ix_import_jobs_status", "status", "id"),
        Index("ix_import_jobs_module", "module", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    module: Mapped[str] = mapped_column(String(64))
    file_id: Mapped[str] = mapped_column(String(64))  # in the FileStore
    file_name: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    by: Mapped[str | None] = mapped_column(String(64))  # the user's name; None: command line
    options: Mapped[dict[str, Any]] = mapped_column(JSON)  # mapping, key, mode, encoding, ...
    status: Mapped[str] = mapped_column(String(16), default="queued")
    total: Mapped[int | None] = mapped_column(Integer)  # records read from the file
    done: Mapped[int] = mapped_column(Integer, default=0)  # records written (or found wrong)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[list[Any]] = mapped_column(JSON, default=list)  # the first 200
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # mapping, sample...
    rejected_file_id: Mapped[str | None] = mapped_column(String(64))
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    worker: Mapped[str | None] = mapped_column(String(200))
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
