"""The caller's notifications through the API: the list, marking read and the preferences."""

from __future__ import annotations

from typing import Any

from engine.accounts import get_user
from engine.db import transaction
from engine.grants import remove_grant
from engine.notifications import notify
from engine.notifications.preferences import Preferences, preferences_of, save_preferences
from tests.web.helpers import Api, body, errors, labour_data

TITLE = {"en": "Labour tally", "zh-CN": "点工汇总"}
HOSTILE = '<img src=x onerror="alert(1)"> {{ config }}'


def tally(api: Api) -> str:
    project = api.first("project")["id"]
    created = api.post(
        "/modules/labour_tally/records", as_="foreman", json={"data": labour_data(project)}
    )
    assert created.status_code == 201, created.text
    return str(body(created)["id"])


def tell(
    api: Api, event: str, to: str, record_id: str, key: str, by: str = "manager", **params: Any
) -> int:
    with transaction(api.session_factory) as session:
        written = notify(
            session,
            event,
            [to],
            key=key,
            module="labour_tally",
            record_id=record_id,
            actor=by,
            params={"module_title": TITLE, "title": "LT-1 Wang Wei", **params},
        )
        return written[0].id


def approved(api: Api, record_id: str, key: str = "d1") -> int:
    return tell(
        api,
        "decision",
        "foreman",
        record_id,
        key,
        outcome="approved",
        transition="approve",
        transition_label={"en": "Approve", "zh-CN": "批准"},
        comment=None,
    )


def test_the_caller_lists_their_own_worded_in_their_language(api: Api) -> None:
    record_id = tally(api)
    note_id = approved(api, record_id)
    listed = api.get("/notifications", as_="foreman")
    assert listed.status_code == 200
    page = body(listed)
    assert page["unread"] == 1 and page["page"] == 1 and page["more"] is False
    [item] = page["items"]
    assert item["id"] == note_id and item["event"] == "decision" and item["actor"] == "manager"
    assert item["text"] == "Site manager approved LT-1 Wang Wei."
    assert item["link"] == f"/m/labour_tally/r/{record_id}" and item["read_at"] is None
    assert item["params"]["outcome"] == "approved"
    chinese = body(api.get("/notifications", as_="foreman", headers={"Accept-Language": "zh-CN"}))
    assert chinese["items"][0]["text"] == "Site manager 批准了 LT-1 Wang Wei。"
    assert body(api.get("/notifications", as_="accountant"))["items"] == []
    assert api.get("/notifications", as_=None).status_code == 401


def test_a_record_out_of_reach_is_neither_listed_nor_counted(api: Api) -> None:
    record_id = tally(api)
    tell(api, "task", "manager", record_id, "t1", by="foreman", kind="vote", due_at=None)
    assert body(api.get("/notifications", as_="manager"))["unread"] == 1
    with transaction(api.session_factory) as session:
        project = api.first("project")["id"]
        assert remove_grant(session, "manager", "project", project)
    page = body(api.get("/notifications", as_="manager"))
    assert page["items"] == [] and page["unread"] == 0


def test_hostile_params_come_back_as_the_text_they_were(api: Api) -> None:
    record_id = tally(api)
    tell(api, "comment", "foreman", record_id, "c1", title=HOSTILE, comment_id=1, excerpt=HOSTILE)
    [item] = body(api.get("/notifications", as_="foreman"))["items"]
    assert item["text"] == f"Site manager commented on {HOSTILE}."
    assert item["detail"] == HOSTILE


def test_mark_some_then_all_read_and_only_ones_own(api: Api) -> None:
    record_id = tally(api)
    first = approved(api, record_id, "d1")
    second = approved(api, record_id, "d2")
    other = tell(api, "task", "manager", record_id, "t1", by="foreman", kind="vote")
    marked = api.post("/notifications/read", as_="foreman", json={"ids": [first, other]})
    assert body(marked) == {"marked": 1, "unread": 1}
    unread = body(api.get("/notifications?unread=1", as_="foreman"))["items"]
    assert [n["id"] for n in unread] == [second]
    assert body(api.get("/notifications", as_="manager"))["unread"] == 1  # not the caller's
    assert body(api.post("/notifications/read", as_="foreman", json={"all": True})) == {
        "marked": 1,
        "unread": 0,
    }


