"""Comments on a record: a foreman and a site manager talk about a tally, @mentioning whom
they need; whoever may not read the tally never learns it or its comments exist."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from engine.accounts import deactivate_user
from engine.actor import SYSTEM
from engine.attachments import LocalFolder
from engine.comments import (
    add_comment,
    comment_of,
    comments_of,
    edit_comment,
    mentioned_tokens,
    store_comment_file,
)
from engine.errors import NotFound, PermissionDenied, ValidationFailed
from engine.models_notifications import Notification, RecordComment
from engine.packs import import_pack
from engine.records import create_record
from tests.engine.people import make_user
from tests.engine.workflow_pack import workflow_pack


@pytest.fixture
def site(session):
    people = {
        name: make_user(session, name, *roles)
        for name, roles in {
            "lee": ["foreman"],
            "wu": ["foreman"],
            "zhao": ["site_manager"],
            "acc": ["accountant"],
        }.items()
    }
    import_pack(session, workflow_pack("any"))
    project = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
    tally = create_record(
        session,
        "labour",
        {
            "project": project.id,
            "date": "2026-11-02",
            "worker": "Lee",
            "items": [{"task": "t", "hours": 8, "rate": 40}],
        },
        people["lee"],
    )
    return people, tally


def notes(session, event=None):
    statement = select(Notification).order_by(Notification.id)
    if event:
        statement = statement.where(Notification.event == event)
    return [(n.user_name, n.event, n.key) for n in session.scalars(statement)]


def test_a_comment_is_kept_and_read_back_in_order(session, site):
    people, tally = site
    first = add_comment(session, "labour", tally.id, people["zhao"], "Hours look high.\nCheck?")
    add_comment(session, "labour", tally.id, people["lee"], "Two shifts that day.")
    views = comments_of(session, "labour", tally.id, people["acc"])
    assert [(v.author, v.body) for v in views] == [
        ("zhao", "Hours look high.\nCheck?"),
        ("lee", "Two shifts that day."),
    ]
    assert views[0].id == first.id and views[0].revisions == 0 and views[0].edited_at is None


def test_the_owner_is_told_of_a_comment_once_and_not_of_their_own(session, site):
    people, tally = site
    comment = add_comment(session, "labour", tally.id, people["zhao"], "Hours look high.")
    add_comment(session, "labour", tally.id, people["lee"], "Two shifts.")
    assert notes(session) == [("lee", "comment", f"comment:{comment.id}")]
    note = session.scalar(select(Notification))
    assert note.params["title"].startswith(tally.number) and "Lee" in note.params["title"]
    assert note.params["module_title"] == {"en": "Labour tally", "zh-CN": "点工汇总"}
    assert note.params["comment_id"] == comment.id
    assert note.params["excerpt"] == "Hours look high."
    assert (note.module, note.record_id, note.actor) == ("labour", tally.id, "zhao")


def test_a_mention_tells_the_mentioned_once_and_the_owner_not_twice(session, site):
    people, tally = site
    body = "@acc please check. Thanks @acc! cc @lee. Mail me at zhao@example.com"
    assert mentioned_tokens(body) == ["acc", "lee."]
    comment = add_comment(session, "labour", tally.id, people["zhao"], body)
    assert comment.mentions == ["acc", "lee"]
    assert sorted(notes(session)) == [
        ("acc", "mention", f"mention:{comment.id}"),
        ("lee", "mention", f"mention:{comment.id}"),
    ]
    excerpt = session.scalar(select(Notification.params).limit(1))["excerpt"]
    assert excerpt == body[:200]


def test_a_reader_out_of_scope_gets_not_found_for_reading_and_writing(session, site):
    people, tally = site
    add_comment(session, "labour", tally.id, people["zhao"], "Hours look high.")
    with pytest.raises(NotFound):
        comments_of(session, "labour", tally.id, people["wu"])
    with pytest.raises(NotFound):
        add_comment(session, "labour", tally.id, people["wu"], "me too")
    with pytest.raises(NotFound):
        comments_of(session, "labour", "0" * 32, people["zhao"])
    assert session.scalar(select(func.count()).select_from(RecordComment)) == 1


def test_a_mention_of_someone_who_cannot_read_refuses_the_comment(session, site):
    people, tally = site
    before = notes(session)
    with pytest.raises(ValidationFailed) as refused:
        add_comment(session, "labour", tally.id, people["zhao"], "@wu @nobody have a look")
    assert sorted((p.path, p.code, p.params["name"]) for p in refused.value.problems) == [
        ("/body", "mention_cannot_read", "wu"),
        ("/body", "mention_unknown", "nobody"),
    ]
    assert "wu cannot read this record" in str(refused.value)
    assert session.scalar(select(func.count()).select_from(RecordComment)) == 0
    assert notes(session) == before


def test_a_deactivated_user_cannot_be_mentioned(session, site):
    people, tally = site
    deactivate_user(session, "acc")
    with pytest.raises(ValidationFailed) as refused:
        add_comment(session, "labour", tally.id, people["zhao"], "@acc ?")
    assert [p.code for p in refused.value.problems] == ["mention_unknown"]


@pytest.mark.parametrize(
    ("body", "code"),
    [("", "comment_empty"), ("  \n ", "comment_empty"), ("x" * 10_001, "comment_too_long")],
)
def test_an_empty_or_too_long_comment_is_refused(session, site, body, code):
    people, tally = site
    with pytest.raises(ValidationFailed) as refused:
        add_comment(session, "labour", tally.id, people["zhao"], body)
    assert [(p.path, p.code) for p in refused.value.problems] == [("/body", code)]
    assert session.scalar(select(func.count()).select_from(RecordComment)) == 0


def test_an_edit_keeps_the_earlier_text_and_tells_only_the_newly_mentioned(session, site):
    people, tally = site
    comment = add_comment(session, "labour", tally.id, people["zhao"], "@acc hours high")
    edit_comment(session, comment.id, people["zhao"], "@acc hours high, 16 not 8")
    edit_comment(session, comment.id, people["zhao"], "@acc @lee hours high, 16 not 8")
    view, revisions = comment_of(session, "labour", tally.id, comment.id, people["lee"])
    assert view.body == "@acc @lee hours high, 16 not 8" and view.revisions == 2
    assert view.edited_at is not None and view.mentions == ("acc", "lee")
    assert [r.body for r in revisions] == ["@acc hours high", "@acc hours high, 16 not 8"]
    assert [r.edited_by for r in revisions] == ["zhao", "zhao"]
    assert sorted(notes(session)) == [
        ("acc", "mention", f"mention:{comment.id}"),
        ("lee", "comment", f"comment:{comment.id}"),
        ("lee", "mention", f"mention:{comment.id}:{revisions[1].id}"),
    ]


def test_only_the_author_may_edit_and_a_refused_edit_changes_nothing(session, site):
    people, tally = site
    comment = add_comment(session, "labour", tally.id, people["zhao"], "hours high")
    with pytest.raises(PermissionDenied):
        edit_comment(session, comment.id, people["acc"], "mine now")
    with pytest.raises(NotFound):
        edit_comment(session, comment.id, people["wu"], "mine now")
    with pytest.raises(ValidationFailed):
        edit_comment(session, comment.id, people["zhao"], "@wu look")
    with pytest.raises(NotFound):
        edit_comment(session, comment.id, people["zhao"], "x", on=("labour", "0" * 32))
    view, revisions = comment_of(session, "labour", tally.id, comment.id, people["zhao"])
    assert view.body == "hours high" and revisions == []


def test_a_file_passes_the_upload_checks_and_only_ones_own_upload_is_attached(
    session, site, tmp_path
):
    people, tally = site
    store = LocalFolder(tmp_path)
    with pytest.raises(ValidationFailed) as empty:
        store_comment_file(
            session, store, "labour", tally.id, people["zhao"], io.BytesIO(), "a.txt"
        )
    assert [p.code for p in empty.value.problems] == ["upload_empty"]
    with pytest.raises(ValidationFailed) as large:
        store_comment_file(
            session, store, "labour", tally.id, people["zhao"], io.BytesIO(b"x" * 20), "a.txt", 10
        )
    assert [p.code for p in large.value.problems] == ["upload_too_large"]
    with pytest.raises(NotFound):
        store_comment_file(session, store, "labour", tally.id, people["wu"], io.BytesIO(b"x"), "a")
    ref = store_comment_file(
        session, store, "labour", tally.id, people["zhao"], io.BytesIO(b"16 hours"), "shift.txt"
    )
    with pytest.raises(ValidationFailed) as foreign:
        add_comment(session, "labour", tally.id, people["acc"], "see", [ref.as_text()])
    assert [p.path for p in foreign.value.problems] == ["/attachments/0"]
    add_comment(session, "labour", tally.id, people["zhao"], "see the sheet", [ref.as_text()])
    (view,) = comments_of(session, "labour", tally.id, people["lee"])
    assert view.attachments == (ref,) and ref.name == "shift.txt" and ref.size == 8
