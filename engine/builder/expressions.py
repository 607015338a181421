"""Check one expression of a draft module as the admin types it, for the builder's editor.

The builder's formula, `show_if`, `required_if`, guard (`when`) and report editors ask this
module after each keystroke. It runs the pack checks' own expression check
(engine/definitions/check_expressions.py) in the scope the expression will run in, so the
editor and the import can never disagree; what it adds is what an editor needs beside the
verdict: where in the text each problem is, the type of the result, the names that may be
written there (for completion) and, for a sample record, the value it gives.

The draft is a raw pack dict that may not compile as a whole (the admin is half-way through
it), so the scope is built from the modules' fields as far as they can be read.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from engine.builder.expression_samples import SAMPLE_MOMENT, sample_env, with_scale
from engine.definitions.check_database import check_in_database
from engine.definitions.check_expressions import Aggregation, Checked
from engine.definitions.check_expressions import check_expression as check_in_pack
from engine.definitions.context import PackContext, listing
from engine.definitions.model import Field
from engine.definitions.scope import (
    SYSTEM_TYPES,
    USER_TYPES,
    ModuleInfo,
    RecordScope,
    RowScope,
    Scope,
)
from engine.errors import ExpressionError, Problem
from engine.expressions import AGGREGATES, FUNCTIONS, infer_type
from engine.expressions.nodes import Call, Name, walk
from engine.expressions.typecheck import Checker

Where = Literal[
    "formula", "show_if", "required_if", "when", "report_where", "report_group", "report_measure"
]
WHERES: tuple[str, ...] = (
    "formula",
    "show_if",
    "required_if",
    "when",
    "report_where",
    "report_group",
    "report_measure",
)
CONDITIONS = frozenset({"show_if", "required_if", "when", "report_where"})
AGGREGATION: Mapping[str, Aggregation] = {
    "report_where": "forbidden",
    "report_group": "forbidden",  # a report's group_by item, as engine/definitions/check_reports
    "report_measure": "required",
}
PER_RECORD = frozenset({"formula", "show_if", "required_if", "when"})
ARGUMENTS = "xyzuvw"


@dataclass(frozen=True)
class NameInfo:
    """One thing an expression may name there, for the editor's completion list."""

    name: str  # as written in an expression: hours, items.amount, $state, sum
    group: str  # field | column | system | user | function
    type: str | None = None  # the type in expressions: number, text, list...
    title: Any = None  # the field's title as the pack writes it (a text or {"en", "zh-CN"})
    kind: str = ""  # the field's kind (engine/kinds)
    signature: str = ""  # a function's arguments: round(x, y?)


@dataclass(frozen=True)
class ExpressionCheck:
    """The editor's answer: problems (each with `position` when known), the result type, the
    names for completion and, when it could be computed, the value for the sample record."""

    text: str
    where: str
    problems: tuple[Problem, ...] = ()
    result_type: str | None = None
    names: tuple[NameInfo, ...] = ()
    sample: Mapping[str, Any] | None = None
    evaluated: bool = False
    value: Any = None
    runtime: Problem | None = None  # what evaluating it on the sample raised (division by zero)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_catalogue(definition: Mapping[str, Any]) -> dict[str, ModuleInfo]:
    """The draft's modules as the pack checks see them, skipping any that cannot be read."""
    modules = definition.get("modules")
    catalogue: dict[str, ModuleInfo] = {}
    for index, raw in enumerate(modules if isinstance(modules, list) else ()):
        if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
            catalogue[raw["id"]] = ModuleInfo.read(raw, index)
    return catalogue


def _signature(name: str) -> str:
    function = FUNCTIONS[name]
    args = list(ARGUMENTS[: min(function.min_args, len(ARGUMENTS))])
    if function.max_args is None:
        args.append("…")
    elif function.max_args > function.min_args:
        args += [f"{a}?" for a in ARGUMENTS[function.min_args : function.max_args]]
    return f"{name}({', '.join(args)})"


def _field_names(module: ModuleInfo, table: Field | None) -> list[NameInfo]:
    if table is not None:
        return [
            NameInfo(c.name, "column", c.expression_type, c.title, c.kind) for c in table.children
        ]
    names = []
    for info in module.fields.values():
        names.append(NameInfo(info.name, "field", info.expression_type, info.title, info.kind))
        names += [
            NameInfo(f"{info.name}.{c.name}", "column", c.expression_type, c.title, c.kind)
            for c in info.children
        ]
    return names


def available_names(module: ModuleInfo, table: Field | None = None) -> tuple[NameInfo, ...]:
    """Fields (or a child row's columns), `$` values, `user.*` and functions, in that order."""
    names = _field_names(module, table)
    if table is None:
        names += [
            NameInfo(name, "system", kind)
            for name, kind in SYSTEM_TYPES.items()
            if name != "$state" or module.states is not None
        ]
        if "user" not in module.fields:
            names += [NameInfo(f"user.{key}", "user", kind) for key, kind in USER_TYPES.items()]
    names += [NameInfo(name, "function", signature=_signature(name)) for name in FUNCTIONS]
    return tuple(names)


def _locate(problem: Problem, expression: Checked | None, text: str, names: list[str]) -> Problem:
    """The problem with the `position` of the part it names (and a close name to suggest)."""
    params = dict(problem.params)
    if params.get("position") is not None or expression is None:
        return problem
    tree = expression.expression.tree
    if problem.code == "unknown_name":
        wanted = tuple(str(params.get("name", "")).split("."))
        found = [n for n in walk(tree) if isinstance(n, Name) and n.path == wanted]
        params["position"] = found[0].start if found else None
        close = difflib.get_close_matches(str(params.get("name")), names, n=1, cutoff=0.6)
        params["suggestion"] = close[0] if close else None
    elif problem.code == "type_clash":
        named = params.get("subject_name")
        found = [
            n for n in walk(tree) if isinstance(n, Name) and ".".join(n.path) == named and named
        ]
        part = params.get("subject_part") or params.get("subject_literal")
        at = found[0].start if found else (text.find(str(part)) if part else -1)
        params["position"] = at if at >= 0 else None
    return Problem(problem.path, problem.code, params)


