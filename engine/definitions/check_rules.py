"""Check a module's record rules: what transitions `set`, its `validations` and the states
its fields are editable in (`x-editable-in`).

Each mistake is reported where it is written: a transition setting a field that is not
there, is computed or would get a value of another type (`"paid_on": "amount"`); a
validation whose expression names unknown things or whose message points at an unknown
field; a field editable in a state the workflow does not have.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.definitions.check_expressions import check_expression
from engine.definitions.check_row_rules import check_row_rule
from engine.definitions.context import PackContext, Path, listing
from engine.definitions.scope import ModuleInfo, RecordScope, suggest, unknown_field
from engine.expressions import infer_type

# a field's type in expressions → the types of values it takes
FITS: dict[str, frozenset[str]] = {
    "number": frozenset({"number", "integer"}),
    "integer": frozenset({"number", "integer"}),
    "text": frozenset({"text"}),
    "date": frozenset({"date", "datetime"}),
    "datetime": frozenset({"date", "datetime"}),
    "boolean": frozenset({"boolean"}),
}
KNOWN = frozenset({"number", "integer", "text", "date", "datetime", "boolean", "list", "object"})


def check_rules(ctx: PackContext, module: ModuleInfo) -> None:
    """Check the `set` of every transition, the validations and `x-editable-in`."""
    if module.index is None:
        return
    scope = RecordScope(ctx.catalogue, module)
    path: Path
    workflow = module.raw.get("workflow")
    transitions = workflow.get("transitions") if isinstance(workflow, Mapping) else None
    for index, transition in enumerate(transitions or ()):
        sets = transition.get("set") if isinstance(transition, Mapping) else None
        if isinstance(sets, Mapping):
            path = ("modules", module.index, "workflow", "transitions", index, "set")
            _check_sets(ctx, module, scope, path, str(transition.get("id")), sets)
    for index, validation in enumerate(module.raw.get("validations") or ()):
        path = ("modules", module.index, "validations", index)
        _check_validation(ctx, module, scope, path, validation)
    for name, info in module.fields.items():
        states = info.schema.get("x-editable-in")
        if isinstance(states, list):
            path = ("modules", module.index, "schema", "properties", name, "x-editable-in")
            _check_editable_in(ctx, module, path, name, states)


def _check_sets(
    ctx: PackContext,
    module: ModuleInfo,
    scope: RecordScope,
    path: Path,
    tid: str,
    sets: Mapping[str, Any],
) -> None:
    for name, text in sets.items():
        where = (*path, name)
        info = module.fields.get(name)
        if info is None:
            params = {"transition": tid, "field": name, "detail": unknown_field(module, name)}
            ctx.add_problem(where, "set_unknown_field", params)
            continue
        if info.computed or not info.kind_type.stored or not info.kind_type.scalar:
            ctx.add_problem(where, "set_computed_field", {"transition": tid, "field": name})
            continue
        if not isinstance(text, str):
            continue
        checked = check_expression(ctx, where, text, scope, aggregation="any")
        if checked is None or not checked.known:
            continue
        actual = infer_type(checked.expression, lambda ref: scope.resolve(ref).type)
        expected = info.expression_type
        if expected in FITS and actual in KNOWN and actual not in FITS[expected]:
            params = {
                "transition": tid,
                "field": name,
                "expected": expected,
                "text": text,
                "actual": actual,
            }
            ctx.add_problem(where, "set_type_clash", params)


def _check_validation(
    ctx: PackContext, module: ModuleInfo, scope: RecordScope, path: Path, validation: Any
) -> None:
    if not isinstance(validation, Mapping):
        return
    if "rows" in validation:
        check_row_rule(ctx, module, path, validation)
        return
    if isinstance(validation.get("when"), str):
        check_expression(ctx, (*path, "when"), validation["when"], scope, aggregation="any")
    for position, name in enumerate(validation.get("fields") or ()):
        if name not in module.fields:
            params = {"field": name, "detail": unknown_field(module, name)}
            ctx.add_problem((*path, "fields", position), "validation_unknown_field", params)


def _check_editable_in(
    ctx: PackContext, module: ModuleInfo, path: Path, name: str, states: list[Any]
) -> None:
    if module.states is None:
        params = {"field": name, "module": module.id}
        ctx.add_problem(path, "editable_in_no_workflow", params)
        return
    known = sorted(module.states)
    for position, state in enumerate(states):
        if state in module.states:
            continue
        params = {
            "what": f"{name!r} is editable in",
            "state": state,
            "module": module.id,
            "hint": suggest(str(state), known),
            "states": listing(known),
        }
        ctx.add_problem((*path, position), "unknown_state", params)
