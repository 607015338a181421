"""Attachments in the pages: the engine's store and checks, refusals in the user's language.

The checks, the storage and the registration of each upload live in engine/attachments.py,
shared with the API's upload route; this module binds them to the configured folder
(`FORMWORK_UPLOADS`) and turns a refusal into a sentence for the form. Downloads go through
the record (see files.py), so only someone who may read the record and the field gets the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from flask import current_app

from engine import attachments
from engine.actor import Actor
from engine.attachments import (
    DEFAULT_MAX_BYTES,
    LocalFolder,
    Reference,
    parse_reference,
    size_text,
)
from engine.definitions.model import Field, Module
from web.pages.context import db
from web.problems import problem_message

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Reference",
    "UploadRefused",
    "check_and_store",
    "discard",
    "file_store",
    "parse_reference",
    "size_text",
    "stored_path",
]


class UploadRefused(ValueError):
    """An upload that breaks the field's limits; the message is for the user."""


def file_store() -> LocalFolder:
    """The attachment store of this app: the folder `FORMWORK_UPLOADS`."""
    return LocalFolder(Path(current_app.config["FORMWORK_UPLOADS"]))


def default_limit() -> int:
    return int(current_app.config.get("FORMWORK_MAX_UPLOAD", DEFAULT_MAX_BYTES))


def stored_path(reference: Reference) -> Path | None:
    return file_store().local_path(reference.file)


def refusal_text(refusal: attachments.UploadRefused) -> str:
    """The engine's refusal of an upload, in the user's language."""
    return "; ".join(problem_message(p) for p in refusal.problems)


def check_and_store(
    module: Module, field: Field, who: Actor, stream: IO[bytes], filename: str
) -> Reference:
    """Check an upload against the field's limits, store and register it; UploadRefused otherwise."""
    with db() as session:
        try:
            return attachments.store_upload(
                session, file_store(), module, field.name, who, stream, filename, default_limit()
            )
        except attachments.UploadRefused as exc:
            raise UploadRefused(refusal_text(exc)) from None


def discard(references: list[Reference]) -> None:
    """Remove stored files of a write that did not happen, and their registration."""
    if references:
        with db() as session:
            attachments.discard(session, file_store(), references)
