"""Attachments in the pages: the engine's store and checks, refusals in the user's language.

The checks, the storage and the registration of each upload live in engine/attachments.py,
shared with the API's upload route; this module binds them to the configured store and turns
a refusal into a sentence for the form. The store is the folder `FORMWORK_UPLOADS`, or with
`FORMWORK_STORAGE=s3` the bucket of the `FORMWORK_S3_*` settings (engine/file_buckets.py),
opened once per app when the app is built: a bucket that cannot be used stops the server
there, naming the setting. Downloads go through the record (see files.py), so only someone
who may read the record and the field gets the file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask.sansio.app import App

from engine import attachments
from engine.actor import Actor
from engine.attachments import (
    DEFAULT_MAX_BYTES,
    FileStore,
    LocalFolder,
    Reference,
    parse_reference,
    size_text,
)
from engine.definitions.model import Field, Module
from engine.file_buckets import BucketSettings, S3Bucket, StorageUnavailable
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
]

STORE = "formwork.files"  # the app's store, in app.extensions
SETTINGS = (
    "FORMWORK_STORAGE",
    "FORMWORK_S3_BUCKET",
    "FORMWORK_S3_PREFIX",
    "FORMWORK_S3_ENDPOINT",
    "FORMWORK_S3_REGION",
    "FORMWORK_S3_KEY",
    "FORMWORK_S3_SECRET",
)


class UploadRefused(ValueError):
    """An upload that breaks the field's limits; the message is for the user."""


def init_app(app: App) -> None:
    """Take the storage settings from the environment (unless config.py or the test config set
    them) and open the store: StorageUnavailable naming the setting when it cannot be used."""
    for name in SETTINGS:
        if name not in app.config and os.environ.get(name):
            app.config[name] = os.environ[name]
    app.extensions[STORE] = open_store(app.config)


def open_store(config: Mapping[str, Any]) -> FileStore:
    """The store `FORMWORK_STORAGE` names: `local` (the default) or `s3`, checked once."""
    kind = str(config.get("FORMWORK_STORAGE") or "local").strip().lower()
    if kind == "local":
        return LocalFolder(Path(config["FORMWORK_UPLOADS"]))
    if kind == "s3":
        bucket = S3Bucket(BucketSettings.from_config(config))
        bucket.check()
        return bucket
    raise StorageUnavailable(f"unknown storage {kind!r}: use local or s3", "FORMWORK_STORAGE")


def file_store() -> FileStore:
    """The attachment store of this app (opened by init_app, or now for an app without it)."""
    store: FileStore | None = current_app.extensions.get(STORE)
    if store is None:
        store = current_app.extensions[STORE] = open_store(current_app.config)
    return store


def default_limit() -> int:
    return int(current_app.config.get("FORMWORK_MAX_UPLOAD", DEFAULT_MAX_BYTES))


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
