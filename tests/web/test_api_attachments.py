"""Attachments through the API: uploaded for a field, then referenced — never borrowed.

An API user uploads a file for a field (same type and size checks as the form) and puts the
answer's `value` into the record. A reference to a file someone else uploaded, one made up,
or one whose name, type or size was edited is refused with the field's path, and nothing is
written; a value the record already had may be sent back unchanged.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from werkzeug.test import EnvironBuilder

from engine.catalog import load_catalog
from tests.web.helpers import PREFIX, Api, body, errors, labour_data, paths

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def send(api: Api, module: str, field: str, content: bytes, name: str, as_: str) -> Any:
    """POST a multipart upload, closing the temporary file the test client spools it into."""
    builder = EnvironBuilder(
        path=f"{PREFIX}/modules/{module}/files/{field}",
        method="POST",
        data={"file": (io.BytesIO(content), name)},
        headers={"Authorization": f"Bearer {api.tokens[as_]}"},
    )
    environ = builder.get_environ()
    try:
        return api.client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def project(api: Api) -> str:
    return str(api.first("project")["id"])


def stored_files(tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()]


def count(api: Api, module: str) -> int:
    response = api.get(f"/modules/{module}/records")
    return int(body(response)["total"])


def test_a_file_uploaded_for_the_field_is_accepted_in_a_record(api: Api, tmp_path: Path) -> None:
    uploaded = send(api, "labour_tally", "photo", PNG, "site.png", as_="foreman")
    assert uploaded.status_code == 201, uploaded.text
    reference = body(uploaded)
    assert reference["type"] == "image/png" and reference["size"] == len(PNG)
    assert json.loads(reference["value"])["file"] == reference["file"]
    data = labour_data(project(api), photo=reference["value"])
    created = api.post("/modules/labour_tally/records", as_="foreman", json={"data": data})
    assert created.status_code == 201, created.text
    record = body(created)
    assert record["data"]["photo"] == reference["value"]
    # sending the stored value back unchanged is fine
    kept = {"version": 1, "data": {"worker": "Li Lei", "photo": reference["value"]}}
    changed = api.patch(f"/modules/labour_tally/records/{record['id']}", as_="foreman", json=kept)
    assert changed.status_code == 200, changed.text


def test_borrowed_made_up_or_edited_file_references_are_refused(api: Api) -> None:
    mine = body(send(api, "labour_tally", "photo", PNG, "site.png", as_="foreman"))
    theirs = body(send(api, "fund", "attachment", PDF, "voucher.pdf", as_="accountant"))
    made_up = json.dumps({"file": "a" * 32, "name": "x.png", "type": "image/png", "size": 9})
    edited = json.dumps({**json.loads(mine["value"]), "size": 1})
    before = count(api, "labour_tally")
    for value in (theirs["value"], made_up, edited, "plain text"):
        data = labour_data(project(api), photo=value)
        refused = api.post("/modules/labour_tally/records", as_="foreman", json={"data": data})
        assert refused.status_code == 422, (value, refused.text)
        assert paths(refused) == {"/photo"}
    # the accountant cannot use the foreman's upload either, not even in the same module
    fund = {
        "project": project(api),
        "direction": "out",
        "category": "labour",
        "counterparty": "Crew 3",
        "amount": "100.00",
        "date": "2026-03-02",
        "attachment": mine["value"],
    }
    borrowed = api.post("/modules/fund/records", as_="accountant", json={"data": fund})
    assert borrowed.status_code == 422 and paths(borrowed) == {"/attachment"}
    assert count(api, "labour_tally") == before


def test_pointing_an_existing_record_at_another_records_file_is_refused(api: Api) -> None:
    first = body(send(api, "labour_tally", "photo", PNG, "one.png", as_="foreman"))
    created = api.post(
        "/modules/labour_tally/records",
        as_="admin",
        json={"data": labour_data(project(api))},
    )
    record = body(created)
    stolen = {"version": 1, "data": {"photo": first["value"]}}
    refused = api.patch(f"/modules/labour_tally/records/{record['id']}", as_="admin", json=stolen)
    assert refused.status_code == 422 and paths(refused) == {"/photo"}
    again = body(api.get(f"/modules/labour_tally/records/{record['id']}"))
    assert again["version"] == 1 and again["data"].get("photo") is None


def test_api_uploads_pass_the_same_type_size_and_permission_checks(
    api: Api, tmp_path: Path
) -> None:
    disguised = send(api, "labour_tally", "photo", PDF, "photo.png", as_="foreman")
    assert disguised.status_code == 422 and paths(disguised) == {"/photo"}
    assert "not accepted" in errors(disguised)[0]["message"]
    empty = send(api, "labour_tally", "photo", b"", "empty.png", as_="foreman")
    assert empty.status_code == 422
    with api.app.app_context(), api.session_factory() as session:
        limit = load_catalog(session).module("labour_tally").field("photo").max_bytes
    assert limit is not None
    big = PNG + b"\x00" * limit
    too_large = send(api, "labour_tally", "photo", big, "big.png", as_="foreman")
    assert too_large.status_code in (413, 422)
    assert stored_files(tmp_path) == []
    viewer = send(api, "labour_tally", "photo", PNG, "site.png", as_="viewer")
    assert viewer.status_code == 403
    unknown = send(api, "labour_tally", "worker", PNG, "site.png", as_="foreman")
    assert unknown.status_code == 404
    hidden = send(api, "fund", "attachment", PDF, "voucher.pdf", as_="planner")
    assert hidden.status_code == 404  # the planner cannot read funds at all
    missing = api.post("/modules/labour_tally/files/photo", as_="foreman", data={})
    assert missing.status_code in (415, 422)
    assert stored_files(tmp_path) == []


def test_the_openapi_document_shows_the_upload_routes_the_caller_may_use(api: Api) -> None:
    foreman = body(api.get("/openapi.json", as_="foreman"))["paths"]
    assert "/modules/labour_tally/files/photo" in foreman
    upload = foreman["/modules/labour_tally/files/photo"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert "/modules/fund/files/attachment" not in foreman  # the foreman cannot read funds
    viewer = body(api.get("/openapi.json", as_="viewer"))["paths"]
    fields = [p for p, operations in viewer.items() if "/files/" in p and "post" in operations]
    assert fields == []  # a viewer fills no attachment field (a reader may still comment)
    assert any(p.endswith("/comments/files") for p in viewer)
