"""Attachments in an S3-compatible bucket (a real local server, moto's): stored under the
prefix, read back as a stream, a big file sent in parts, a refused upload leaving nothing
behind, a real file lent to readers that need one — and a wrong setting named at start-up."""

from __future__ import annotations

import copy
import io
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from engine.actor import SYSTEM
from engine.attachments import LocalFolder, UploadRefused, local_copy, store_upload
from engine.catalog import load_catalog
from engine.file_buckets import BucketSettings, S3Bucket, StorageUnavailable
from engine.packs import import_pack
from engine.records import create_record
from tests.engine.people import make_user
from tests.engine.sample_pack import SAMPLE
from tests.s3server import S3Server, running_s3_server

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
FILE_ID = "0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    with running_s3_server() as server:
        yield server


def bucket_store(s3: S3Server, prefix: str = "") -> tuple[S3Bucket, str]:
    name = s3.new_bucket()
    return S3Bucket(BucketSettings.from_config(s3.config(name, prefix))), name


def test_a_file_is_stored_under_the_prefix_read_back_and_deleted(s3: S3Server) -> None:
    store, bucket = bucket_store(s3, prefix="site-a")
    store.check()
    store.save(FILE_ID, [b"first part, ", b"second part"])
    assert s3.keys(bucket) == [f"site-a/{FILE_ID}"]
    assert store.size(FILE_ID) == len(b"first part, second part")
    stream = store.open(FILE_ID)
    assert stream is not None
    with stream:
        assert stream.read(5) == b"first"
        assert stream.read() == b" part, second part"
    store.delete(FILE_ID)
    assert s3.keys(bucket) == []
    assert store.open(FILE_ID) is None and store.size(FILE_ID) is None
    store.delete(FILE_ID)  # deleting what is gone is no error


def test_a_big_file_goes_up_in_parts_and_comes_back_whole(s3: S3Server) -> None:
    store, bucket = bucket_store(s3)
    block = bytes(range(256)) * 4096  # 1 MiB
    chunks = [block] * 20  # 20 MiB: three parts of at most 8 MiB
    store.save(FILE_ID, chunks)
    head = s3.client().head_object(Bucket=bucket, Key=FILE_ID)
    assert head["ContentLength"] == 20 * len(block)
    assert head["ETag"].strip('"').endswith("-3")  # the ETag of a three-part upload
    stream = store.open(FILE_ID)
    assert stream is not None
    with stream:
        for _ in range(20):
            assert stream.read(len(block)) == block
        assert stream.read() == b""


def test_a_real_file_is_lent_to_readers_that_need_one_and_removed_after(
    s3: S3Server, tmp_path: Path
) -> None:
    store, _bucket = bucket_store(s3)
    store.save(FILE_ID, [b"PK\x03\x04 a workbook"])
    with local_copy(store, FILE_ID, suffix=".xlsx") as path:
        assert path.name.endswith(".xlsx") and path.read_bytes() == b"PK\x03\x04 a workbook"
    assert not path.exists() and not path.parent.exists()
    with pytest.raises(FileNotFoundError), local_copy(store, "f" * 32):
        pass
    folder = LocalFolder(tmp_path / "files")
    folder.save(FILE_ID, [b"kept here"])
    with local_copy(folder, FILE_ID) as own:
        assert own == folder.local_path(FILE_ID)  # the file itself, no copy
    with local_copy(folder, FILE_ID, suffix=".csv") as named:
        assert named.name.endswith(".csv") and named.read_bytes() == b"kept here"
    assert folder.local_path(FILE_ID) is not None and not named.exists()


@pytest.fixture
def labour(session: Session) -> dict:
    pack = copy.deepcopy(SAMPLE)
    photo = {"type": "string", "x-file": True, "x-accept": ["image/*"], "x-max-bytes": 9 << 20}
    pack["modules"][1]["schema"]["properties"]["photo"] = photo
    import_pack(session, pack)
    create_record(session, "project", {"code": "A", "name": "Tower A"}, SYSTEM)
    return {
        "module": load_catalog(session).module("labour"),
        "lee": make_user(session, "lee", "foreman"),
    }


def test_an_upload_refused_half_way_leaves_no_object_and_no_open_parts(
    s3: S3Server, session: Session, labour: dict
) -> None:
    store, bucket = bucket_store(s3)
    big = PNG + b"\x00" * (10 << 20)  # over the 9 MiB limit, after one whole part was sent
    with pytest.raises(UploadRefused) as refused:
        store_upload(
            session, store, labour["module"], "photo", labour["lee"], io.BytesIO(big), "a.png"
        )
    assert refused.value.problems[0].code == "upload_too_large"
    assert s3.keys(bucket) == []
    assert s3.client().list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    kept = store_upload(
        session, store, labour["module"], "photo", labour["lee"], io.BytesIO(PNG), "b.png"
    )
    assert s3.keys(bucket) == [kept.file] and store.size(kept.file) == len(PNG)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_wrong_setting_is_named_at_start_up(s3: S3Server) -> None:
    with pytest.raises(StorageUnavailable) as no_bucket:
        BucketSettings.from_config({"FORMWORK_STORAGE": "s3"})
    assert no_bucket.value.setting == "FORMWORK_S3_BUCKET"
    missing = S3Bucket(BucketSettings.from_config(s3.config("no-such-bucket")))
    with pytest.raises(StorageUnavailable) as gone:
        missing.check()
    assert gone.value.setting == "FORMWORK_S3_BUCKET" and "no-such-bucket" in str(gone.value)
    elsewhere = {**s3.config("any"), "FORMWORK_S3_ENDPOINT": f"http://127.0.0.1:{closed_port()}"}
    with pytest.raises(StorageUnavailable) as unreachable:
        S3Bucket(BucketSettings.from_config(elsewhere)).check()
    assert unreachable.value.setting == "FORMWORK_S3_ENDPOINT"
    assert "check FORMWORK_S3_ENDPOINT" in str(unreachable.value)