def _own_checks(where: str, checked: Checked, result: str | None, scope: Scope) -> list[Problem]:
    """What only an editor says: a condition that is not one, an aggregate of one value."""
    text = checked.expression.source
    found: list[Problem] = []
    if where in CONDITIONS and result not in (None, "boolean", "null"):
        params = {"text": text, "type": result, "position": 0}
        found.append(Problem("", "builder_expr_not_condition", params))
    if where not in PER_RECORD:
        return found
    checker = Checker(text, lambda path: scope.resolve(path).type)
    for node in walk(checked.expression.tree):
        if not isinstance(node, Call) or node.name not in AGGREGATES or len(node.args) > 1:
            continue
        kind = checker.infer(node.args[0]).kind if node.args else None
        if not node.args or kind not in (None, "list"):
            params = {"name": node.name, "text": text, "position": node.start}
            found.append(Problem("", "builder_expr_aggregate_per_record", params))
    return found


def _scope(
    catalogue: Mapping[str, ModuleInfo], module: ModuleInfo, where: str, table: str | None
) -> tuple[Scope, Field | None] | Problem:
    if table is None or where != "formula":
        return RecordScope(catalogue, module), None
    info = module.fields.get(table)
    if info is None or not info.kind_type.rows:
        tables = [f.name for f in module.fields.values() if f.kind_type.rows]
        params = {"table": table, "module": module.id, "fields": listing(tables)}
        return Problem("", "builder_expr_unknown_table", params)
    return RowScope(module, info), info


def check_expression(
    definition: Mapping[str, Any],
    module_id: str,
    where: str,
    text: str,
    *,
    table: str | None = None,
    sample: Mapping[str, Any] | None = None,
    field: str | None = None,
) -> ExpressionCheck:
    """Check `text` as a `where` expression of `module_id` in the draft `definition`.

    `table` places a formula in a child table's rows; `field` names the formula's own field,
    so its sample value is cast to that field (a money field at its scale) and not read.
    Never raises for any text: every refusal is a coded problem.
    """
    if where not in WHERES:
        params = {"where": where, "names": ", ".join(WHERES)}
        return ExpressionCheck(text, where, (Problem("", "builder_expr_unknown_where", params),))
    catalogue = read_catalogue(definition)
    module = catalogue.get(module_id)
    if module is None:
        params = {"module": module_id, "modules": listing(list(catalogue))}
        return ExpressionCheck(text, where, (Problem("", "builder_expr_unknown_module", params),))
    placed = _scope(catalogue, module, where, table)
    if isinstance(placed, Problem):
        return ExpressionCheck(text, where, (placed,))
    scope, row_table = placed
    names = available_names(module, row_table)
    ctx = PackContext(pack=definition, catalogue=catalogue, roles=frozenset())
    aggregation = AGGREGATION.get(where, "any")
    checked = check_in_pack(ctx, (), text, scope, aggregation=aggregation)
    written = [n.name for n in names]
    problems = [_locate(p, checked, text, written) for p in ctx.problems]
    result = None
    if checked is not None and checked.known:
        result = infer_type(checked.expression, lambda path: scope.resolve(path).type)
        if not problems:
            problems += _own_checks(where, checked, result, scope)
        if not problems and where in AGGREGATION:  # a report's part: tried as its SQL
            aggregate = AGGREGATION[where] == "required"
            check_in_database(
                ctx, (), "the expression", checked.expression, module, aggregate=aggregate
            )
            problems += [_locate(p, checked, text, written) for p in ctx.problems]
    answer = ExpressionCheck(text, where, tuple(problems), result, names)
    if problems or checked is None or where == "report_measure":
        return answer
    return _evaluate(answer, checked, module, row_table, sample, field)


def _evaluate(
    answer: ExpressionCheck,
    checked: Checked,
    module: ModuleInfo,
    table: Field | None,
    sample: Mapping[str, Any] | None,
    field: str | None,
) -> ExpressionCheck:
    """The answer with the expression's value for the sample (or the problem it ran into)."""
    state = _initial_state(module)
    env = sample_env(module, sample, state=state, table=table, skip=field)
    fields = table.columns if table is not None else module.fields
    target = fields.get(field or "") if answer.where == "formula" else None
    try:
        value = checked.expression.evaluate(env, now=SAMPLE_MOMENT)
    except ExpressionError as exc:
        runtime = Problem("", exc.problem.code, {**exc.params, "position": exc.position})
        return replace(answer, sample=env, runtime=runtime)
    if target is not None and value is not None:
        try:
            value = with_scale(target).kind_type.cast(with_scale(target), value)
        except (ArithmeticError, ValueError, TypeError) as exc:
            params = {"value": value, "kind": target.kind, "error": str(exc)}
            runtime = Problem("", "expr_formula_result", params)
            return replace(answer, sample=env, runtime=runtime)
    return replace(answer, sample=env, evaluated=True, value=value)


def _initial_state(module: ModuleInfo) -> str | None:
    workflow = module.raw.get("workflow")
    if not isinstance(workflow, Mapping):
        return None
    initial = workflow.get("initial")
    return initial if isinstance(initial, str) else None
