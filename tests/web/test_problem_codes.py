"""Problems travel as codes: every code has its English and Chinese sentence, and the API
answers `{"path", "code", "message"}` in the caller's language, its status found by class."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask_babel import force_locale

from engine import errors
from engine.codes import MESSAGES
from engine.errors import Problem, TransitionRefused
from tests.web.helpers import Api, body, labour_data
from tests.web.helpers import errors as problems
from web.errors import status_of
from web.problems import TEXTS, problem_message

TALLY = "/modules/labour_tally/records"
HAN = re.compile(r"[\u4e00-\u9fff]")
PARAMS = {
    "value": 3, "limit": 5, "field": "hours", "scale": 2, "items": "rows", "choices": "a, b",
    "module": "project", "action": "update", "detail": "x", "record": "r1", "version": 2,
    "given": 1, "lock": "final", "state": "approved", "editable": "paid_at", "fields": "items",
    "transition": "approve", "sources": "submitted", "roles": "manager", "condition": "hours > 0",
    "user": "ann", "op": "gte", "operators": "eq, gte", "kind": "a number", "low": 1, "high": 9, "kinds": "image/*",
    "header": "Idempotency-Key", "key": "x", "name": "ann", "table": "m_a__b", "text": "hours +", "functions": "sum",
    "host": "example.com", "address": "10.0.0.1", "event": "x", "events": "created",
    "report": "hours", "pack": "construction", "id": 7, "count": 3,
    "installed": "1.0.2", "old": "text", "new": "integer", "old_scale": 0, "new_scale": 2,
    "values": "a, b", "records": "LT-1", "role": "boss", "other": "/modules/0", "print": "p1", "line": 2,
    "cycle": "a → b → a", "what": "a filter", "hint": "",
    "computed": "formula", "keywords": "x-user and x-file", "widget": "radio", "fits": "choice", "link": "project",
    "target": "project", "low_key": "minLength", "high_key": "maxLength", "section": 0, "view": "gantt", "wanted": "date",
    "states": "draft, approved", "transitions": "submit, approve", "modules": "project", "keys": "p1",
    "type": "float", "length": 5000, "char": "\x00", "error": "invalid syntax", "bracket": "(",
    "names": "$id, $state", "literal": "0x1", "number": "1e999", "arity": "1 or 2", "plural": "s",
    "min_args": 1, "max_args": 2, "where": "items", "left": "text 'a'", "right": "number 1",
    "verb": "add", "needs": "two numbers",
    "by": " by S-001", "token": "project.code", "pattern": "{project.code}-{seq:4}",
    "message": "Over budget", "expected": "date", "actual": "number",
    "measure": "hours", "group": "trade", "requires": ">=1.0", "source": "request", "source_field": "qty",
    "tables": "lines", "option": "cumulative", "groups": 2, "match": "{'code': 'P1'}", "sheet": "items",
    "missing": "qty", "extra": "n", "first": "number", "done": 500, "total": 2000,
}  # fmt: skip
FREE_TEXT = {"invalid"}  # carries a sentence said elsewhere (a pack check), shown as it was
FREE_TEXT |= {"guard_message", "rule_message"}  # the pack's own message, in its languages


def test_every_code_has_an_english_sentence_and_a_translation(app: Flask) -> None:
    untranslated = []
    with app.test_request_context(), force_locale("zh_CN"):
        for code in MESSAGES:
            problem = Problem("/hours", code, PARAMS)
            assert problem.code == code and not problem.message.startswith(f"{code}: ")
            assert code in TEXTS, f"no message for the code {code!r} in web/problems.py"
            if code not in FREE_TEXT and not HAN.search(problem_message(problem)):
                untranslated.append(code)
    assert untranslated == [], "add these to web/translations (see babel.cfg)"


def _refusal_classes() -> list[type[TransitionRefused]]:
    found, queue = [], [TransitionRefused]
    while queue:
        cls = queue.pop()
        found.append(cls)
        queue.extend(cls.__subclasses__())
    return found


def test_each_refusal_reason_is_a_class_with_its_code_and_status() -> None:
    statuses = {cls.code: status_of(cls("approve", "draft")) for cls in _refusal_classes()}
    assert set(statuses) <= set(MESSAGES)
    assert statuses["wrong_state"] == statuses["already_voted"] == 409
    assert statuses["not_approver"] == statuses["role_required"] == 403
    assert statuses["unknown_transition"] == 404
    assert statuses["guard_failed"] == statuses["comment_required"] == 422
    assert status_of(errors.StaleVersion("r1", 2, 1)) == 409


def new_tally(api: Api) -> dict:  # type: ignore[type-arg]
    project = api.first("project", as_="foreman")["id"]
    response = api.post(TALLY, as_="foreman", json={"data": labour_data(project)})
    assert response.status_code == 201, response.text
    return body(response)


def test_the_api_answers_refusals_by_code_in_the_callers_language(api: Api) -> None:
    record = new_tally(api)
    base = f"{TALLY}/{record['id']}"
    early = api.post(f"{base}/transitions/approve", as_="manager")
    assert early.status_code == 409
    assert [(e["path"], e["code"]) for e in problems(early)] == [("", "wrong_state")]
    assert "applies from submitted" in problems(early)[0]["message"]
    zh = {"Accept-Language": "zh-CN"}
    chinese = api.post(f"{base}/transitions/approve", as_="manager", headers=zh)
    assert problems(chinese)[0]["code"] == "wrong_state"
    assert HAN.search(problems(chinese)[0]["message"])
    stale = api.patch(base, as_="foreman", json={"version": 7, "data": {"worker": "Li"}})
    assert stale.status_code == 409 and problems(stale)[0]["code"] == "stale_version"
    options = {o["id"]: o for o in body(api.get(f"{base}/transitions", as_="foreman"))["items"]}
    assert options["approve"]["reason_code"] == "wrong_state"
    assert api.post(f"{base}/transitions/submit", as_="foreman").status_code == 200
    own = api.post(f"{base}/transitions/approve", as_="foreman", headers=zh)
    assert own.status_code == 403 and problems(own)[0]["code"] == "owner_may_not_approve"
    assert problems(own)[0]["message"] == "您不能审批自己的记录。" or HAN.search(
        problems(own)[0]["message"]
    )
    assert body(api.get(base, as_="foreman"))["version"] == 2  # nothing else changed


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_invalid_data_names_each_problem_by_its_keyword(api: Api, language: str) -> None:
    project = api.first("project", as_="foreman")["id"]
    data = labour_data(project, trade="astronaut", nonsense=1)
    data["items"][1]["rate"] = "cheap"
    response = api.post(
        TALLY, as_="foreman", json={"data": data}, headers={"Accept-Language": language}
    )
    assert response.status_code == 422
    codes = {e["path"]: e["code"] for e in problems(response)}
    assert codes["/trade"] == "not_a_choice"
    assert codes["/nonsense"] == "unknown_field"
    assert codes["/items/1/rate"] == "not_a_number"
    chinese = [bool(HAN.search(e["message"])) for e in problems(response)]
    assert all(chinese) if language == "zh-CN" else not any(chinese)
    assert api.get(TALLY, as_="foreman", query_string={"per_page": 1}).json["total"] == 0
