"""Attachments in an S3-compatible bucket: two servers, one set of files.

A foreman uploads a site photo through the form of one server; it lands in the bucket (not
on that server's disk), downloads through the record from that server and from a second one
with a folder of its own, as behind a load balancer; the API's uploads land there too, and a
refused form write takes its upload back out of the bucket. A server pointed at a bucket it
cannot use does not start, and says which setting to fix. The bucket is moto's server on
127.0.0.1, started by the tests.
"""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.file_buckets import StorageUnavailable
from engine.imports.jobs import run_next
from tests.s3server import S3Server, running_s3_server
from tests.web.helpers import csrf_token, make_api, make_app, sign_in_as
from tests.web.test_api_attachments import send
from tests.web.test_import_page import CSV, job_url
from tests.web.test_import_page import upload as upload_import
from tests.web.test_pages_forms import tally_form, upload
from web import create_app
from web.pages.uploads import file_store

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    with running_s3_server() as server:
        yield server


@pytest.fixture
def bucket(s3: S3Server) -> str:
    return s3.new_bucket()


@pytest.fixture
def app(database_url: str, tmp_path: Path, s3: S3Server, bucket: str) -> Iterator[Flask]:
    made = make_app(database_url, tmp_path / "first", **s3.config(bucket, prefix="attachments"))
    yield made
    made.extensions["formwork"].engine.dispose()


def signed_in(app: Flask, name: str) -> FlaskClient:
    client = app.test_client()
    assert sign_in_as(client, name).status_code == 302
    return client


def files_on_disk(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_an_attachment_in_the_bucket_is_served_by_every_server(
    app: Flask,
    s3: S3Server,
    bucket: str,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = signed_in(app, "foreman")
    form = {**tally_form(app), "csrf_token": csrf_token(client)}
    form["f.photo"] = (io.BytesIO(PNG), "site photo 现场.png")
    created = upload(client, "/m/labour_tally/new", form)
    assert created.status_code == 303, created.text
    url = created.headers["Location"] + "/files/photo"
    [key] = s3.keys(bucket)
    assert key.startswith("attachments/") and files_on_disk(tmp_path / "first") == []

    download = client.get(url)
    assert download.status_code == 200 and download.data == PNG
    assert download.mimetype == "image/png" and download.content_length == len(PNG)
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=UTF-8''site%20photo%20%E7%8E%B0%E5%9C%BA.png"
        in download.headers["Content-Disposition"]
    )
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "private, no-store"
    download.close()

    # a second server, configured through its environment, with a folder of its own
    for name, value in {**s3.config(bucket, prefix="attachments")}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("FORMWORK_UPLOADS", str(tmp_path / "second"))
    other = create_app({"SECRET_KEY": "test", "TESTING": True})
    try:
        from_other = signed_in(other, "manager").get(url)
        assert from_other.status_code == 200 and from_other.data == PNG
        from_other.close()
    finally:
        other.extensions["formwork"].engine.dispose()
    assert files_on_disk(tmp_path / "second") == []


def test_a_refused_write_takes_its_upload_out_of_the_bucket(
    app: Flask, s3: S3Server, bucket: str
) -> None:
    client = signed_in(app, "foreman")
    form = {**tally_form(app, **{"d.worker": ""}), "csrf_token": csrf_token(client)}
    form["f.photo"] = (io.BytesIO(PNG), "site.png")
    refused = upload(client, "/m/labour_tally/new", form)
    assert refused.status_code == 422
    assert s3.keys(bucket) == []


def test_uploads_through_the_api_land_in_the_bucket(
    database_url: str, tmp_path: Path, s3: S3Server, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in s3.config(bucket).items():
        monkeypatch.setenv(name, value)
    api = make_api(database_url, tmp_path)
    try:
        uploaded = send(api, "labour_tally", "photo", PNG, "site.png", as_="foreman")
        assert uploaded.status_code == 201, uploaded.text
        assert s3.keys(bucket) == [uploaded.get_json()["file"]]
        assert files_on_disk(tmp_path / "uploads") == []
    finally:
        api.app.extensions["formwork"].engine.dispose()


def test_an_import_file_is_kept_in_the_bucket_and_read_from_there(
    app: Flask, s3: S3Server, bucket: str, tmp_path: Path
) -> None:
    client = signed_in(app, "accountant")
    url = job_url(upload_import(client, CSV.encode("utf-8")))
    [kept] = s3.keys(bucket)
    with app.app_context():
        store = file_store()
    assert run_next(app.extensions["formwork"].session_factory, store, worker="test") is not None
    page = client.get(url).text
    assert "<strong>1</strong> to create" in page and "HRB400 钢筋" in page
    assert kept in s3.keys(bucket) and files_on_disk(tmp_path / "first") == []


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_server_pointed_at_a_bucket_it_cannot_use_does_not_start(
    database_url: str, s3: S3Server
) -> None:
    base = {"DATABASE_URL": database_url, "SECRET_KEY": "test", "TESTING": True}
    unreachable = {**s3.config("any"), "FORMWORK_S3_ENDPOINT": f"http://127.0.0.1:{closed_port()}"}
    with pytest.raises(StorageUnavailable, match="check FORMWORK_S3_ENDPOINT"):
        create_app({**base, **unreachable})
    with pytest.raises(
        StorageUnavailable, match="'no-such-bucket' does not exist.*FORMWORK_S3_BUCKET"
    ):
        create_app({**base, **s3.config("no-such-bucket")})
    with pytest.raises(StorageUnavailable, match="check FORMWORK_STORAGE"):
        create_app({**base, "FORMWORK_STORAGE": "ftp"})
