"""Check a module's fields: kinds that make sense, links and rollups that resolve, formulas.

The meta-schema already knows each keyword's shape; this file checks how the keywords of one
field fit together (`x-scale` only on numbers, enum titles only for enum values, a default
that is a valid value, a required field that is not computed), that `x-ref` and rollups name
real modules and link fields, and parses every formula in the scope it will run in. Formulas
and rollups are recorded in the context for the cycle and clock checks of `check_formulas`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from engine.definitions.check_database import check_in_database
from engine.definitions.check_expressions import check_expression
from engine.definitions.check_rollup_match import check_link_or_match, check_match
from engine.definitions.check_row_rollups import check_row_rollup
from engine.definitions.context import Computed, DatabaseUse, PackContext, Path, listing
from engine.definitions.model import Field
from engine.definitions.rollup_scope import RollupScope
from engine.definitions.scope import (
    RESERVED_NAMES,
    ModuleInfo,
    RecordScope,
    RowScope,
    suggest,
)
from engine.definitions.values import value_problems
from engine.kinds import REGISTERED

SPECIAL_STRINGS = ("x-ref", "x-user", "x-file")
BOUNDS = (("minimum", "maximum"), ("minLength", "maxLength"), ("minItems", "maxItems"))


def base_type(schema: Mapping[str, Any]) -> str | None:
    """The declared JSON type, leaving out "null" from a type list."""
    declared = schema.get("type")
    if isinstance(declared, list):
        return next((t for t in declared if t != "null"), None)
    return declared if isinstance(declared, str) else None


def widget_problem(info: Field, widget: str) -> dict[str, str] | None:
    """The params of `widget_mismatch` when `widget` cannot show the field `info`, else None."""
    kinds = sorted(kind.name for kind in REGISTERED if widget in kind.widgets)
    if not kinds or widget in info.kind_type.widgets:
        return None
    return {"widget": widget, "field": info.name, "kind": info.kind_text, "fits": ", ".join(kinds)}


def check_fields(ctx: PackContext, module: ModuleInfo) -> None:
    """Check every field and child-table column of `module`."""
    assert module.index is not None
    base: Path = ("modules", module.index, "schema")
    schema = module.raw.get("schema") or {}
    _check_required(ctx, base, schema, module.fields, what=f"module {module.id}")
    for info in module.fields.values():
        check_field(ctx, module, info, (*base, "properties", info.name), table=None)


def _check_required(
    ctx: PackContext,
    base: Path,
    schema: Mapping[str, Any],
    fields: Mapping[str, Field],
    what: str,
) -> None:
    for position, name in enumerate(schema.get("required") or ()):
        info = fields.get(name)
        if info is None:
            params = {"field": name, "what": what, "hint": suggest(name, fields)}
            ctx.add_problem((*base, "required", position), "required_not_a_field", params)
        elif info.computed:
            computed = "formula" if info.formula_text is not None else "rollup"
            params = {"field": name, "computed": computed}
            ctx.add_problem((*base, "required", position), "required_computed", params)


def check_field(
    ctx: PackContext, module: ModuleInfo, info: Field, path: Path, table: Field | None
) -> None:
    """Check one field, or one column of the child table `table`."""
    schema = info.schema
    if info.name in RESERVED_NAMES:
        ctx.add_problem(path, "reserved_word", {"field": info.name})
    if "__" in info.name:  # the engine's own names: m_<module>__<table>, title__<link>...
        ctx.add_problem(path, "reserved_separator", {"field": info.name})
    _check_type(ctx, info, path)
    _check_keywords(ctx, module, info, path)
    _check_enum(ctx, info, path)
    _check_bounds(ctx, schema, path)
    if "default" in schema:
        for message in value_problems(info, schema["default"]):
            params = {"value": schema["default"], "detail": message}
            ctx.add_problem((*path, "default"), "default_invalid", params)
    if info.formula_text is not None:
        _check_formula(ctx, module, info, path, table)
    if info.rollup_source is not None:
        if table is not None:
            ctx.add_problem((*path, "x-rollup"), "rollup_in_child_table", {})
        else:
            _check_rollup(ctx, module, info, path)
    if info.kind_type.rows:
        items = schema.get("items") or {}
        _check_required(ctx, (*path, "items"), items, info.columns, what=f"child table {info.name}")
        for column in info.columns.values():
            check_field(ctx, module, column, (*path, "items", "properties", column.name), info)


def _check_type(ctx: PackContext, info: Field, path: Path) -> None:
    schema = info.schema
    declared = base_type(schema)
    if declared is None and "enum" not in schema and "x-rollup" not in schema:
        what = "a formula" if "x-formula" in schema else "a field"
        ctx.add_problem(path, "type_missing", {"field": info.name, "what": what})
    if declared == "array" and not isinstance(schema.get("items"), Mapping):
        ctx.add_problem(path, "array_without_items", {"field": info.name})


def _check_keywords(ctx: PackContext, module: ModuleInfo, info: Field, path: Path) -> None:
    schema = info.schema
    _check_typed_keywords(ctx, info, path)
    _check_special_strings(ctx, info, path)
    named = {"field": info.name}
    if "x-formula" in schema and "x-rollup" in schema:
        ctx.add_problem(path, "formula_and_rollup", named)
    if "x-formula" in schema and info.kind_type.rows:
        ctx.add_problem((*path, "x-formula"), "child_table_formula", {})
    widget = schema.get("x-widget")
    if isinstance(widget, str) and (params := widget_problem(info, widget)):
        ctx.add_problem((*path, "x-widget"), "widget_mismatch", params)
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        try:
            re.compile(pattern)
        except re.error as exc:
            params = {"value": pattern, "detail": str(exc)}
            ctx.add_problem((*path, "pattern"), "pattern_invalid", params)
    ref = schema.get("x-ref")
    if isinstance(ref, str) and ref not in ctx.catalogue:
        params = {"field": info.name, "module": ref, "hint": suggest(ref, ctx.catalogue)}
        ctx.add_problem((*path, "x-ref"), "unknown_link_module", params)


def _check_typed_keywords(ctx: PackContext, info: Field, path: Path) -> None:
    """Keywords that only make sense on one JSON type: x-scale, money, x-rating, format."""
    schema = info.schema
    declared = base_type(schema)
    params = {"field": info.name, "kind": _a(declared)}
    if "x-scale" in schema and declared != "number":
        ctx.add_problem((*path, "x-scale"), "scale_not_a_number", params)
    if schema.get("x-format") == "money" and declared != "number":
        ctx.add_problem((*path, "x-format"), "money_not_a_number", params)
    if "x-rating" in schema and (declared != "integer" or "enum" in schema):
        ctx.add_problem((*path, "x-rating"), "rating_not_an_integer", params)
    if "format" in schema and declared != "string":
        ctx.add_problem((*path, "format"), "format_not_text", params)
    if "x-rollup" in schema and declared not in (None, "integer", "number"):
        ctx.add_problem((*path, "type"), "rollup_not_a_number", {"value": declared})


def _check_special_strings(ctx: PackContext, info: Field, path: Path) -> None:
    """x-ref, x-user and x-file: one at most, on a string without an enum."""
    schema = info.schema
    declared = base_type(schema)
    specials = [key for key in SPECIAL_STRINGS if schema.get(key)]
    if len(specials) > 1:
        params = {"field": info.name, "keywords": " and ".join(specials)}
        ctx.add_problem(path, "special_kinds_at_once", params)
    for key in specials:
        params = {"key": key, "field": info.name, "kind": _a(declared)}
        if declared != "string":
            ctx.add_problem((*path, key), "special_not_text", params)
        if "enum" in schema:
            ctx.add_problem((*path, key), "special_with_enum", params)
    for key in ("x-accept", "x-max-bytes"):
        if key in schema and not schema.get("x-file"):
            ctx.add_problem((*path, key), "file_keyword_without_file", {"key": key})


def _a(declared: str | None) -> str:
    if declared is None:
        return "untyped"
    return f"{'an' if declared[0] in 'aeiou' else 'a'} {declared}"


def _check_enum(ctx: PackContext, info: Field, path: Path) -> None:
    schema = info.schema
    holder, holder_path = schema, path
    if info.kind_type.many and isinstance(schema.get("items"), Mapping):
        holder, holder_path = schema["items"], (*path, "items")
    values = holder.get("enum")
    titles = schema.get("x-enum-titles")
    if titles is not None and values is None:
        ctx.add_problem((*path, "x-enum-titles"), "titles_without_enum", {"field": info.name})
    if values is None:
        return
    texts = [str(v) for v in values]
    if isinstance(titles, Mapping):
        for key in titles:
            if key not in texts:
                params = {"value": key, "choices": listing(texts)}
                ctx.add_problem((*path, "x-enum-titles", key), "title_not_a_choice", params)
    declared = base_type(holder)
    strings = [v for v in values if isinstance(v, str)]
    integers = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    where = (*holder_path, "enum")
    if declared in ("string",) and integers:
        ctx.add_problem(where, "choice_not_text", {"value": integers[0]})
    elif declared in ("integer", "number") and strings:
        ctx.add_problem(where, "choice_not_a_number", {"value": strings[0]})
    elif declared in ("boolean",):
        ctx.add_problem(where, "boolean_with_choices", {})
    elif declared is None and strings and integers:
        ctx.add_problem(where, "choices_mixed", {})


def _check_bounds(ctx: PackContext, schema: Mapping[str, Any], path: Path) -> None:
    for low, high in BOUNDS:
        lower, upper = schema.get(low), schema.get(high)
        if isinstance(lower, (int, float)) and isinstance(upper, (int, float)) and lower > upper:
            params = {"low_key": low, "low": lower, "high_key": high, "high": upper}
            ctx.add_problem((*path, low), "bounds_reversed", params)


def _check_formula(
    ctx: PackContext, module: ModuleInfo, info: Field, path: Path, table: Field | None
) -> None:
    formula = info.formula_text
    assert formula is not None
    scope = RowScope(module, table) if table is not None else RecordScope(ctx.catalogue, module)
    checked = check_expression(ctx, (*path, "x-formula"), formula, scope)
    node = (module.id, table.name, info.name) if table is not None else (module.id, info.name)
    if checked is not None:
        ctx.computed[node] = Computed(
            path, "formula", checked.depends, checked.expression.uses_clock
        )


def _check_rollup(ctx: PackContext, module: ModuleInfo, info: Field, path: Path) -> None:
    rollup = info.rollup_source
    assert rollup is not None
    where: Path = (*path, "x-rollup")
    node = (module.id, info.name)
    source = ctx.catalogue.get(rollup.get("module", ""))
    if source is None:
        name = rollup.get("module", "")
        params = {"field": info.name, "module": name, "hint": suggest(name, ctx.catalogue)}
        ctx.add_problem((*where, "module"), "rollup_unknown_module", params)
        return
    if "table" in rollup:  # the rows of a child table of `source`
        check_row_rollup(ctx, module, info, source, path)
        return
    if check_link_or_match(ctx, rollup, where) and "match" in rollup:
        check_match(ctx, module, rollup, (source, None), where)
    elif "link" in rollup:
        _check_rollup_link(ctx, module, rollup, source, where)
    scope = RecordScope(ctx.catalogue, source)
    parent_scope = RollupScope(ctx.catalogue, source, module)  # `parent.week_start`
    depends: set[tuple[str, ...]] = set()
    uses_clock = False
    value = check_expression(ctx, (*where, "value"), rollup["value"], scope, aggregation="required")
    if value is not None:
        depends |= value.depends
        uses_clock = value.expression.uses_clock
        if value.known:
            what = f"rollup {info.name!r} value"
            check_in_database(
                ctx, (*where, "value"), what, value.expression, source, aggregate=True
            )
    if isinstance(rollup.get("where"), str):
        condition = check_expression(
            ctx, (*where, "where"), rollup["where"], parent_scope, aggregation="forbidden"
        )
        if condition is not None:
            depends |= condition.depends
            if condition.known:
                what = f"rollup {info.name!r} where"
                check_in_database(ctx, (*where, "where"), what, condition.expression, source)
            uses_clock = uses_clock or condition.expression.uses_clock
    ctx.computed[node] = Computed(path, "rollup", frozenset(depends), False)
    ctx.database_uses.append(
        DatabaseUse(where, f"rollup {info.name!r}", source.id, frozenset(depends), uses_clock)
    )


def _check_rollup_link(
    ctx: PackContext, module: ModuleInfo, rollup: Mapping[str, Any], source: ModuleInfo, where: Path
) -> None:
    """The rollup's link: a link field of `source` pointing at `module`."""
    back = [f.name for f in source.fields.values() if f.kind_type.links and f.ref == module.id]
    link_name = rollup.get("link", "")
    link = source.fields.get(link_name)
    expected = {"link": link_name, "module": source.id, "target": module.id}
    expected["fields"] = listing(back)
    if link is None:
        ctx.add_problem((*where, "link"), "rollup_link_unknown", expected)
    elif not link.kind_type.links or link.ref != module.id:
        actual = f"a link to {link.ref}" if link.kind_type.links else link.kind_text
        ctx.add_problem((*where, "link"), "rollup_link_wrong", {**expected, "kind": actual})


def check_table_names(ctx: PackContext, own: list[ModuleInfo]) -> None:
    """Each module and child table needs a table of its own: `m_<module>__<table field>`.

    A module id with a double underscore can spell another module's child table (module
    `tally__items` and the `items` table of `tally`), in this pack or an installed one; the
    import would then fail inside the database. Named here, at the module id or the field.
    """
    owners: dict[str, str] = {}
    others = [m for m in ctx.catalogue.values() if not m.own]
    for module in [*others, *own]:
        base: Path = ("modules", module.index) if module.index is not None else ()
        tables = [(f"m_{module.id}", (*base, "id"), f"the table of module {module.id!r}")]
        tables += [
            (
                f"m_{module.id}__{info.name}",
                (*base, "schema", "properties", info.name),
                f"the child table {info.name!r} of module {module.id!r}",
            )
            for info in module.fields.values()
            if info.kind_type.rows
        ]
        for name, path, what in tables:
            if name not in owners:
                owners[name] = what
            elif module.own and owners[name] != what:
                params = {"what": what, "table": name, "other": owners[name]}
                ctx.add_problem(path, "table_name_taken", params)