def test_wrong_reads_are_refused_at_their_place(api: Api) -> None:
    cases: list[tuple[Any, str, str]] = [
        ({}, "/ids", "required"),
        ({"ids": "1"}, "/ids", "not_a_list"),
        ({"ids": [1, "x", True]}, "/ids/1", "not_an_integer"),
        ({"all": "yes"}, "/all", "not_a_boolean"),
        ({"all": True, "ids": [1]}, "/ids", "unknown_key"),
        ({"every": True}, "/every", "unknown_key"),
        ([1], "", "body_not_object"),
    ]
    for sent, path, code in cases:
        answer = api.post("/notifications/read", as_="foreman", json=sent)
        assert answer.status_code == 422, sent
        assert {"path": path, "code": code} in [
            {"path": e["path"], "code": e["code"]} for e in errors(answer)
        ], (sent, errors(answer))
    assert api.get("/notifications?page=0", as_="foreman").status_code == 422
    assert errors(api.get("/notifications?unread=maybe", as_="foreman"))[0]["path"] == "unread"


def test_preferences_are_read_and_changed(api: Api) -> None:
    assert body(api.get("/notifications/preferences", as_="foreman")) == {
        "email": None,
        "mobile": None,
        "language": "zh-CN",
        "muted": [],
        "channels": [],
        "quiet_from": None,
        "quiet_to": None,
        "digest": False,
        "digest_hour": 8,
    }
    wanted = {"email": "wang@example.com", "channels": ["email"], "muted": ["comment"]}
    saved = api.call("PUT", "/notifications/preferences", as_="foreman", json=wanted)
    assert saved.status_code == 200
    assert body(saved)["email"] == "wang@example.com" and body(saved)["language"] == "zh-CN"
    quiet = {"quiet_from": "22:00", "quiet_to": "07:00", "digest": True, "digest_hour": 18}
    body_ = body(api.call("PUT", "/notifications/preferences", as_="foreman", json=quiet))
    assert body_["channels"] == ["email"] and body_["digest_hour"] == 18


def test_each_wrong_preference_is_refused_and_nothing_changes(api: Api) -> None:
    with transaction(api.session_factory) as session:
        user_id = get_user(session, "foreman").id
        save_preferences(session, user_id, Preferences(email="old@example.com"))
    wrong = {
        "email": "not an address",
        "mobile": 13800000000,
        "language": "fr",
        "muted": ["lunch"],
        "channels": "email",
        "quiet_from": "25:00",
        "quiet_to": None,
        "digest": "yes",
        "digest_hour": 24,
    }
    answer = api.call("PUT", "/notifications/preferences", as_="foreman", json=wrong)
    assert answer.status_code == 422
    found = {(e["path"], e["code"]) for e in errors(answer)}
    assert found == {
        ("/email", "not_an_email"),
        ("/mobile", "not_a_mobile"),
        ("/language", "unknown_language"),
        ("/muted", "unknown_event"),
        ("/channels", "not_a_list"),
        ("/quiet_from", "not_a_time"),
        ("/quiet_to", "both_times_needed"),
        ("/digest", "not_a_boolean"),
        ("/digest_hour", "not_an_hour"),
    }
    chinese = api.call(
        "PUT",
        "/notifications/preferences",
        as_="foreman",
        json={"email": "@"},
        headers={"Accept-Language": "zh-CN"},
    )
    assert "不是" in errors(chinese)[0]["message"]
    unknown = api.call("PUT", "/notifications/preferences", as_="foreman", json={"sms": "1"})
    assert errors(unknown)[0]["path"] == "/sms"
    with transaction(api.session_factory) as session:
        assert preferences_of(session, user_id) == Preferences(email="old@example.com")
