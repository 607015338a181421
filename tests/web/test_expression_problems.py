"""A formula with a mistake is refused in the admin's language, down to what is wrong in it.

The pack check names the formula's text under its own code (`expression_unreadable`); the
expression error inside keeps its code and params, so a Chinese reader gets the whole
sentence in Chinese and an English reader the engine's sentence with its position.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask_babel import force_locale

from engine.expressions import parse, type_clashes
from tests.web.helpers import Api, body, errors
from web.problems_types import CLASHES, type_clash_detail

HAN = re.compile(r"[\u4e00-\u9fff]")
BASE = "/modules/0/schema/properties"


def _pack(**formulas: str) -> dict[str, Any]:
    properties: dict[str, Any] = {"note": {"type": "string"}, "hours": {"type": "number"}}
    properties |= {name: {"type": "number", "x-formula": f} for name, f in formulas.items()}
    module = {"id": "odd", "title": "M", "schema": {"type": "object", "properties": properties}}
    return {"format": "formwork.pack/1", "id": "odd", "version": "1.0.0", "title": "T",
            "modules": [module]}  # fmt: skip


def test_a_broken_formula_answers_the_expressions_own_sentence_in_chinese(api: Api) -> None:
    before = body(api.get("/packs"))
    pack = _pack(a="hours * (2 + 1", b="round(hours, 2, 3)", c="hours ** 2")
    answer = api.post("/packs", json=pack, headers={"Accept-Language": "zh-CN"})
    assert answer.status_code == 422
    found = {e["path"]: e for e in errors(answer)}
    assert {found[f"{BASE}/{n}/x-formula"]["code"] for n in "abc"} == {"expression_unreadable"}
    unclosed = found[f"{BASE}/a/x-formula"]["message"]
    assert "hours * (2 + 1" in unclosed and "( 没有闭合" in unclosed and "第 8 个字符" in unclosed
    arity = found[f"{BASE}/b/x-formula"]["message"]
    assert "round() 需要 1 到 2 个参数，而不是 3 个" in arity
    power = found[f"{BASE}/c/x-formula"]["message"]
    assert "不允许使用运算符 '**' (power)" in power
    assert not any(w in e["message"] for e in errors(answer) for w in ("never", "takes", "allowed"))
    english = {e["path"]: e["message"] for e in errors(api.post("/packs", json=pack))}
    assert english[f"{BASE}/a/x-formula"] == (
        "cannot read 'hours * (2 + 1': '(' is never closed (at character 8)"
    )
    assert english[f"{BASE}/b/x-formula"].endswith(
        "round() takes 1 or 2 arguments, got 3 (at character 0)"
    )
    assert body(api.get("/packs")) == before


def test_a_formula_that_fails_on_a_record_says_why_in_chinese(api: Api) -> None:
    installed = api.post("/packs", json=_pack(per_hour="100 / hours"))
    assert installed.status_code == 201, installed.text
    zh = {"Accept-Language": "zh-CN"}
    answer = api.post("/modules/odd/records", json={"data": {"hours": 0}}, headers=zh)
    assert answer.status_code == 422
    assert [(e["path"], e["code"]) for e in errors(answer)] == [("/per_hour", "cannot_compute")]
    assert errors(answer)[0]["message"] == "无法计算此值：除数为零。（第 0 个字符处）"
    english = api.post("/modules/odd/records", json={"data": {"hours": 0}})
    assert errors(english)[0]["message"] == "cannot compute: division by zero (at character 0)"
    assert api.get("/modules/odd/records").json["total"] == 0


def test_type_clashes_are_said_in_chinese_with_the_names_as_written(api: Api) -> None:
    pack = _pack(a="note * 2", b="hours > 'abc'", c="round(note)")
    answer = api.post("/packs", json=pack, headers={"Accept-Language": "zh-CN"})
    assert answer.status_code == 422
    found = {e["path"]: e for e in errors(answer)}
    assert {found[f"{BASE}/{n}/x-formula"]["code"] for n in "abc"} == {"type_clash"}
    assert "'note' 是文本；* 需要数字" in found[f"{BASE}/a/x-formula"]["message"]
    assert "'hours' 是数字；不能与 'abc' 比较" in found[f"{BASE}/b/x-formula"]["message"]
    assert "round() 需要数字" in found[f"{BASE}/c/x-formula"]["message"]
    english = {e["path"]: e["message"] for e in errors(api.post("/packs", json=pack))}
    assert english[f"{BASE}/a/x-formula"] == "in 'note * 2': 'note' is a text; '*' needs numbers"


CLASHING = {
    "needs_number": "-note",
    "cannot_add": "note + hours",
    "operator_needs": "day + flag",
    "cannot_compare": "(hours + 1) > note",
    "cannot_order": "flag < true",
    "not_in_text": "hours in note",
    "in_needs_list": "note in hours",
    "not_in_list": "hours in rows.work",
    "function_needs": "year(hours)",
    "holds": "sum(rows.work)",
}


def test_every_kind_of_type_clash_has_its_chinese_sentence(app: Flask) -> None:
    kinds = {"hours": "number", "note": "text", "day": "date", "flag": "boolean", "rows": "list"}
    kinds["rows.work"] = "text"
    said = {}
    with app.test_request_context(), force_locale("zh_CN"):
        for reason, text in CLASHING.items():
            (clash,) = type_clashes(parse(text), lambda path: kinds.get(".".join(path)))
            assert clash.params["clash"] == reason, (text, clash)
            said[reason] = type_clash_detail(clash.params)
    assert set(CLASHING) == set(CLASHES)
    assert all(HAN.search(sentence) for sentence in said.values()), said
    assert (
        said["operator_needs"]
        == "'day' 是日期；+ 需要两个数字或两段文本（计算天数请用 days_between(a, b)）"
    )
