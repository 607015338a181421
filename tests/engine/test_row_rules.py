"""Validations over each row of a child table (`"rows"`): checked at import where they are
written, and refused at the row on every write (engine/records/row_rules.py). The
materials pack's issue lines are the example; its own tests walk the stock figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.errors import DefinitionError
from engine.packs import import_pack

MODULES = Path(__file__).resolve().parents[2] / "modules"


def materials() -> dict[str, Any]:
    return json.loads((MODULES / "materials.json").read_text(encoding="utf-8"))


def issue_module(pack: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    (index,) = [i for i, m in enumerate(pack["modules"]) if m["id"] == "stock_issue"]
    return index, pack["modules"][index]


def test_import_refuses_a_row_rule_over_no_child_table_and_unknown_names(session) -> None:
    import_pack(session, (MODULES / "construction.json").read_text(encoding="utf-8"))
    pack = materials()
    index, module = issue_module(pack)
    module["validations"] = [
        {"rows": "line", "when": "qty > 0"},
        {"rows": "lines", "when": "qty <= card.on_hnd", "fields": ["qtty"]},
        {"rows": "lines", "when": "parent.projet != null"},
    ]
    with pytest.raises(DefinitionError) as refused:
        import_pack(session, pack)
    found = {(p.path, p.code) for p in refused.value.problems}
    at = f"/modules/{index}/validations"
    assert found == {
        (f"{at}/0/rows", "validation_rows_unknown"),
        (f"{at}/1/when", "unknown_name"),
        (f"{at}/1/fields/0", "validation_unknown_field"),
        (f"{at}/2/when", "unknown_name"),
    }
    (rows,) = [p for p in refused.value.problems if p.code == "validation_rows_unknown"]
    assert "'lines'" in rows.message  # the table it may have meant


def test_a_row_rule_may_not_aggregate(session) -> None:
    import_pack(session, (MODULES / "construction.json").read_text(encoding="utf-8"))
    pack = materials()
    index, module = issue_module(pack)
    module["validations"] = [{"rows": "lines", "when": "sum(qty) < 100"}]
    with pytest.raises(DefinitionError) as refused:
        import_pack(session, pack)
    assert [p.path for p in refused.value.problems] == [f"/modules/{index}/validations/0/when"]
