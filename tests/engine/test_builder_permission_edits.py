"""The builder's permission edits write a role's row the way an imported pack carries it, and
refuse what the pack format or the module cannot hold before the draft is saved."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.builder.permission_edits import add_role, set_permissions
from engine.definitions import load_pack
from engine.errors import ValidationFailed

PACK = Path(__file__).resolve().parents[2] / "modules" / "construction.json"


@pytest.fixture
def pack() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(PACK.read_text(encoding="utf-8"))
    return loaded


def project(pack: dict[str, Any]) -> dict[str, Any]:
    return next(m for m in pack["modules"] if m["id"] == "project")


def test_a_roles_row_is_written_as_the_pack_format_has_it_and_compiles(pack):
    changed = set_permissions(
        pack,
        "project",
        "planner",
        {"read": "own", "update": "own", "delete": "none"},
        ["create"],
        {"budget": "hidden", "name": "read", "code": ""},
    )
    assert project(changed)["permissions"]["planner"] == {
        "create": True,
        "read": "own",
        "update": "own",
        "fields": {"budget": "hidden", "name": "read"},
    }
    assert project(pack)["permissions"]["planner"] == {"read": "all"}  # the input is untouched
    rights = load_pack(changed).module_map["project"].permissions["planner"]
    assert rights.create and rights.read == "own"


def test_a_row_that_allows_nothing_is_removed(pack):
    changed = set_permissions(pack, "project", "planner", {})
    assert "planner" not in project(changed)["permissions"]


@pytest.mark.parametrize(
    ("role", "levels", "rules", "scope", "code"),
    [
        ("nobody", {}, {}, [], "builder_unknown_role"),
        ("planner", {"read": "mine"}, {}, [], "builder_permission_level"),
        ("planner", {"read": "all"}, {"nope": "hidden"}, [], "builder_unknown_field"),
        ("planner", {"read": "all"}, {"name": "secret"}, [], "builder_field_rule"),
        ("planner", {"read": "all"}, {}, ["name"], "builder_scope_not_link"),
    ],
)
def test_what_the_format_cannot_hold_is_refused_with_a_code(pack, role, levels, rules, scope, code):
    with pytest.raises(ValidationFailed) as refused:
        set_permissions(pack, "project", role, levels, (), rules, scope)
    assert [p.code for p in refused.value.problems] == [code]


def test_a_new_role_is_declared_once(pack):
    changed = add_role(pack, "auditor", "Auditor", "审计")
    assert {"id": "auditor", "title": {"en": "Auditor", "zh-CN": "审计"}} in changed["roles"]
    changed = set_permissions(changed, "project", "auditor", {"read": "all"}, ["export"])
    assert load_pack(changed).module_map["project"].permissions["auditor"].export
    with pytest.raises(ValidationFailed) as refused:
        add_role(changed, "auditor", "Again", "")
    assert refused.value.problems[0].code == "builder_role_taken"


def test_a_scope_over_a_link_limits_the_roles_rows_to_its_grants(pack):
    changed = set_permissions(pack, "labour_tally", "foreman", {"read": "all"}, (), {}, ["project"])
    tally = next(m for m in changed["modules"] if m["id"] == "labour_tally")
    assert tally["permissions"]["foreman"] == {"read": "all", "scope": ["project"]}
    rights = load_pack(changed).module_map["labour_tally"].permissions["foreman"]
    assert tuple(rights.scope) == ("project",)
