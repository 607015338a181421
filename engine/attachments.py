"""Attachments: one storage interface, the limits an upload must pass, and its registration.

A file field's value is a reference, a small JSON object in a string:
`{"file": "<32 hex>", "name": "photo.jpg", "type": "image/jpeg", "size": 48213}`. The file
lives in a `FileStore` (a local folder by default, an S3-compatible bucket when configured:
engine/file_buckets.py) under its generated id, never under the name the user gave. An
upload must fit the field's `x-max-bytes` and its `x-accept` list twice over: by the name's
extension and by the type sniffed from the content, so a script renamed to `.pdf` is refused.
Every stored file is registered in `uploads` (who, for which module and field), and a record
may only point at a file its writer uploaded for that field (see engine/records/checks.py):
the form and the API reach files through this one road.
"""

from __future__ import annotations

import json
import mimetypes
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

import filetype
from sqlalchemy import delete
from sqlalchemy.orm import Session

from engine.abilities import abilities
from engine.actor import Actor
from engine.definitions.model import Field, Module
from engine.errors import NotFound, PermissionDenied, Problem, ValidationFailed
from engine.models import Upload

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
SNIFF_BYTES = 8192
CHUNK_BYTES = 1024 * 1024
FILE_ID_LENGTH = 32


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
        and not isinstance(size, bool)
    ):
        return None
    return Reference(file, name, kind, size)


class UploadRefused(ValidationFailed):
    """An upload that breaks the field's limits, coded `upload_<code>` (engine/codes.py)."""

    def __init__(self, path: str, code: str, message: str, **params: Any):
        self.params = params
        super().__init__([Problem(path, f"upload_{code}", params)])


class FileStore(Protocol):
    """Where attachment bytes live: a local folder, or a bucket (engine/file_buckets.py).

    Nothing asks a store for a path: readers stream through `open`, and the few that need a
    real file (openpyxl, an import) borrow one through `local_copy`. So servers on several
    machines can share one bucket and none of them needs the files on its own disk.
    """

    def save(self, file_id: str, chunks: Iterable[bytes]) -> None: ...

    def open(self, file_id: str) -> IO[bytes] | None:
        """The stored bytes as a stream to read and close; None when nothing is stored."""
        ...

    def size(self, file_id: str) -> int | None:
        """The stored file's size in bytes; None when nothing is stored (`exists` too)."""
        ...

    def delete(self, file_id: str) -> None: ...


