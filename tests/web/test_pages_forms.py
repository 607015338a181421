"""The generated form: every field kind, live formulas and conditions, child rows, uploads,
errors beside their fields, and the bad input a browser should never send."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder

from engine import accounts
from engine.catalog import load_catalog
from engine.db import transaction
from engine.records import get_record
from tests.web.helpers import create_record, csrf_token, post, project_id

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def tally_form(app: Flask, **changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "d.project": project_id(app),
        "d.date": "2026-05-01",
        "d.worker": "Li Ming",
        "d.crew": "Rebar 1",
        "d.trade": "rebar",
        "d.shift": "day",
        "d.items.0.content": "tying beams",
        "d.items.0.hours": "5",
        "d.items.0.rate": "40",
        "d.items.1.content": "tying slabs",
        "d.items.1.hours": "2.5",
        "d.items.1.rate": "42.5",
        "_rows.items": "2",
        "_state.overtime_reason": "0,0",
        "d.meal_allowance": "false",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def upload(client: FlaskClient, url: str, form: dict[str, Any]) -> Any:
    """POST a multipart form, closing the temporary file the test client spools it into."""
    builder = EnvironBuilder(path=url, method="POST", data=form)
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def errors_of(html: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="error" id="err-([^"]+)">([^<]*)</p>', html))


def test_the_new_form_has_a_labelled_widget_for_every_field_kind(
    client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("accountant")
    page = client.get("/m/fund/new")
    assert page.status_code == 200
    html = page.text
    assert 'type="radio" name="d.direction"' in html  # choice as radio (x-widget)
    assert '<select id="fld-category" name="d.category"' in html  # choice as select
    assert 'inputmode="decimal"' in html and 'name="d.amount"' in html  # money
    assert 'type="date" id="fld-date"' in html
    assert 'type="datetime-local" id="fld-settled_at"' in html
    assert 'type="checkbox" name="d.tags" value="urgent"' in html  # multi-choice
    assert 'name="_q.project"' in html and 'id="fld-project" name="d.project"' in html  # link
    assert "Riverside Garden Phase II" in html  # a linked record to pick
    assert 'id="fld-handler" name="d.handler"' in html and "Accountant (accountant)" in html
    assert 'type="file" id="fld-attachment" name="f.attachment" accept=".pdf,image/*"' in html
    assert '<textarea id="fld-summary"' in html
    assert 'id="calc-net_amount"' in html  # a formula is shown, never an input
    assert 'name="d.net_amount"' not in html
    for dom_id in re.findall(r'<(?:input|select|textarea) [^>]*id="(fld-[^"]+)"', html):
        assert f'for="{dom_id}"' in html or "aria-label" in html, dom_id
    assert "Payment" in html and "Settlement" in html  # layout sections


def test_a_child_table_renders_rows_with_add_and_remove(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("foreman")
    page = client.get("/m/labour_tally/new")
    assert 'name="d.items.0.hours"' in page.text and "Add row" in page.text
    form = tally_form(app)
    added = post(
        client,
        "/m/labour_tally/rows",
        {**form, "_action": "add:items"},
        headers={"HX-Request": "true"},
    )
    assert added.status_code == 200
    assert 'name="d.items.2.hours"' in added.text
    assert 'id="calc-items-1-amount"' in added.text and ">106.25<" in added.text
    removed = post(
        client,
        "/m/labour_tally/rows",
        {**form, "_action": "remove:items:0"},
        headers={"HX-Request": "true"},
    )
    assert 'name="d.items.1.hours"' not in removed.text
    assert 'value="tying slabs"' in removed.text  # the second row moved up
    assert 'id="calc-hours" hx-swap-oob="true"' in removed.text and ">2.5<" in removed.text
    # without JavaScript the same button posts the whole form and gets the page back
    full = post(client, "/m/labour_tally/new", {**form, "_action": "add:items"})
    assert full.status_code == 200 and 'name="d.items.2.content"' in full.text
    assert (
        post(client, "/m/labour_tally/rows", {**form, "_action": "add:worker"}).status_code == 400
    )


def test_the_preview_updates_formulas_and_conditional_fields_as_the_user_types(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("foreman")
    form = tally_form(app, **{"d.items.0.hours": "7"})
    response = post(client, "/m/labour_tally/preview", form, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert '<output id="calc-hours" hx-swap-oob="true"' in response.text
    assert ">9.5<" in response.text and ">386.25<" in response.text
    # hours > 8: the overtime reason appears and becomes required
    assert 'id="field-overtime_reason" hx-swap-oob="true"' in response.text
    assert 'name="_state.overtime_reason" value="1,1"' in response.text
    # a half-typed value does not stop the others from computing
    partial = post(
        client,
        "/m/labour_tally/preview",
        tally_form(app, **{"d.items.0.hours": "abc"}),
        headers={"HX-Request": "true"},
    )
    assert ">2.5<" in partial.text
    # nothing was saved
    assert (
        "0 records" in client.get("/m/labour_tally").text
        or "No records" in client.get("/m/labour_tally").text
    )


def test_creating_a_record_with_two_child_rows(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("foreman")
    response = post(client, "/m/labour_tally/new", tally_form(app))
    assert response.status_code == 303
    record_id = response.headers["Location"].rsplit("/", 1)[1]
    with transaction(app.extensions["formwork"].session_factory) as session:
        who = accounts.actor_of(accounts.get_user(session, "foreman"))
        record = get_record(session, "labour_tally", record_id, who)
    assert str(record.data["hours"]) == "7.5" and str(record.data["amount"]) == "306.25"
    assert [r["content"] for r in record.data["items"]] == ["tying beams", "tying slabs"]


def test_errors_come_back_beside_the_field_in_the_users_language(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("foreman")
    typed = tally_form(app, **{"d.items.1.hours": "x", "d.date": "2026-02-30"})
    response = post(client, "/m/labour_tally/new", typed)
    assert response.status_code == 422
    found = errors_of(response.text)
    assert found["fld-items-1-hours"] == "Enter a number."
    assert found["date"] == "Enter a date (YYYY-MM-DD)."
    assert 'value="tying beams"' in response.text  # what the user typed stays
    form = tally_form(app, **{"d.worker": ""})
    missing = post(client, "/m/labour_tally/new", form)
    assert errors_of(missing.text)["worker"] == "This field is required."
    assert 'href="#fld-worker"' in missing.text  # the summary links to the field
    post(client, "/language", {"language": "zh-CN"})
    chinese = post(client, "/m/labour_tally/new", form)
    assert errors_of(chinese.text)["worker"] == "此项为必填。"


def test_forged_fields_are_refused(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("foreman")
    unknown = post(client, "/m/labour_tally/new", tally_form(app, **{"d.salary": "9999"}))
    assert unknown.status_code == 422 and "This field is not part of the form." in unknown.text
    computed = post(client, "/m/labour_tally/new", tally_form(app, **{"d.amount": "1000000"}))
    assert computed.status_code == 422
    assert "This value is computed and cannot be entered." in computed.text
    system = post(client, "/m/labour_tally/new", tally_form(app, owner="manager"))
    assert system.status_code == 400
    file_value = '{"file": "' + "a" * 32 + '", "name": "x.png", "type": "image/png", "size": 1}'
    typed_file = post(client, "/m/labour_tally/new", tally_form(app, **{"d.photo": file_value}))
    assert typed_file.status_code == 400
    assert "No records" in client.get("/m/labour_tally").text


def test_a_form_without_the_csrf_token_is_refused(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("foreman")
    response = client.post("/m/labour_tally/new", data=tally_form(app))
    assert response.status_code == 400
    preview = client.post(
        "/m/labour_tally/preview", data=tally_form(app), headers={"HX-Request": "true"}
    )
    assert preview.status_code == 400
    assert "No records" in client.get("/m/labour_tally").text


def test_editing_keeps_a_stale_or_tampered_version_from_overwriting(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record_id = create_record(
        app,
        "labour_tally",
        "foreman",
        {
            "project": project_id(app),
            "date": "2026-05-01",
            "worker": "Li",
            "trade": "rebar",
            "items": [{"content": "a", "hours": "2", "rate": "10"}],
        },
    )
    sign_in("foreman")
    page = client.get(f"/m/labour_tally/r/{record_id}/edit")
    assert page.status_code == 200 and 'name="_version" value="1"' in page.text
    url = f"/m/labour_tally/r/{record_id}/edit"
    base = {
        "d.worker": "Li Hua",
        "d.items.0.content": "a",
        "d.items.0.hours": "3",
        "d.items.0.rate": "10",
        "_rows.items": "1",
        "_record": record_id,
    }
    stale = post(client, url, {**base, "_version": "7"})
    assert stale.status_code == 409 and "were not saved" in stale.text
    assert post(client, url, {**base, "_version": "one"}).status_code == 400
    assert post(client, url, {**base}).status_code == 400
    saved = post(client, url, {**base, "_version": "1"})
    assert saved.status_code == 303
    again = post(client, url, {**base, "d.worker": "Li Lei", "_version": "1"})
    assert again.status_code == 409  # the first save moved it to version 2


def test_read_only_states_and_roles_cannot_edit(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    from engine.catalog import load_catalog as catalog_of

    with transaction(app.extensions["formwork"].session_factory) as session:
        table = catalog_of(session).tables["labour_tally"].main
        submitted = session.execute(table.select().where(table.c.state == "submitted")).first()
        draft = session.execute(table.select().where(table.c.state == "draft")).first()
    sign_in("accountant")  # may read, may not update
    assert client.get(f"/m/labour_tally/r/{draft.id}/edit").status_code == 403
    assert post(client, f"/m/labour_tally/r/{draft.id}/edit", {"_version": "1"}).status_code == 403
    post(client, "/sign-out")
    sign_in("admin")
    assert client.get(f"/m/labour_tally/r/{submitted.id}/edit").status_code == 409


def test_fields_hidden_from_a_role_are_absent_and_read_fields_are_text(app: Flask) -> None:
    from engine.abilities import field_modes
    from engine.actor import actor as make_actor

    with transaction(app.extensions["formwork"].session_factory) as session:
        module = load_catalog(session).module("labour_tally")
        project = load_catalog(session).module("project")
    viewer = field_modes(make_actor("viewer", "viewer"), module)
    assert viewer["amount"] == viewer["rate"] == viewer["items"] == "hidden"
    foreman = field_modes(make_actor("foreman", "foreman"), project)
    assert foreman["budget"] == "hidden" and foreman["name"] == "write"
    locked = field_modes(make_actor("admin", "admin"), module, "submitted")
    assert locked["worker"] == "read" and locked["hours"] == "computed"


def test_attachments_are_checked_stored_under_a_generated_name_and_downloadable(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient], tmp_path: Any
) -> None:
    sign_in("foreman")
    form = {
        **tally_form(app),
        "csrf_token": csrf_token(client),
        "f.photo": (io.BytesIO(PNG), "site photo 现场.png"),
    }
    response = upload(client, "/m/labour_tally/new", form)
    assert response.status_code == 303, response.text
    record_id = response.headers["Location"].rsplit("/", 1)[1]
    stored = [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()]
    assert len(stored) == 1 and "photo" not in stored[0].name
    download = client.get(f"/m/labour_tally/r/{record_id}/files/photo")
    assert download.status_code == 200 and download.data == PNG
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=UTF-8''site%20photo%20%E7%8E%B0%E5%9C%BA.png"
        in download.headers["Content-Disposition"]
    )
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()
    sign_in_other = app.test_client()
    post(sign_in_other, "/sign-in", {"name": "planner", "password": "correct-horse-1"})
    # the planner cannot read labour tallies: the file does not exist for them
    assert sign_in_other.get(f"/m/labour_tally/r/{record_id}/files/photo").status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.png", PDF, "This kind of file is not accepted here"),  # disguised by name
        ("photo.pdf", PDF, "This kind of file is not accepted here"),  # wrong kind
        ("photo.png", b"<html><script>alert(1)</script></html>", "not accepted"),
        ("empty.png", b"", "The file is empty."),
    ],
)
def test_disguised_or_empty_uploads_are_refused_beside_the_field(
    app: Flask,
    client: FlaskClient,
    sign_in: Callable[[str], FlaskClient],
    tmp_path: Any,
    name: str,
    content: bytes,
    message: str,
) -> None:
    sign_in("foreman")
    form = {
        **tally_form(app),
        "csrf_token": csrf_token(client),
        "f.photo": (io.BytesIO(content), name),
    }
    response = upload(client, "/m/labour_tally/new", form)
    assert response.status_code == 422
    assert message in errors_of(response.text).get("photo", "")
    assert not [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()]


def test_an_oversized_upload_is_refused(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient], tmp_path: Any
) -> None:
    sign_in("foreman")
    big = PNG + b"\x00" * (10 * 1024 * 1024)  # the photo field takes at most 10 MB
    form = {
        **tally_form(app),
        "csrf_token": csrf_token(client),
        "f.photo": (io.BytesIO(big), "big.png"),
    }
    response = upload(client, "/m/labour_tally/new", form)
    assert response.status_code == 422
    assert "larger than 10 MB" in errors_of(response.text)["photo"]
    assert not [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()]
    huge = PNG + b"\x00" * (12 * 1024 * 1024)  # beyond every attachment of the module
    form["f.photo"] = (io.BytesIO(huge), "huge.png")
    form["csrf_token"] = csrf_token(client)
    too_large = upload(client, "/m/labour_tally/new", form)
    assert too_large.status_code == 413


def test_an_upload_to_a_field_that_is_not_an_attachment_is_refused(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("foreman")
    form = {
        **tally_form(app),
        "csrf_token": csrf_token(client),
        "f.worker": (io.BytesIO(PNG), "a.png"),
    }
    response = upload(client, "/m/labour_tally/new", form)
    assert response.status_code == 400
