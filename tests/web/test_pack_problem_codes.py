"""A refused pack answers codes and the reader's language, each problem at its JSON Pointer:
meta-schema errors coded by their keyword, names and duplicate keys by the engine's reason."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale

from engine.definitions.loader import load_pack
from engine.errors import DefinitionError
from tests.web.helpers import Api, body, errors
from web.problems import problem_message

HAN = re.compile(r"[\u4e00-\u9fff]")
ZH = {"Accept-Language": "zh-CN"}


def _pack(module: dict[str, Any], **extra: Any) -> dict[str, Any]:
    pack = {"format": "formwork.pack/1", "id": "odd", "version": "1.0.0", "title": "T"}
    return {**pack, "modules": [module], **extra}


def _module(**fields: Any) -> dict[str, Any]:
    properties = {"note": {"type": "string"}, **fields}
    return {"id": "odd", "title": "M", "schema": {"type": "object", "properties": properties}}


def _coded(answer: Any) -> dict[str, str]:
    return {e["path"]: e["code"] for e in errors(answer)}


def test_a_refused_pack_answers_codes_in_chinese_at_their_pointers(api: Api) -> None:
    before = body(api.get("/packs"))
    pack = _pack({**_module(state={"type": "string"}), "colour": "red"})
    del pack["title"]
    answer = api.post("/packs", json=pack, headers=ZH)
    assert answer.status_code == 422
    assert _coded(answer) == {"": "required", "/modules/0": "unknown_key"}
    assert all(HAN.search(e["message"]) for e in errors(answer)), errors(answer)
    english = api.post("/packs", json=pack)
    assert {e["message"] for e in errors(english)} >= {"'title' is required"}
    reserved = api.post("/packs", json=_pack(_module(state={"type": "string"})), headers=ZH)
    assert _coded(reserved) == {"/modules/0/schema/properties/state": "reserved_field_name"}
    assert errors(reserved)[0]["message"].startswith("state ")
    assert HAN.search(errors(reserved)[0]["message"])
    assert body(api.get("/packs")) == before


def test_pack_text_problems_are_coded(app: Flask) -> None:
    refused: dict[str | bytes, list[tuple[str, str]]] = {
        '{"format": "formwork.pack/1", "id": "a", "id": "b"}': [("/id", "duplicate_key")],
        "[1]": [("", "pack_not_object")],
        '{"id": ': [("", "not_json")],
        b'{"id": "\xff"}': [("", "not_utf8")],
        "[" * 100_000: [("", "too_deeply_nested")],
    }
    for text, codes in refused.items():
        with pytest.raises(DefinitionError) as caught:
            load_pack(text)
        assert [(p.path, p.code) for p in caught.value.problems] == codes
        with app.test_request_context(), force_locale("zh_CN"):
            assert all(HAN.search(problem_message(p)) for p in caught.value.problems)


def test_expression_problems_in_a_pack_are_coded_and_translated(api: Api) -> None:
    before = body(api.get("/packs"))
    formulas = {
        "a": {"type": "number", "x-formula": "nosuch(note)"},
        "b": {"type": "number", "x-formula": "missing * 2"},
        "c": {"type": "number", "x-formula": "note * 2"},
        "d": {"type": "number", "x-formula": "(1 +"},
    }
    answer = api.post("/packs", json=_pack(_module(**formulas)), headers=ZH)
    assert answer.status_code == 422
    base = "/modules/0/schema/properties"
    assert _coded(answer) == {
        f"{base}/a/x-formula": "unknown_function",
        f"{base}/b/x-formula": "unknown_name",
        f"{base}/c/x-formula": "type_clash",
        f"{base}/d/x-formula": "expression_unreadable",
    }
    assert all(HAN.search(e["message"]) for e in errors(answer)), errors(answer)
    unknown = next(e for e in errors(answer) if e["code"] == "unknown_function")
    assert "nosuch" in unknown["message"] and "sum" in unknown["message"]
    english = {
        e["code"]: e["message"] for e in errors(api.post("/packs", json=_pack(_module(**formulas))))
    }
    assert english["unknown_name"].startswith("in 'missing * 2': ")
    assert body(api.get("/packs")) == before


def test_not_found_answers_its_code_in_chinese(api: Api) -> None:
    for url, code in (
        ("/packs/nosuch", "unknown_pack"),
        ("/modules/nosuch", "unknown_module"),
        ("/reports/nosuch", "unknown_report"),
        ("/webhooks/999/deliveries", "unknown_webhook"),
        ("/modules/labour_tally/records/nosuch", "unknown_record"),
        ("/modules/labour_tally/records/nosuch/history", "unknown_record"),
        ("/modules/labour_tally/records/nosuch/transitions", "unknown_record"),
    ):
        answer = api.get(url, headers=ZH)
        assert answer.status_code == 404, url
        assert [(e["path"], e["code"]) for e in errors(answer)] == [("", code)], url
        assert "nosuch" in errors(answer)[0]["message"] or code == "unknown_webhook"
        assert HAN.search(errors(answer)[0]["message"]), url


def test_an_upgrade_refusal_answers_its_code_in_chinese(api: Api) -> None:
    installed = body(api.get("/packs/construction"))
    older = api.post("/packs", json={**installed, "version": "0.0.1"}, headers=ZH)
    assert older.status_code == 422
    assert [(e["path"], e["code"]) for e in errors(older)] == [("/version", "version_older")]
    assert "0.0.1" in errors(older)[0]["message"] and HAN.search(errors(older)[0]["message"])
    assert body(api.get("/packs/construction")) == installed


def test_semantic_check_problems_are_coded(api: Api) -> None:
    pack = _pack(_module(), roles=[{"id": "admin", "title": "A"}])
    pack["modules"].append(_module())
    answer = api.post("/packs", json=pack, headers=ZH)
    assert answer.status_code == 422
    assert {(e["path"], e["code"]) for e in errors(answer)} >= {
        ("/roles/0/id", "role_built_in"),
        ("/modules/1/id", "module_id_twice"),
    }
    assert all(HAN.search(e["message"]) for e in errors(answer)), errors(answer)


def test_a_formula_cycle_answers_its_code_in_chinese(api: Api) -> None:
    cycle = {
        "a": {"type": "number", "x-formula": "b + 1"},
        "b": {"type": "number", "x-formula": "a"},
    }
    answer = api.post("/packs", json=_pack(_module(**cycle)), headers=ZH)
    assert answer.status_code == 422
    found = [e for e in errors(answer) if e["code"] == "formula_cycle"]
    assert found and "a → b → a" in found[0]["message"] and HAN.search(found[0]["message"])


def test_workflow_and_seed_problems_answer_their_codes_in_chinese(api: Api) -> None:
    before = body(api.get("/packs"))
    workflow = {
        "initial": "draft",
        "states": {"draft": {"title": "D"}, "done": {"title": "F", "final": True}},
        "transitions": [
            {"id": "finish", "from": "draft", "to": "dnoe"},
            {"id": "reopen", "from": "done", "to": "draft"},
        ],
    }
    seed = {"odd": [{"note": "a", "$state": "gone"}, {"note": "b", "colour": "red"}]}
    pack = _pack({**_module(), "workflow": workflow}, seed=seed)
    answer = api.post("/packs", json=pack, headers=ZH)
    assert answer.status_code == 422
    assert _coded(answer) == {
        "/modules/0/workflow/transitions/0/to": "unknown_state",
        "/modules/0/workflow/transitions/1/from": "transition_from_final",
        "/seed/odd/0/$state": "seed_unknown_state",
        "/seed/odd/1/colour": "seed_unknown_field",
    }
    assert all(HAN.search(e["message"]) for e in errors(answer)), errors(answer)
    chinese = {e["code"]: e["message"] for e in errors(answer)}
    assert "dnoe" in chinese["unknown_state"] and "done, draft" in chinese["unknown_state"]
    assert "colour" in chinese["seed_unknown_field"]
    english = {e["code"]: e["message"] for e in errors(api.post("/packs", json=pack))}
    assert english["unknown_state"].startswith("transition 'finish' goes to 'dnoe' is not a state")
    assert english["seed_unknown_state"].startswith("$state 'gone' is not a state of odd")
    assert body(api.get("/packs")) == before


def test_field_and_ui_check_problems_answer_their_codes_in_chinese(api: Api) -> None:
    before = body(api.get("/packs"))
    module = _module(size={"type": "string", "x-scale": 2}, count={"type": "integer"})
    module["ui"] = {"list": {"totals": ["note"]}, "widgets": {"count": "checkboxes"}}
    pack = _pack(module)
    answer = api.post("/packs", json=pack, headers=ZH)
    assert answer.status_code == 422
    base = "/modules/0/schema/properties"
    assert _coded(answer) == {
        f"{base}/size/x-scale": "scale_not_a_number",
        "/modules/0/ui/list/totals/0": "totals_not_a_number",
        "/modules/0/ui/widgets/count": "widget_mismatch",
    }
    chinese = {e["code"]: e["message"] for e in errors(answer)}
    assert chinese["scale_not_a_number"] == "x-scale 只适用于数字；size 不是数字。"
    assert chinese["totals_not_a_number"] == "合计只能对数字求和；note 不是数字。"
    assert "checkboxes" in chinese["widget_mismatch"] and "count" in chinese["widget_mismatch"]
    assert HAN.search(chinese["widget_mismatch"])
    english = {e["code"]: e["message"] for e in errors(api.post("/packs", json=pack))}
    assert english["scale_not_a_number"] == "x-scale applies to numbers; 'size' is a string"
    assert english["totals_not_a_number"] == "totals add numbers; 'note' is a text field"
    assert body(api.get("/packs")) == before