@dataclass(frozen=True)
class LocalFolder:
    """Files under `root/<first two hex>/<id>`, written to a hidden part file, then renamed."""

    root: Path

    def _path(self, file_id: str) -> Path:
        return self.root / file_id[:2] / file_id

    def save(self, file_id: str, chunks: Iterable[bytes]) -> None:
        folder = self.root / file_id[:2]
        folder.mkdir(parents=True, exist_ok=True)
        draft = folder / f".{file_id}.part"
        try:
            with open(draft, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
            os.replace(draft, folder / file_id)
        finally:
            if draft.exists():
                draft.unlink()

    def local_path(self, file_id: str) -> Path | None:
        path = self._path(file_id)
        return path if path.is_file() else None

    def open(self, file_id: str) -> IO[bytes] | None:
        try:
            return open(self._path(file_id), "rb")
        except (FileNotFoundError, IsADirectoryError):
            return None

    def size(self, file_id: str) -> int | None:
        path = self.local_path(file_id)
        return path.stat().st_size if path is not None else None

    def delete(self, file_id: str) -> None:
        path = self._path(file_id)
        if path.exists():
            path.unlink()


@contextmanager
def local_copy(store: FileStore, file_id: str, suffix: str = "") -> Iterator[Path]:
    """The stored file as a real file, for readers that need one (openpyxl, an import).

    A local folder lends the file itself; a bucket lends a temporary download, removed when
    the block ends. `suffix` (".xlsx") names the copy for readers that go by the extension,
    as openpyxl does. FileNotFoundError when nothing is stored under `file_id`.
    """
    own = store.local_path(file_id) if isinstance(store, LocalFolder) else None
    if own is not None and not suffix:
        yield own
        return
    with tempfile.TemporaryDirectory(prefix="formwork-file-") as folder:
        copy = Path(folder) / f"{file_id}{suffix}"
        if own is not None:
            copy.symlink_to(own)
        else:
            stream = store.open(file_id)
            if stream is None:
                raise FileNotFoundError(f"no stored file {file_id}")
            with stream, open(copy, "wb") as out:
                shutil.copyfileobj(stream, out, CHUNK_BYTES)
        yield copy


def field_key(path: str) -> str:
    """`/photo` → "photo", `/items/0/photo` → "items.photo": the field an upload is for."""
    parts = [p for p in path.split("/") if p and not p.isdigit()]
    return ".".join(parts)


def file_field(module: Module, key: str) -> Field | None:
    """The file field named by `key` ("photo" or "items.photo"), or None."""
    name, _sep, child = key.partition(".")
    f = module.field(name)
    if f is not None and child:
        f = next((c for c in f.children if c.name == child), None)
    return f if f is not None and f.kind_type.holds_files else None


def store_upload(
    session: Session,
    store: FileStore,
    module: Module,
    key: str,
    actor: Actor,
    stream: IO[bytes],
    filename: str,
    default_limit: int = DEFAULT_MAX_BYTES,
) -> Reference:
    """Check an upload against the field's limits, store it and register it for `actor`."""
    f = writable_field(module, key, actor)
    path = "/" + key.replace(".", "/")
    limit = f.max_bytes or default_limit
    return save_upload(
        session, store, actor, module.id, key, path, stream, filename, limit, f.accept
    )


def save_upload(
    session: Session,
    store: FileStore,
    actor: Actor,
    module_id: str,
    field: str,
    path: str,
    stream: IO[bytes],
    filename: str,
    limit: int,
    accept: Sequence[str] = (),
) -> Reference:
    """Check a file (not empty, of an `accept`ed kind if any are named, at most `limit`
    bytes; refusals at `path`), store it and register it for `actor` under module and field.
    The caller has checked that `actor` may upload there."""
    name = _clean_name(filename)
    head = stream.read(SNIFF_BYTES)
    if not head:
        raise UploadRefused(path, "empty", "the file is empty")
    sniffed, ext_type = _sniff(head, name)
    if accept and not any(_matches(p, name, ext_type, sniffed) for p in accept):
        kinds = ", ".join(accept)
        raise UploadRefused(
            path,
            "accept",
            f"files of this kind are not accepted here (allowed: {kinds})",
            kinds=kinds,
        )
    file_id = secrets.token_hex(FILE_ID_LENGTH // 2)
    counted = _Counted(head, stream, limit, path)
    store.save(file_id, counted)
    kind = sniffed or ext_type or "application/octet-stream"
    session.add(
        Upload(
            id=file_id,
            user_id=actor.user_id,
            module=module_id,
            field=field,
            name=name,
            type=kind,
            size=counted.size,
        )
    )
    session.flush()
    return Reference(file_id, name, kind, counted.size)


def discard(session: Session, store: FileStore, references: Iterable[Reference]) -> None:
    """Forget the uploads of a write that did not happen, files and rows alike."""
    ids = [r.file for r in references]
    for file_id in ids:
        store.delete(file_id)
    if ids:
        session.execute(delete(Upload).where(Upload.id.in_(ids)))


def writable_field(module: Module, key: str, actor: Actor) -> Field:
    """The attachment field `key` if `actor` may write it: NotFound or PermissionDenied else."""
    may = abilities(actor, module)
    may.require_read()
    f = file_field(module, key)
    if f is None:
        raise NotFound(code="no_attachment_field", module=module.id, field=key)
    if actor.user_id is None:
        raise PermissionDenied(code="sign_in_to_upload")
    writable = key.partition(".")[0] in may.writable
    if not writable or f.read_only or not (may.create or may.update):
        raise PermissionDenied(code="field_not_writable", field=key)
    return f


class _Counted:
    """The upload's chunks, refusing the one that crosses the size limit."""

    def __init__(self, head: bytes, stream: IO[bytes], limit: int, path: str):
        self.head, self.stream, self.limit, self.path = head, stream, limit, path
        self.size = 0

    def __iter__(self) -> Iterator[bytes]:
        chunk = self.head
        while chunk:
            self.size += len(chunk)
            if self.size > self.limit:
                raise UploadRefused(
                    self.path,
                    "too_large",
                    f"the file is larger than {size_text(self.limit)}",
                    limit=self.limit,
                )
            yield chunk
            chunk = self.stream.read(CHUNK_BYTES)


def _clean_name(name: str) -> str:
    name = os.path.basename(name.replace("\\", "/")).strip()
    name = "".join(c for c in name if c.isprintable() and c not in '"<>:|?*')
    return name[:200] or "file"


def _sniff(head: bytes, name: str) -> tuple[str | None, str | None]:
    """The type read from the content, and the type the name's extension claims."""
    sniffed = filetype.guess_mime(head)
    ext_type = mimetypes.guess_type(name)[0]
    if sniffed is None and _plain_text_type(ext_type):
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            sniffed = "application/octet-stream"
        if b"\0" in head:
            sniffed = "application/octet-stream"
    return sniffed, ext_type


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


def size_text(size: int) -> str:
    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}".replace(".0 ", " ")
    return f"{size} B"
