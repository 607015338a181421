"""Everything derived from a record's values before it is stored, and the checks on them.

Order matters and is fixed: child-row formulas, record formulas (in dependency order),
`show_if` (hidden fields are not stored), formulas again over what stays, then required,
`required_if` and the module's compiled JSON Schema.

What depends only on the module — the formulas in their order, the fields each check reads,
the record constraints compiled into plain checks (engine/records/plain_checks.py) — is
worked out once per compiled module (`_plan`), not again for every record of a bulk load.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator

from engine.actor import Actor
from engine.definitions.constraints import validation_problems
from engine.definitions.model import Field, Module
from engine.errors import ExpressionError, Problem, ValidationFailed
from engine.expressions import Expression, truthy
from engine.input_errors import schema_problem
from engine.records.plain_checks import json_ready as _json_ready
from engine.records.plain_checks import schema_check


def _order(field_list: tuple[Field, ...]) -> list[Field]:
    """Formula fields sorted so each comes after the formulas it reads (no cycles: checked at import)."""
    formulas = {f.name: f for f in field_list if f.formula is not None}
    done: list[Field] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for ref in formulas[name].formula.references:  # type: ignore[union-attr]  # only fields with a formula
            if ref[0] in formulas:
                visit(ref[0])
        done.append(formulas[name])

    for name in formulas:
        visit(name)
    return done


@lru_cache(maxsize=256)
def formula_inputs(module: Module) -> frozenset[str]:
    """Fields some record formula reads."""
    return frozenset(
        ref[0] for f in module.fields if f.formula is not None for ref in f.formula.references
    )


@lru_cache(maxsize=256)
def formula_order(module: Module) -> tuple[list[Field], dict[str, list[Field]]]:
    children = {t.name: _order(t.children) for t in module.table_fields}
    return _order(module.fields), children


@lru_cache(maxsize=256)
def record_validator(module: Module) -> Draft202012Validator:
    """The validator of the module's record constraints (reduced by the compiler to what
    coercion did not already check), built once per compiled module, that is per version."""
    return Draft202012Validator(
        module.record_schema, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def cast_formula_value(f: Field, value: Any) -> Any:
    """A formula's result in its field's type (decimals rounded half-up to the scale)."""
    if value is None:
        return None
    try:
        return f.kind_type.cast(f, value)  # each kind says how (engine/kinds)
    except (ArithmeticError, ValueError) as exc:
        raise ExpressionError(
            code="expr_formula_result", value=value, kind=f.kind, error=str(exc)
        ) from None


def base_env(values: Mapping[str, Any], system: Mapping[str, Any], actor: Actor) -> dict[str, Any]:
    env = dict(values)
    env.update(system)
    env["user"] = {"id": actor.name, "roles": sorted(actor.roles)}
    return env


def apply_formulas(
    module: Module,
    values: dict[str, Any],
    system: Mapping[str, Any],
    actor: Actor,
    unknown: frozenset[str] | set[str] = frozenset(),
) -> list[Problem]:
    """Compute child-row and record formulas in place; problems for any that cannot be computed.

    A record formula that reads a field in `unknown` (withheld from the reader of a stored
    record: a hidden child table, say) keeps the value it has: computed from a blank, a sum
    of hidden rows would read 0.
    """
    problems: list[Problem] = []
    plan = _plan(module)
    for table, columns, formulas in plan.child_formulas:
        for index, row in enumerate(values.get(table) or []):
            env = {name: row.get(name) for name in columns}  # each result is read by the next
            for f in formulas:
                try:
                    row[f.name] = env[f.name] = cast_formula_value(f, f.formula.evaluate(env))  # type: ignore[union-attr]  # formula fields only
                except ExpressionError as exc:
                    where = f"/{table}/{index}/{f.name}"
                    problems.append(Problem(where, "cannot_compute", exc.wrapped()))
                    row[f.name] = env[f.name] = None
    env = base_env(values, system, actor)
    for f in plan.record_formulas:
        formula = f.formula
        assert formula is not None  # only fields with a formula are planned
        if unknown and any(ref[0] in unknown for ref in formula.references):
            continue
        try:
            values[f.name] = env[f.name] = cast_formula_value(f, formula.evaluate(env))
        except ExpressionError as exc:
            problems.append(Problem(f"/{f.name}", "cannot_compute", exc.wrapped()))
            values[f.name] = env[f.name] = None
    return problems


def _present(value: Any) -> bool:
    kind = type(value)
    if kind is str or kind is list:  # settled by its length, no comparison across types
        return len(value) > 0
    return value is not None and value != "" and value != []


def hidden_by_condition(
    module: Module, values: Mapping[str, Any], system: Mapping[str, Any], actor: Actor
) -> set[str]:
    env = base_env(values, system, actor)
    hidden = set()
    for name, condition in module.ui.show_if.items():
        try:
            shown = truthy(condition.evaluate(env))
        except ExpressionError:
            shown = False
        if not shown:
            hidden.add(name)
    return hidden


def missing_required(module: Module, data: Any) -> list[Problem]:
    """Required fields absent from raw input (fields that `show_if` may hide are left to the
    full check, which knows whether they are shown)."""
    if not isinstance(data, Mapping):
        return []
    return [
        Problem(f"/{f.name}", "required", {"field": f.name})
        for f in module.fields
        if f.required
        and not f.computed
        and f.default is None
        and f.default_expr is None  # filled on create (engine/records/defaults.py)
        and f.name not in module.ui.show_if
        and not _present(data.get(f.name))
    ]


@dataclass(frozen=True)
class _Required:
    """A field some record may have to fill: required, required under a condition, or a
    child table with required columns (name, whether computed, whether a yes/no each)."""

    field: Field
    condition: Expression | None
    columns: tuple[tuple[str, bool, bool], ...]


@dataclass(frozen=True)
class _Plan:
    """What `prepare_values` asks of a module, worked out once per compiled module."""

    blanks: tuple[tuple[str, bool], ...]  # stored fields and child tables, whether rows
    child_formulas: tuple[tuple[str, tuple[str, ...], tuple[Field, ...]], ...]
    record_formulas: tuple[Field, ...]  # stored formulas, each after those it reads
    rollups: frozenset[str]
    required: tuple[_Required, ...]


@lru_cache(maxsize=256)
def _plan(module: Module) -> _Plan:
    record_order, child_orders = formula_order(module)
    required = tuple(
        _Required(
            f,
            module.ui.required_if.get(f.name),
            tuple((c.name, c.computed, c.kind_type.flag) for c in f.children if c.required)
            if f.kind_type.rows
            else (),
        )
        for f in module.fields
        if not f.computed and (f.required or f.name in module.ui.required_if or f.kind_type.rows)
    )
    return _Plan(
        blanks=tuple(
            (f.name, f.kind_type.rows) for f in module.fields if f.stored or f.kind_type.rows
        ),
        child_formulas=tuple(
            (t.name, tuple(c.name for c in t.children), tuple(child_orders[t.name]))
            for t in module.table_fields
            if child_orders[t.name]
        ),
        record_formulas=tuple(f for f in record_order if f.formula is not None and not f.on_read),
        rollups=frozenset(f.name for f in module.fields if f.rollup is not None),
        required=required,
    )


def _required_problems(
    plan: _Plan, values: Mapping[str, Any], env: Mapping[str, Any], hidden: set[str]
) -> list[Problem]:
    """Required fields left empty, a required yes left no, required child columns empty."""
    problems = []
    for item in plan.required:
        f = item.field
        if f.name in hidden:
            continue
        required = f.required
        if item.condition is not None:
            with contextlib.suppress(ExpressionError):
                required = required or truthy(item.condition.evaluate(env))
        if required and not _present(values.get(f.name)):
            problems.append(Problem(f"/{f.name}", "required", {"field": f.name}))
        elif required and f.kind_type.flag and values.get(f.name) is not True:
            # a required yes/no is a consent box: only yes fills it (docs/pack-extensions.md)
            problems.append(Problem(f"/{f.name}", "required_yes", {"field": f.name}))
        if not item.columns:
            continue
        for index, row in enumerate(values.get(f.name) or []):
            for name, computed, flag in item.columns:
                if not computed and not _present(row.get(name)):
                    where = f"/{f.name}/{index}/{name}"
                    problems.append(Problem(where, "required", {"field": name}))
                elif flag and row.get(name) is False:
                    where = f"/{f.name}/{index}/{name}"
                    problems.append(Problem(where, "required_yes", {"field": name}))
    return problems


def prepare_values(
    module: Module, values: dict[str, Any], system: Mapping[str, Any], actor: Actor
) -> dict[str, Any]:
    """Complete a record's values (formulas, show_if) and check them; raise ValidationFailed."""
    plan = _plan(module)
    for name, rows in plan.blanks:
        values.setdefault(name, [] if rows else None)
    problems = apply_formulas(module, values, system, actor)
    hidden = hidden_by_condition(module, values, system, actor) if module.ui.show_if else set()
    cleared: set[str] = set()
    for name in hidden:
        field = module.field(name)
        empty: list[Any] | None = [] if field is not None and field.kind_type.rows else None
        if values.get(name) != empty:
            values[name] = empty
            cleared.add(name)
    if cleared & formula_inputs(module):  # a formula read a value that is no longer stored
        problems = apply_formulas(module, values, system, actor)
    env = base_env(values, system, actor)
    for name in plan.rollups:  # a new record's rollups sum nothing yet; an update passes its own
        env.setdefault(name, None)
    problems.extend(_required_problems(plan, values, env, hidden))
    problems.extend(validation_problems(module.id, module.validations, env))
    check = schema_check(module)
    if check is None or not check(values):  # only then is the record walked field by field
        document = _json_ready(
            {
                k: v
                for k, v in values.items()
                if module.field(k) is not None and k not in plan.rollups
            }
        )
        problems.extend(schema_problem(e) for e in record_validator(module).iter_errors(document))
    if problems:
        raise ValidationFailed(problems)
    return values
