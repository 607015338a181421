"""Query parameters of a module's list: sort, pages, and the filters of its list view.

A filter's parameters come from its field's kind (engine/kinds): one parameter for each
operator the kind takes, the very tuple the query parser checks, so the document and the
engine cannot disagree on what a filter accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.definitions.model import Module
from engine.records.formula_columns import computed_in_sql
from engine.records.query import MAX_PER_PAGE, MAX_SEARCH, filter_kind
from web.api.spec_context import SpecContext
from web.api.spec_fields import output_schema
from web.api.spec_parts import query_param

SYSTEM_SORT = ("$number", "$state", "$owner", "$created_at", "$updated_at")
OPERATOR_WORDS = {
    "eq": "equals",
    "ne": "differs from",
    "lt": "is less than",
    "lte": "is at most",
    "gt": "is greater than",
    "gte": "is at least",
    "in": "is one of (comma-separated)",
    "contains": "contains",
    "between": "is between (low,high)",
    "empty": "has no value (true) or has one (false)",
}
# Operators whose value is not one value of the field's type.
TEXT_VALUED = {
    "in": {"type": "string"},
    "between": {"type": "string"},
    "empty": {"type": "boolean"},
}


def list_parameters(ctx: SpecContext, module: Module) -> list[dict[str, Any]]:
    """`q`, `sort`, `page`, `per_page` and the declared filters' parameters."""
    access = ctx.fields(module)
    sortable = [*SYSTEM_SORT]
    sortable += [
        f.name
        for f in module.fields
        if access[f.name] != "hidden" and (f.stored or f.rollup or computed_in_sql(f))
    ]
    params = [
        query_param("q", {"type": "string", "maxLength": MAX_SEARCH}, "free-text search"),
        query_param(
            "sort",
            {"type": "string", "enum": [k for n in sortable for k in (n, f"-{n}")]},
            "a field to sort by, `-` first for descending; several joined by commas",
        ),
        query_param("page", {"type": "integer", "minimum": 1, "maximum": 10_000_000}),
        query_param("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}),
    ]
    for name in module.ui.list.filters:
        params += filter_parameters(ctx, module, name, access)
    return params


def _value_schema(ctx: SpecContext, module: Module, name: str) -> dict[str, Any]:
    """The schema of one value a filter on `name` compares with."""
    if name == "$state":
        states = list(module.workflow.states) if module.workflow else []
        return {"type": "string", "enum": states} if states else {"type": "string"}
    field = module.field(name)
    if field is None:  # another system column
        return {"type": "string"}
    value = output_schema(field, ctx.language)
    value = {k: v for k, v in value.items() if k in ("type", "enum", "format", "items")}
    if not field.kind_type.scalar:  # a list of choices is filtered by one of them
        value = value["items"]
    value = {**value, "type": value.get("type", "string")}
    if isinstance(value["type"], list):
        value["type"] = value["type"][0]
    if "enum" in value:
        value["enum"] = [v for v in value["enum"] if v is not None]
    return value


def filter_parameters(
    ctx: SpecContext, module: Module, name: str, access: Mapping[str, str]
) -> list[dict[str, Any]]:
    """One parameter per operator the field's kind takes (none for a hidden field)."""
    try:
        kind, field = filter_kind(module, name)
    except KeyError:
        return []
    if field is not None and access.get(name) == "hidden":
        return []
    value = _value_schema(ctx, module, name)
    params = []
    for op in kind.operators:
        schema = TEXT_VALUED.get(op, value)
        if op == "contains" and kind.scalar:
            schema = {"type": "string", "maxLength": MAX_SEARCH}
        key = f"filter[{name}]" if op == "eq" else f"filter[{name}][{op}]"
        params.append(query_param(key, schema, f"{name} {OPERATOR_WORDS[op]}"))
    return params
