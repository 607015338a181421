"""Attachments: checked, stored under FORMWORK_UPLOADS with a generated name, referenced.

A file field's value is a reference string, a small JSON object:
`{"file": "<32 hex>", "name": "photo.jpg", "type": "image/jpeg", "size": 48213}`. The
file itself lives at `FORMWORK_UPLOADS/<first two hex>/<32 hex>`: never under the name
the user gave. An upload must fit the field's `x-max-bytes` and its `x-accept` list twice
over: by the name's extension and by the type sniffed from the content, so a script
renamed to `.pdf` or a PDF renamed to `.jpg` is refused. Downloads go through the record
(see files.py), so only someone who may read the record and the field gets the file.
"""

from __future__ import annotations

import json
import mimetypes
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import filetype
from flask import current_app
from flask_babel import gettext as _

from engine.definitions.model import Field

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
SNIFF_BYTES = 8192
FILE_ID_LENGTH = 32


class UploadRefused(ValueError):
    """An upload that breaks the field's limits; the message is for the user."""


@dataclass(frozen=True)
class Reference:
    file: str
    name: str
    type: str
    size: int

    def as_text(self) -> str:
        return json.dumps(
            {"file": self.file, "name": self.name, "type": self.type, "size": self.size},
            ensure_ascii=False,
            separators=(",", ":"),
        )


def parse_reference(value: Any) -> Reference | None:
    """The reference in a file field's value, or None when it is not one of ours."""
    if not isinstance(value, str) or not value.startswith("{"):
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    file, name, kind, size = data.get("file"), data.get("name"), data.get("type"), data.get("size")
    if not (
        isinstance(file, str)
        and len(file) == FILE_ID_LENGTH
        and all(c in "0123456789abcdef" for c in file)
        and isinstance(name, str)
        and isinstance(kind, str)
        and isinstance(size, int)
    ):
        return None
    return Reference(file, name, kind, size)


def uploads_folder() -> Path:
    return Path(current_app.config["FORMWORK_UPLOADS"])


def stored_path(reference: Reference) -> Path:
    return uploads_folder() / reference.file[:2] / reference.file


def _clean_name(name: str) -> str:
    name = os.path.basename(name.replace("\\", "/")).strip()
    name = "".join(c for c in name if c.isprintable() and c not in '"<>:|?*')
    return name[:200] or "file"


def _matches(pattern: str, name: str, ext_type: str | None, sniffed: str | None) -> bool:
    """Whether a file is of an accepted kind, by its extension and by its content alike."""
    pattern = pattern.strip().lower()
    lower = name.lower()
    if pattern.startswith("."):
        if not lower.endswith(pattern):
            return False
        return sniffed == ext_type if sniffed is not None else _plain_text_type(ext_type)
    if "/" not in pattern or sniffed is None or ext_type is None:
        return False
    if pattern.endswith("/*"):
        major = pattern[:-1]
        return sniffed.startswith(major) and ext_type.startswith(major)
    return sniffed == pattern and ext_type == pattern


def _plain_text_type(ext_type: str | None) -> bool:
    return ext_type is not None and (ext_type.startswith("text/") or ext_type == "application/json")


def check_and_store(field: Field, stream: IO[bytes], filename: str) -> Reference:
    """Check an upload against the field's limits and store it; UploadRefused otherwise."""
    name = _clean_name(filename)
    limit = field.max_bytes or current_app.config.get("FORMWORK_MAX_UPLOAD", DEFAULT_MAX_BYTES)
    head = stream.read(SNIFF_BYTES)
    sniffed = filetype.guess_mime(head) if head else None
    ext_type = mimetypes.guess_type(name)[0]
    if sniffed is None and head and _plain_text_type(ext_type):
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            sniffed = "application/octet-stream"
        if b"\0" in head:
            sniffed = "application/octet-stream"
    if not head:
        raise UploadRefused(_("The file is empty."))
    if field.accept and not any(_matches(p, name, ext_type, sniffed) for p in field.accept):
        raise UploadRefused(
            _(
                "This kind of file is not accepted here (allowed: %(kinds)s).",
                kinds=", ".join(field.accept),
            )
        )
    file_id = secrets.token_hex(FILE_ID_LENGTH // 2)
    folder = uploads_folder() / file_id[:2]
    folder.mkdir(parents=True, exist_ok=True)
    draft = folder / f".{file_id}.part"
    size = len(head)
    try:
        with open(draft, "wb") as out:
            out.write(head)
            while size <= limit:
                chunk = stream.read(1024 * 1024)
                if not chunk:
                    break
                size += len(chunk)
                if size <= limit:
                    out.write(chunk)
        if size > limit:
            raise UploadRefused(_("The file is larger than %(limit)s.", limit=size_text(limit)))
        os.replace(draft, folder / file_id)
    finally:
        if draft.exists():
            draft.unlink()
    kind = sniffed or ext_type or "application/octet-stream"
    return Reference(file_id, name, kind, size)


def discard(references: list[Reference]) -> None:
    """Remove stored files of a write that did not happen."""
    for reference in references:
        path = stored_path(reference)
        if path.exists():
            path.unlink()


def size_text(size: int) -> str:
    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}".replace(".0 ", " ")
    return f"{size} B"
