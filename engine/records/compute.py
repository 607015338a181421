"""Everything derived from a record's values before it is stored, and the checks on them.

Order matters and is fixed: child-row formulas, record formulas (in dependency order),
`show_if` (hidden fields are not stored), formulas again over what stays, then required,
`required_if` and the module's compiled JSON Schema.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator

from engine.actor import Actor
from engine.definitions.constraints import validation_problems
from engine.definitions.model import Field, Module
from engine.errors import ExpressionError, Problem, ValidationFailed
from engine.expressions import truthy
from engine.input_errors import schema_problem


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
    record_order, child_orders = formula_order(module)
    for table in module.table_fields:
        for index, row in enumerate(values.get(table.name) or []):
            for f in child_orders[table.name]:
                env = {c.name: row.get(c.name) for c in table.children}
                try:
                    row[f.name] = cast_formula_value(f, f.formula.evaluate(env))  # type: ignore[union-attr]  # formula fields only
                except ExpressionError as exc:
                    where = f"/{table.name}/{index}/{f.name}"
                    problems.append(Problem(where, "cannot_compute", exc.wrapped()))
                    row[f.name] = None
    env = base_env(values, system, actor)
    for f in record_order:
        if f.formula is None or f.on_read:
            continue
        if unknown and any(ref[0] in unknown for ref in f.formula.references):
            continue
        try:
            values[f.name] = env[f.name] = cast_formula_value(f, f.formula.evaluate(env))
        except ExpressionError as exc:
            problems.append(Problem(f"/{f.name}", "cannot_compute", exc.wrapped()))
            values[f.name] = env[f.name] = None
    return problems


def _present(value: Any) -> bool:
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


def _json_ready(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _json_ready(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    return value


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


def prepare_values(
    module: Module, values: dict[str, Any], system: Mapping[str, Any], actor: Actor
) -> dict[str, Any]:
    """Complete a record's values (formulas, show_if) and check them; raise ValidationFailed."""
    for f in module.fields:
        if f.stored or f.kind_type.rows:
            values.setdefault(f.name, [] if f.kind_type.rows else None)
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
    for f in module.fields:  # a new record's rollups sum nothing yet; an update passes its own
        if f.rollup is not None:
            env.setdefault(f.name, None)
    for f in module.fields:
        if f.name in hidden or f.computed:
            continue
        required = f.required
        condition = module.ui.required_if.get(f.name)
        if condition is not None:
            with contextlib.suppress(ExpressionError):
                required = required or truthy(condition.evaluate(env))
        if required and not _present(values.get(f.name)):
            problems.append(Problem(f"/{f.name}", "required", {"field": f.name}))
        elif required and f.kind_type.flag and values.get(f.name) is not True:
            # a required yes/no is a consent box: only yes fills it (docs/pack-extensions.md)
            problems.append(Problem(f"/{f.name}", "required_yes", {"field": f.name}))
        if f.kind_type.rows:
            for index, row in enumerate(values.get(f.name) or []):
                for child in f.children:
                    if child.required and not child.computed and not _present(row.get(child.name)):
                        problems.append(
                            Problem(
                                f"/{f.name}/{index}/{child.name}",
                                "required",
                                {"field": child.name},
                            )
                        )
                    elif child.required and child.kind_type.flag and row.get(child.name) is False:
                        where = f"/{f.name}/{index}/{child.name}"
                        problems.append(Problem(where, "required_yes", {"field": child.name}))
    problems.extend(validation_problems(module.id, module.validations, env))
    rollups = {f.name for f in module.fields if f.rollup is not None}
    document = _json_ready(
        {k: v for k, v in values.items() if module.field(k) is not None and k not in rollups}
    )
    problems.extend(schema_problem(e) for e in record_validator(module).iter_errors(document))
    if problems:
        raise ValidationFailed(problems)
    return values
