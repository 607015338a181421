"""A field's conditions as the builder sets them: `ui.show_if` and `ui.required_if`.

The field form's two condition editors are saved here, beside the field's settings. Each
condition is checked by the expression editor's own check (engine/builder/expressions.py),
so what the editor said as the admin typed is what saving says; a refusal carries the
editor's coded problems at the condition's JSON Pointer and leaves the pack as it was.
What only a condition can get wrong is said here: a field shown or required by its own
value, and a condition on a child table's column, which the pack format does not have.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from engine.builder.edits import holder, module_index, module_of, refuse
from engine.builder.expressions import check_expression, read_catalogue
from engine.errors import ExpressionError, Problem, ValidationFailed
from engine.expressions import parse
from engine.expressions.nodes import Name, walk

KEYS = ("show_if", "required_if")


def conditions_of(module: Mapping[str, Any], field: str) -> dict[str, str]:
    """The field's show_if and required_if texts as the pack holds them ("" for none)."""
    ui = module.get("ui")
    ui = ui if isinstance(ui, Mapping) else {}
    found = {}
    for key in KEYS:
        held = ui.get(key)
        text = held.get(field) if isinstance(held, Mapping) else None
        found[key] = text if isinstance(text, str) else ""
    return found


def _reads_itself(text: str, field: str) -> bool:
    try:
        tree = parse(text).tree
    except ExpressionError:
        return False  # the check has said why already
    return any(isinstance(n, Name) and n.path[:1] == (field,) for n in walk(tree))


def condition_problems(
    pack: Mapping[str, Any], module_id: str, field: str, key: str, text: str
) -> list[Problem]:
    """Why `text` cannot be the field's `key` condition (none: it can), each at its pointer."""
    pointer = f"/modules/{module_index(pack, module_id)}/ui/{key}/{field}"
    checked = check_expression(pack, module_id, key, text)
    problems = [Problem(pointer, p.code, p.params) for p in checked.problems]
    if problems:
        return problems
    if _reads_itself(text, field):
        return [Problem(pointer, "builder_condition_self", {"field": field, "where": key})]
    info = read_catalogue(pack)[module_id].fields.get(field)
    if key == "required_if" and info is not None and info.computed:
        return [Problem(pointer, "required_if_computed", {"field": field})]
    return []


def set_conditions(
    pack: Mapping[str, Any],
    module_id: str,
    field: str,
    show_if: str | None,
    required_if: str | None,
    *,
    table: str | None = None,
) -> dict[str, Any]:
    """The pack with the field's conditions set: a text sets one, "" removes it, None keeps
    it as it is. `table` names the child table a column belongs to: a column has none."""
    result = copy.deepcopy(dict(pack))
    module = module_of(result, module_id)
    wanted = {k: v.strip() for k, v in zip(KEYS, (show_if, required_if), strict=True) if v}
    if table is not None:
        if any(wanted.values()):
            raise refuse("", "builder_condition_in_table", field=field, table=table)
        return result
    if field not in holder(module)["properties"]:
        raise refuse("", "builder_unknown_field", value=field)
    problems = [
        problem
        for key, text in wanted.items()
        for problem in condition_problems(result, module_id, field, key, text)
    ]
    if problems:
        raise ValidationFailed(problems)
    ui = module.setdefault("ui", {})
    for key, text in zip(KEYS, (show_if, required_if), strict=True):
        if text is None:
            continue
        held = ui.get(key)
        held = ui[key] = dict(held) if isinstance(held, Mapping) else {}
        if text.strip():
            held[field] = text.strip()
        else:
            held.pop(field, None)
        if not held:
            ui.pop(key)
    if not ui:
        module.pop("ui")
    return result
