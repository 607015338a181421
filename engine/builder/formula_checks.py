"""A formula is checked when the admin saves it, not only when the draft is published.

The field form's expression editor says what is wrong as the admin types; saving asks the
same question again (engine/builder/expressions.py, the pack checks' own expression check),
so a formula with code in it (`__import__`, `lambda`, `().__class__`), an unknown name or a
type clash never reaches the draft. A formula that closes a cycle (`a = b + 1` after
`b = a + 1`) is refused too, with the names in the cycle: the pack checks find the cycle
(engine/definitions/check_formulas.py) and it is reported at the field being saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.builder.edits import field_pointer, holder, module_of
from engine.builder.expressions import check_expression
from engine.definitions.checks import check_pack
from engine.definitions.loader import schema_problems
from engine.errors import Problem


def formula_problems(
    pack: Mapping[str, Any], module_id: str, name: str, table: str | None = None
) -> list[Problem]:
    """Why the field's formula cannot be kept (empty when it can, or it has none)."""
    schema = holder(module_of(dict(pack), module_id), table)["properties"].get(name)
    text = schema.get("x-formula") if isinstance(schema, Mapping) else None
    if not isinstance(text, str):
        return []
    at = f"{field_pointer(pack, module_id, name, table)}/x-formula"
    checked = check_expression(pack, module_id, "formula", text, table=table, field=name)
    if checked.problems:
        return [Problem(at, p.code, p.params) for p in checked.problems]
    return [Problem(at, "formula_cycle", {"cycle": cycle}) for cycle in _cycles(pack, name, table)]


def _cycles(pack: Mapping[str, Any], name: str, table: str | None) -> list[str]:
    """The formula cycles of the pack that pass through the field (as `a → b → a`)."""
    if schema_problems(pack):
        return []  # not yet a pack the checks can read: publishing says why
    own = f"{table}.{name}" if table else name
    found = [p.params.get("cycle") for p in check_pack(pack) if p.code == "formula_cycle"]
    return [c for c in found if isinstance(c, str) and own in c.split(" → ")]
