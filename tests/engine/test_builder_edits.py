"""Builder edits: a module composed field by field is a pack the pack checks accept."""

from __future__ import annotations

import pytest

from engine.builder import edits
from engine.builder.palette import PALETTE, palette
from engine.builder.settings import applicable, form_values, set_field
from engine.definitions import load_pack
from engine.errors import ValidationFailed
from engine.kinds import REGISTERED, detect


def codes(exc: pytest.ExceptionInfo[ValidationFailed]) -> list[str]:
    return [p.code for p in exc.value.problems]


def blank() -> dict:
    pack = edits.new_pack("works", "Works", "工程")
    return edits.start_module(pack, "visit", {"en": "Site visit", "zh-CN": "巡检"})


def test_every_registered_kind_is_in_the_palette_and_starts_as_itself():
    for kind in REGISTERED:
        entry = PALETTE[kind.name]
        assert entry.title["en"]
        if kind.name not in ("choice", "multichoice", "link"):  # these need their values first
            assert detect(entry.starting_schema()) is kind
    assert detect(PALETTE["money"].starting_schema()).name == "decimal"
    assert "table" not in {e.key for e in palette(in_table=True)}


def test_a_module_built_from_blank_compiles_with_its_child_table_formula_and_money():
    pack = blank()
    pack, name = edits.add_field(pack, "visit", "text", {"en": "Inspector name"})
    assert name == "inspector_name"
    pack, items = edits.add_field(pack, "visit", "table", {"en": "Items", "zh-CN": "明细"})
    pack, qty = edits.add_field(pack, "visit", "decimal", {"en": "Qty"}, table=items)
    pack, price = edits.add_field(pack, "visit", "money", {"en": "Price"}, table=items)
    pack, line = edits.add_field(pack, "visit", "formula", {"en": "Line"}, table=items)
    pack = set_field(pack, "visit", line, {"label_en": "Line", "formula": "qty * price"}, items)
    pack, total = edits.add_field(pack, "visit", "formula", {"en": "Total"})
    pack = set_field(pack, "visit", total, {"label_en": "Total", "formula": "sum(items.line)"})
    compiled = load_pack(pack)
    module = compiled.module_map["visit"]
    assert [f.name for f in module.fields] == ["inspector_name", "items", "total"]
    assert [c.name for c in module.field("items").children] == ["qty", "price", "line"]


def test_field_ids_come_from_the_english_label_and_never_collide():
    taken = {"unit_price", "date"}
    assert edits.suggest_id("Unit price", taken) == "unit_price_2"
    assert edits.suggest_id("单价", taken | {"field_1"}) == "field_2"
    assert edits.suggest_id("2nd visit", taken) == "field_2nd_visit"
    pack, name = edits.add_field(blank(), "visit", "date", {"zh-CN": "日期"})
    assert name == "field_1"
    with pytest.raises(ValidationFailed) as refused:
        edits.add_field(pack, "visit", "text", {"en": "x"}, field_id="field_1")
    assert codes(refused) == ["builder_field_taken"]
    with pytest.raises(ValidationFailed) as refused:
        edits.add_field(pack, "visit", "text", {"en": "x"}, field_id="Bad Id")
    assert codes(refused) == ["builder_id_invalid"]
    with pytest.raises(ValidationFailed) as refused:
        edits.add_field(pack, "visit", "text", {"en": "x"}, field_id="state")  # a system column
    assert codes(refused) == ["builder_field_reserved"]


def test_settings_are_read_from_text_and_bad_ones_all_refused_at_once():
    pack, name = edits.add_field(blank(), "visit", "text", {"en": "Code"})
    form = {"label_en": "<b>Code</b>", "label_zh": "编号", "required": "on", "pattern": "^[A-Z]+$"}
    pack = set_field(pack, "visit", name, form)
    schema = pack["modules"][0]["schema"]
    assert schema["properties"][name]["title"] == {"en": "<b>Code</b>", "zh-CN": "编号"}
    assert schema["required"] == [name]
    assert form_values(schema["properties"][name], True)["pattern"] == "^[A-Z]+$"
    with pytest.raises(ValidationFailed) as refused:
        set_field(pack, "visit", name, {"label_en": "", "pattern": "([a-", "max_length": "x"})
    assert sorted(codes(refused)) == [
        "builder_not_a_number",
        "builder_pattern_invalid",
        "builder_title_missing",
    ]
    pack, hours = edits.add_field(pack, "visit", "decimal", {"en": "Hours"})
    with pytest.raises(ValidationFailed) as refused:
        set_field(pack, "visit", hours, {"label_en": "Hours", "maximum": "1e300"})
    assert codes(refused) == ["builder_number_too_large"]
    with pytest.raises(ValidationFailed) as refused:
        set_field(pack, "visit", hours, {"label_en": "H", "minimum": "9", "maximum": "1"})
    assert codes(refused) == ["builder_bounds_reversed"]


def test_choices_links_and_files_take_their_own_settings():
    pack, trade = edits.add_field(blank(), "visit", "choice", {"en": "Trade"})
    pack = set_field(
        pack, "visit", trade, {"label_en": "Trade", "choices": "rebar | Rebar | 钢筋\nconcrete"}
    )
    schema = pack["modules"][0]["schema"]["properties"][trade]
    assert schema["enum"] == ["rebar", "concrete"]
    assert schema["x-enum-titles"] == {"rebar": {"en": "Rebar", "zh-CN": "钢筋"}}
    assert "choices" in applicable(detect(schema), schema)
    with pytest.raises(ValidationFailed) as refused:
        set_field(pack, "visit", trade, {"label_en": "T", "choices": "Rebar Bars\nok\nok"})
    assert sorted(codes(refused)) == ["builder_choice_line", "builder_choice_twice"]
    pack, photo = edits.add_field(pack, "visit", "file", {"en": "Photo"})
    with pytest.raises(ValidationFailed) as refused:
        set_field(pack, "visit", photo, {"label_en": "Photo", "accept": "pdf"})
    assert codes(refused) == ["builder_file_type"]
    pack = set_field(pack, "visit", photo, {"label_en": "Photo", "accept": ".pdf, image/*"})
    assert pack["modules"][0]["schema"]["properties"][photo]["x-accept"] == [".pdf", "image/*"]
    load_pack(pack)


def test_reorder_and_remove_keep_the_pack_consistent():
    pack = blank()
    for label in ("A", "B", "C"):
        pack, _ = edits.add_field(pack, "visit", "text", {"en": label})
    pack["modules"][0]["title_field"] = "b"
    pack["modules"][0]["ui"] = {
        "layout": [{"fields": ["a", "b", "c"]}],
        "list": {"columns": ["b"], "sort": "-b"},
    }
    pack = edits.reorder_fields(pack, "visit", ["c", "a", "b"])
    assert list(pack["modules"][0]["schema"]["properties"]) == ["c", "a", "b"]
    assert pack["modules"][0]["ui"]["layout"][0]["fields"] == ["c", "a", "b"]
    with pytest.raises(ValidationFailed) as refused:
        edits.reorder_fields(pack, "visit", ["c", "a"])
    assert codes(refused) == ["builder_order_mismatch"]
    pack = edits.remove_field(pack, "visit", "b", declare_drop=True)
    module = pack["modules"][0]
    assert "title_field" not in module and "list" not in module["ui"] or not module["ui"]["list"]
    assert module["migrate"] == {"drop": ["b"]}
    load_pack(pack)
