"""Records are checked against constraints the compiler reduced from the schema, not the raw pack."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from types import MappingProxyType

from engine.definitions import load_pack
from engine.records.compute import record_validator

ROOT = Path(__file__).resolve().parents[2]


def test_record_constraints_come_from_the_compiled_module_without_rollups_or_coercion() -> None:
    pack = load_pack(json.loads((ROOT / "modules" / "construction.json").read_text("utf-8")))
    project = next(m for m in pack.modules if m.id == "project")
    properties = project.record_schema["properties"]
    assert properties["code"] == {"pattern": "^[A-Z0-9-]{2,20}$", "maxLength": 20}
    assert properties["budget"] == {"minimum": 0}  # the type is coercion's
    assert not {f.name for f in project.rollup_fields} & set(properties)
    bare = dataclasses.replace(project, raw=MappingProxyType({}))  # no raw pack to read
    errors = list(record_validator(bare).iter_errors({"code": "x", "budget": -1}))
    assert sorted((list(e.path), e.validator) for e in errors) == [
        (["budget"], "minimum"),
        (["code"], "pattern"),
    ]
