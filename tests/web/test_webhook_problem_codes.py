"""A refused webhook answers codes and the reader's language, each problem at its place."""

from __future__ import annotations

import re

from tests.web.helpers import Api, body, errors

HAN = re.compile(r"[\u4e00-\u9fff]")
ZH = {"Accept-Language": "zh-CN"}


def test_a_refused_webhook_answers_codes_in_chinese(api: Api) -> None:
    bad = {"url": "http://127.0.0.1/hook", "events": ["created", "nosuch"], "module": "nosuch"}
    answer = api.post("/webhooks", json=bad, headers=ZH)
    assert answer.status_code == 422
    assert {e["path"]: e["code"] for e in errors(answer)} == {
        "/url": "private_address",
        "/events/1": "unknown_event",
        "/module": "no_module",
    }
    assert all(HAN.search(e["message"]) for e in errors(answer)), errors(answer)
    private = next(e for e in errors(answer) if e["path"] == "/url")
    assert "allow_private" in private["message"] and "127.0.0.1" in private["message"]
    for url, code in (
        ("ftp://example.com/x", "url_scheme"),
        ("http://ann:pw@example.com/x", "url_credentials"),
        ("http://example.com:99999/x", "url_port"),
        ("http://" + "a" * 2001, "url_too_long"),
    ):
        refused = api.post("/webhooks", json={"url": url, "events": ["created"]}, headers=ZH)
        assert [(e["path"], e["code"]) for e in errors(refused)] == [("/url", code)], url
        assert HAN.search(errors(refused)[0]["message"])
    shapes = api.post("/webhooks", json={"url": 1, "events": "x", "allow_private": 2})
    assert {e["code"] for e in errors(shapes)} == {
        "url_required",
        "event_list_required",
        "not_a_boolean",
    }
    assert body(api.get("/webhooks"))["items"] == []
