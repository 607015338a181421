"""Attachments through the engine: an upload is checked, stored and registered for its
writer, field and module; a record takes only its writer's own upload for that field —
in child-table rows too — and a refused write leaves nothing behind."""

from __future__ import annotations

import copy
import io
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from engine.actor import SYSTEM, Actor
from engine.attachments import LocalFolder, Reference, UploadRefused, store_upload
from engine.catalog import load_catalog
from engine.errors import ValidationFailed
from engine.packs import import_pack
from engine.records import create_record, get_record
from tests.engine.people import make_user
from tests.engine.sample_pack import SAMPLE

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def pack_with_photos() -> dict:
    """The sample pack with a photo on the tally and one on each of its rows."""
    pack = copy.deepcopy(SAMPLE)
    labour = pack["modules"][1]
    photo = {"type": "string", "x-file": True, "x-accept": ["image/*"], "x-max-bytes": 1024}
    labour["schema"]["properties"]["photo"] = dict(photo)
    labour["schema"]["properties"]["items"]["items"]["properties"]["photo"] = dict(photo)
    return pack


@pytest.fixture
def site(session: Session) -> dict:
    import_pack(session, pack_with_photos())
    project = create_record(session, "project", {"code": "A", "name": "Tower A"}, SYSTEM)
    return {
        "project": project.id,
        "lee": make_user(session, "lee", "foreman"),
        "wang": make_user(session, "wang", "foreman"),
    }


def upload(session: Session, store: LocalFolder, who: Actor, key: str, data: bytes) -> Reference:
    module = load_catalog(session).module("labour")
    return store_upload(session, store, module, key, who, io.BytesIO(data), "p.png")


def tally(project: str, photo: str | None = None, row_photo: str | None = None) -> dict:
    row = {"task": "tie", "hours": "2", "rate": "10", "photo": row_photo}
    return {
        "project": project,
        "date": "2026-11-02",
        "worker": "Lee",
        "items": [row],
        "photo": photo,
    }


def test_uploads_of_the_writer_are_accepted_in_the_record_and_its_rows(
    session: Session, site: dict, tmp_path: Path
) -> None:
    store = LocalFolder(tmp_path / "files")
    lee: Actor = site["lee"]
    top = upload(session, store, lee, "photo", PNG)
    row = upload(session, store, lee, "items.photo", PNG)
    assert store.local_path(top.file) is not None
    record = create_record(
        session, "labour", tally(site["project"], top.as_text(), row.as_text()), lee
    )
    stored = get_record(session, "labour", record.id, lee)
    assert stored.data["photo"] == top.as_text()
    assert stored.data["items"][0]["photo"] == row.as_text()


def test_another_writers_or_another_fields_upload_is_refused(
    session: Session, site: dict, tmp_path: Path
) -> None:
    store = LocalFolder(tmp_path / "files")
    lee, wang = site["lee"], site["wang"]
    theirs = upload(session, store, wang, "photo", PNG)
    row = upload(session, store, lee, "items.photo", PNG)
    with pytest.raises(ValidationFailed) as refused:
        create_record(
            session, "labour", tally(site["project"], theirs.as_text(), theirs.as_text()), lee
        )
    assert {p.path for p in refused.value.problems} == {"/photo", "/items/0/photo"}
    with pytest.raises(ValidationFailed) as wrong_field:
        create_record(session, "labour", tally(site["project"], row.as_text()), lee)
    assert [p.path for p in wrong_field.value.problems] == ["/photo"]


def test_an_upload_over_the_limit_or_of_the_wrong_kind_is_not_kept(
    session: Session, site: dict, tmp_path: Path
) -> None:
    store = LocalFolder(tmp_path / "files")
    with pytest.raises(UploadRefused) as large:
        upload(session, store, site["lee"], "photo", PNG + b"\x00" * 2048)
    assert large.value.problems[0].code == "upload_too_large"
    with pytest.raises(UploadRefused) as kind:
        upload(session, store, site["lee"], "items.photo", b"%PDF-1.4\n%%EOF\n")
    assert kind.value.problems[0].code == "upload_accept"
    assert [p for p in (tmp_path / "files").rglob("*") if p.is_file()] == []
