"""Refusals of the web layer itself (no token, a body that is not JSON, no route, ...) travel
as codes too: each has its English sentence and its translation, and the API answers them
in the caller's language; error pages speak the user's language."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale

from tests.web.helpers import Api, errors
from web.http_codes import ENGLISH, TEXTS, english

HAN = re.compile(r"[\u4e00-\u9fff]")
PARAMS = {
    "given": "text/plain", "byte": 12, "limit": 64, "line": 2, "column": 11, "position": 36,
    "detail": "Expecting value", "name": "NaN", "key": "worker", "number": "1e999",
    "path": "/api/v1/nowhere", "openapi": "/api/v1/openapi.json", "method": "PUT",
    "allowed": "GET, POST", "status": 418,
}  # fmt: skip
TALLY = "/modules/labour_tally/records"
ZH = {"Accept-Language": "zh-CN"}


def test_every_refusal_code_has_an_english_sentence_and_a_translation(app: Flask) -> None:
    assert set(TEXTS) == set(ENGLISH), "each code needs both sentences in web/http_codes.py"
    untranslated = []
    with app.test_request_context(), force_locale("zh_CN"):
        for code in ENGLISH:
            assert "?" not in english(code, PARAMS).replace("<token>", ""), code
            if not HAN.search(TEXTS[code](PARAMS)):
                untranslated.append(code)
    assert untranslated == [], "add these to web/translations (see babel.cfg)"


def _send(api: Api, raw: str | bytes, content_type: str | None, lang: str) -> list[dict[str, Any]]:
    headers = {"Accept-Language": lang}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return errors(api.post(TALLY, as_="foreman", data=raw, headers=headers))


@pytest.mark.parametrize(
    ("raw", "content_type", "code"),
    [
        ("", "application/json", "body_required"),
        ("worker=Li", "application/x-www-form-urlencoded", "not_json_content_type"),
        ('{"data": {}}', None, "content_type_missing"),
        (b'{"data": {"worker": "\xff"}}', "application/json", "body_not_utf8"),
        ("[" * 100 + "]" * 100, "application/json", "json_too_deep"),
        ('{"data": {"worker": "Li",\n "trade": rebar}}', "application/json", "json_invalid"),
        ('{"data": {"hours": NaN}}', "application/json", "json_constant"),
        ('{"data": {"a": 1, "a": 2}}', "application/json", "json_duplicate_key"),
        ('{"data": {"hours": 1e999}}', "application/json", "json_number_range"),
    ],
)
def test_a_body_the_api_cannot_read_is_refused_by_code_in_the_callers_language(
    api: Api, raw: str | bytes, content_type: str | None, code: str
) -> None:
    english = _send(api, raw, content_type, "en")
    chinese = _send(api, raw, content_type, "zh-CN")
    assert [e["code"] for e in english] == [e["code"] for e in chinese] == [code]
    assert not HAN.search(english[0]["message"]) and HAN.search(chinese[0]["message"])


def test_credentials_are_refused_by_code_with_their_challenge(api: Api) -> None:
    missing = api.get(TALLY, as_=None, headers=ZH)
    assert missing.status_code == 401 and errors(missing)[0]["code"] == "token_missing"
    assert HAN.search(errors(missing)[0]["message"])
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    basic = api.get(TALLY, as_=None, headers={"Authorization": "Basic YTpi"})
    assert errors(basic)[0]["code"] == "authorization_not_bearer"
    assert "Bearer <token>" in errors(basic)[0]["message"]
    wrong = api.get(TALLY, as_=None, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and errors(wrong)[0]["code"] == "token_invalid"
    assert 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]
    asked = api.get(TALLY, as_=None, query_string={"lang": "zh-CN"})
    assert HAN.search(errors(asked)[0]["message"])  # ?lang= wins over no Accept-Language


def test_no_route_wrong_method_long_address_and_batch_size_are_coded(api: Api) -> None:
    nowhere = api.get("/nowhere", headers=ZH)
    assert nowhere.status_code == 404 and errors(nowhere)[0]["code"] == "no_route"
    assert "/api/v1/nowhere" in errors(nowhere)[0]["message"]
    assert HAN.search(errors(nowhere)[0]["message"])
    put = api.call("PUT", TALLY)
    assert put.status_code == 405 and errors(put)[0]["code"] == "method_not_allowed"
    assert "GET" in put.headers["Allow"] and "PUT is not allowed" in errors(put)[0]["message"]
    long = api.get(TALLY, query_string={"q": "x" * 9000})
    assert long.status_code == 414 and errors(long)[0]["code"] == "request_line_too_long"
    empty = api.post(f"{TALLY}:batch", json={"records": []}, headers=ZH)
    assert empty.status_code == 422
    assert [(e["path"], e["code"]) for e in errors(empty)] == [("/records", "batch_size")]
    assert "1000" in errors(empty)[0]["message"] and HAN.search(errors(empty)[0]["message"])


def test_a_refused_batch_names_each_item_in_the_callers_language(api: Api) -> None:
    sent = {"records": [{"id": "no-such-record", "version": 1, "data": {"worker": "Li"}}]}
    refused = api.post(f"{TALLY}:batch", as_="foreman", json=sent, headers=ZH)
    assert refused.status_code == 404
    [problem] = errors(refused)
    assert problem["index"] == 0 and problem["code"] != "batch_refused"
    assert HAN.search(problem["message"])


@pytest.mark.parametrize(
    ("path", "status", "title"), [("/no/such/page", 404, "未找到"), ("/?q=%00", 400, "请求有误")]
)
def test_error_pages_are_in_the_users_language(
    sign_in: Callable[[str], FlaskClient], path: str, status: int, title: str
) -> None:
    client = sign_in("foreman")
    page = client.get(path, headers=ZH)
    assert page.status_code == status and title in page.text
    assert "Not found" not in page.text and "Bad request" not in page.text
