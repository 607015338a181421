"""Comments through the API: the same rules as the record page, answered in JSON.

A manager comments on a foreman's tally and @mentions the accountant; the planner, who may
not read tallies, gets 404 for the record's comments as for the record; a mention of the
planner is a 422 naming them; only the author edits, and the earlier text stays readable.
"""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from engine.db import transaction
from engine.models_notifications import Notification, RecordComment
from tests.web.helpers import PREFIX, Api, body, errors, labour_data


def tally(api: Api) -> str:
    project = api.first("project")["id"]
    made = api.post(
        "/modules/labour_tally/records", as_="foreman", json={"data": labour_data(project)}
    )
    assert made.status_code == 201, made.text
    return body(made)["id"]


def count(api: Api, model: type) -> int:
    with transaction(api.session_factory) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def upload(api: Api, record: str, content: bytes, name: str, as_: str) -> Any:
    builder = EnvironBuilder(
        path=f"{PREFIX}/modules/labour_tally/records/{record}/comments/files",
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


def test_post_list_and_the_mentioned_is_notified(api: Api) -> None:
    record = tally(api)
    url = f"/modules/labour_tally/records/{record}/comments"
    posted = api.post(url, as_="manager", json={"body": "@accountant six hours at 40?"})
    assert posted.status_code == 201, posted.text
    comment = body(posted)
    assert comment["author"] == "manager" and comment["mentions"] == ["accountant"]
    assert comment["revisions"] == 0 and comment["edited_at"] is None
    assert comment["created_at"].endswith("Z")
    listed = body(api.get(url, as_="foreman"))["items"]
    assert [c["body"] for c in listed] == ["@accountant six hours at 40?"]
    with transaction(api.session_factory) as session:
        told = sorted(
            session.execute(
                select(Notification.user_name, Notification.event).where(
                    Notification.event.in_(("mention", "comment"))
                )
            ).all()
        )
    assert told == [("accountant", "mention"), ("foreman", "comment")]


def test_out_of_scope_is_404_and_bad_input_is_located_422(api: Api) -> None:
    record = tally(api)
    told = count(api, Notification)  # the approvers of the submitted tally
    url = f"/modules/labour_tally/records/{record}/comments"
    assert api.get(url, as_="planner").status_code == 404
    assert api.post(url, as_="planner", json={"body": "hi"}).status_code == 404
    refused = api.post(url, as_="manager", json={"body": "@planner look"})
    assert refused.status_code == 422
    assert errors(refused) == [
        {
            "path": "/body",
            "code": "mention_cannot_read",
            "message": "planner cannot read this record",
        }
    ]
    zh = api.post(url, as_="manager", json={"body": ""}, headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 422 and errors(zh)[0]["code"] == "comment_empty"
    assert errors(zh)[0]["message"] == "请填写评论内容。"
    typed = api.post(url, as_="manager", json={"body": 5, "attachments": "x", "extra": 1})
    assert typed.status_code == 422 and errors(typed)[0]["path"] == "/extra"
    wrong = api.post(url, as_="manager", json={"body": 5})
    assert [(e["path"], e["code"]) for e in errors(wrong)] == [("/body", "not_text")]
    long = api.post(url, as_="manager", json={"body": "x" * 10_001})
    assert errors(long)[0]["code"] == "comment_too_long"
    assert count(api, RecordComment) == 0 and count(api, Notification) == told


def test_only_the_author_edits_and_the_earlier_text_is_kept(api: Api) -> None:
    record = tally(api)
    url = f"/modules/labour_tally/records/{record}/comments"
    comment = body(api.post(url, as_="manager", json={"body": "six hours?"}))
    one = f"{url}/{comment['id']}"
    assert api.patch(one, as_="accountant", json={"body": "mine"}).status_code == 403
    assert api.patch(one, as_="planner", json={"body": "mine"}).status_code == 404
    changed = api.patch(one, as_="manager", json={"body": "eight hours? @accountant"})
    assert changed.status_code == 200 and body(changed)["revisions"] == 1
    read = body(api.get(one, as_="foreman"))
    assert read["body"] == "eight hours? @accountant" and read["edited_at"]
    assert [(e["body"], e["edited_by"]) for e in read["earlier"]] == [("six hours?", "manager")]
    assert api.get(f"{url}/999999", as_="manager").status_code == 404


def test_a_file_is_uploaded_then_attached_and_only_ones_own(api: Api) -> None:
    record = tally(api)
    url = f"/modules/labour_tally/records/{record}/comments"
    sent = upload(api, record, b"16 hours on 4 May", "shift.txt", "manager")
    assert sent.status_code == 201, sent.text
    value = body(sent)["value"]
    assert upload(api, record, b"", "empty.txt", "manager").status_code == 422
    assert upload(api, record, b"x", "a.txt", "planner").status_code == 404
    stolen = api.post(url, as_="accountant", json={"body": "see", "attachments": [value]})
    assert stolen.status_code == 422 and errors(stolen)[0]["path"] == "/attachments/0"
    posted = api.post(url, as_="manager", json={"body": "see", "attachments": [value]})
    assert posted.status_code == 201
    assert body(posted)["attachments"] == [
        {"file": body(sent)["file"], "name": "shift.txt", "type": "text/plain", "size": 17}
    ]


def test_a_comment_file_downloads_like_a_record_file_and_only_to_readers(api: Api) -> None:
    record = tally(api)
    url = f"/modules/labour_tally/records/{record}/comments"
    page = b"<html><script>alert(1)</script>16 hours</html>"
    sent = body(upload(api, record, page, "工时 <b>.html", "manager"))
    other = body(upload(api, record, b"8 hours", "other.txt", "manager"))
    first = body(
        api.post(url, as_="manager", json={"body": "the sheet", "attachments": [sent["value"]]})
    )
    second = body(
        api.post(url, as_="manager", json={"body": "more", "attachments": [other["value"]]})
    )
    link = f"{url}/{first['id']}/files/{sent['file']}"
    got = api.get(link, as_="foreman")
    assert got.status_code == 200 and got.data == page
    assert got.mimetype == "text/html" and got.content_length == len(page)
    assert got.headers["Content-Disposition"] == (
        "attachment; filename=\" b.html\"; filename*=UTF-8''%E5%B7%A5%E6%97%B6%20b.html"
    )
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Cache-Control"] == "private, no-store"
    got.close()
    for who, path in (
        ("planner", link),  # may not read the record
        ("foreman", f"{url}/{second['id']}/files/{sent['file']}"),  # a file of another comment
        ("foreman", f"{url}/{first['id']}/files/{'0' * 32}"),
        ("foreman", f"{url}/999999/files/{sent['file']}"),
        ("foreman", f"/modules/labour_tally/records/nope/comments/{first['id']}/files/x"),
    ):
        missed = api.get(path, as_=who)
        assert missed.status_code == 404 and errors(missed)[0]["message"], path
    wrong = api.get(
        f"{url}/{second['id']}/files/{sent['file']}",
        as_="foreman",
        headers={"Accept-Language": "zh-CN"},
    )
    assert errors(wrong)[0]["code"] == "no_comment_file"
    assert errors(wrong)[0]["message"] == f"评论 {second['id']} 没有这个文件。"
    assert api.get(link, as_=None).status_code == 401


def test_the_openapi_document_describes_the_comment_routes(api: Api) -> None:
    document = body(api.get("/openapi.json", as_="manager"))
    base = "/modules/labour_tally/records/{id}/comments"
    assert {"get", "post"} <= set(document["paths"][base])
    assert {"get", "patch"} <= set(document["paths"][base + "/{comment_id}"])
    assert "post" in document["paths"][base + "/files"]
    download = document["paths"][base + "/{comment_id}/files/{file_id}"]["get"]
    assert set(download["responses"]) >= {"200", "401", "404"}
    assert "*/*" in download["responses"]["200"]["content"]
