"""Comments on the record page: one Activity timeline of the conversation and the changes,
posted with or without htmx, hostile text shown as text, files behind the record's check."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from engine.db import transaction
from engine.models_notifications import Notification, RecordComment
from tests.web.helpers import create_record, csrf_token, post, project_id, sign_in_as

HTMX = {"HX-Request": "true"}
SCRIPT = "<script>alert(1)</script>"


def new_tally(app: Flask) -> str:
    return create_record(
        app,
        "labour_tally",
        "foreman",
        {
            "project": project_id(app),
            "date": "2026-05-04",
            "worker": "Wang Jianguo",
            "trade": "rebar",
            "items": [{"content": "tying", "hours": "6", "rate": "40"}],
        },
    )


def count(app: Flask, model: type) -> int:
    with transaction(app.extensions["formwork"].session_factory) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_comment_posted_without_scripts_joins_the_history_in_one_timeline(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    tally = new_tally(app)
    sign_in("manager")
    page = f"/m/labour_tally/r/{tally}"
    posted = post(client, f"{page}/comments", {"body": "Six hours?\n@foreman please confirm."})
    assert posted.status_code == 303 and posted.location.endswith(f"{page}#activity")
    html = client.get(page).text
    activity = html.split('id="activity"', 1)[1]
    assert "Activity" in activity and "1 comment" in activity
    assert "Six hours?\n@foreman please confirm." in activity
    assert activity.index("Six hours?") < activity.index("Created the record")  # newest first
    assert 'src="/static/js/comments.js"' in html


def test_hostile_text_is_shown_as_text_and_the_htmx_answer_is_the_panel_alone(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    tally = new_tally(app)
    sign_in("manager")
    page = f"/m/labour_tally/r/{tally}"
    body = f'{SCRIPT} {{{{7*7}}}} " hx-on::load="alert(3) **bold**'
    answer = post(client, f"{page}/comments", {"body": body}, headers=HTMX)
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith("<section") and "<html" not in answer.text
    for text in (answer.text, client.get(page).text):
        assert SCRIPT not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "{{7*7}}" in text and "49" not in text.split("hx-on::load", 1)[0][-40:]
        assert 'hx-on::load="alert(3)' not in text and "<strong>bold" not in text


def test_a_bare_http_address_becomes_a_link_and_nothing_else_does(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    tally = new_tally(app)
    sign_in("manager")
    page = f"/m/labour_tally/r/{tally}"
    body = (
        "See https://example.com/a?b=1&c=(2).\n"
        'javascript:alert(1) <a href="javascript:alert(2)">x</a> [y](javascript:alert(3))\n'
        'http://x.cn/"onmouseover="alert(4) (http://例子.cn) ftp://example.com https://'
    )
    answer = post(client, f"{page}/comments", {"body": body}, headers=HTMX)
    assert answer.status_code == 200
    shown = re.search(r'<p class="comment">(.*?)</p>', answer.text, re.S).group(1)
    rel = 'rel="noopener nofollow ugc"'
    assert shown == (
        f'See <a href="https://example.com/a?b=1&amp;c=(2)" {rel}>'
        "https://example.com/a?b=1&amp;c=(2)</a>.\n"
        "javascript:alert(1) &lt;a href=&#34;javascript:alert(2)&#34;&gt;x&lt;/a&gt; "
        "[y](javascript:alert(3))\n"
        f'<a href="http://x.cn/" {rel}>http://x.cn/</a>&#34;onmouseover=&#34;alert(4) '
        "(http://例子.cn) ftp://example.com https://"
    )


def test_a_refused_comment_keeps_the_text_says_why_and_writes_nothing(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    tally = new_tally(app)
    told = count(app, Notification)  # the approvers of the submitted tally
    sign_in("manager")
    page = f"/m/labour_tally/r/{tally}"
    body = "@planner have a look"
    for headers in (HTMX, {}):
        refused = post(client, f"{page}/comments", {"body": body}, headers=headers)
        assert refused.status_code == 422
        assert "planner cannot read this record." in refused.text
        assert ">@planner have a look</textarea>" in refused.text
    empty = post(client, f"{page}/comments", {"body": "  "}, headers=HTMX)
    assert empty.status_code == 422 and "Write some text to comment." in empty.text
    assert count(app, RecordComment) == 0 and count(app, Notification) == told


def test_the_author_edits_a_comment_and_the_earlier_text_stays_readable(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    tally = new_tally(app)
    sign_in("manager")
    page = f"/m/labour_tally/r/{tally}"
    post(client, f"{page}/comments", {"body": "Six hours?"})
    comment_id = re.search(r'id="comment-(\d+)"', client.get(page).text).group(1)
    edited = post(client, f"{page}/comments/{comment_id}", {"body": "Eight hours?"}, headers=HTMX)
    assert edited.status_code == 200
    assert "Eight hours?" in edited.text and ">edited<" in edited.text
    assert "1 earlier version" in edited.text and ">Six hours?<" in edited.text
    client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    sign_in_as(client, "accountant")
    other = post(client, f"{page}/comments/{comment_id}", {"body": "mine"}, headers=HTMX)
    assert other.status_code == 403 and "Only the author of a comment may edit it." in other.text
    assert "Eight hours?" in client.get(page).text
    assert f'comments/{comment_id}"' not in client.get(page).text  # no edit form for others


def test_in_chinese_the_panel_and_its_refusals_are_chinese(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    tally = new_tally(app)
    sign_in("manager")
    page = f"/m/labour_tally/r/{tally}"
    zh = {**HTMX, "Accept-Language": "zh-CN"}
    refused = post(client, f"{page}/comments", {"body": "@planner 看一下"}, headers=zh)
    assert "planner 无权查看此记录。" in refused.text and "动态" in refused.text
    html = client.get(page, headers={"Accept-Language": "zh-CN"}).text
    assert "发表评论" in html and "输入 @ 提及他人" in html


def test_a_file_attached_to_a_comment_downloads_only_for_readers_of_the_record(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    tally = new_tally(app)
    sign_in("manager")
    page = f"/m/labour_tally/r/{tally}"
    sent = post(
        client,
        f"{page}/comments",
        {"body": "the sheet", "files": (io.BytesIO(b"<html>16 hours</html>"), "shift.html")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 303
    link = re.search(r'href="([^"]+/files/[0-9a-f]{32})"', client.get(page).text).group(1)
    got = client.get(link)
    assert got.status_code == 200 and got.data == b"<html>16 hours</html>"
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    got.close()
    client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    sign_in_as(client, "planner")
    assert client.get(link).status_code == 404
    assert client.get(f"{page}/mentions?q=fo").status_code == 404


def test_the_picker_offers_only_users_who_may_read_the_record(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    tally = new_tally(app)
    sign_in("manager")
    found = client.get(f"/m/labour_tally/r/{tally}/mentions?q=").get_json()["items"]
    names = [item["name"] for item in found]
    assert "foreman" in names and "accountant" in names and "planner" not in names
    by_display = client.get(f"/m/labour_tally/r/{tally}/mentions?q=Account").get_json()
    assert by_display["items"] == [{"name": "accountant", "display": "Accountant"}]
