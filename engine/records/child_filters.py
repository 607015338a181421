"""Filters on a field of a child table: `filter[lines.project]=<id>`, `filter[items.task]=rebar`.

A record matches when at least one of its rows matches, and counts once however many of its
rows do: the condition is `id IN (SELECT parent_id FROM m_<module>__<table> WHERE ...)`, run
in SQL like every other filter, so the list, its count and totals, the API and the related
records of a record (a cost whose lines each name a project) all answer the same records.
Only equality applies (`eq`, `in`): "a row that is not X" would not say what a reader means.
The child table must be visible to the reader; its rows carry no field rules of their own.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import ColumnElement, select

from engine.definitions.model import Field, Module
from engine.kinds import FieldKind

PATH_OPERATORS = ("eq", "in")


def is_child_path(name: str) -> bool:
    """Whether a filter names a field of a child table (`table.field`)."""
    return "." in name


def child_field(module: Module, name: str) -> tuple[Field, Field]:
    """The child table field and its stored scalar field that `table.field` names; KeyError
    when there is no such pair."""
    table_name, _, child_name = name.partition(".")
    table = module.field(table_name)
    if table is None or not table.kind_type.rows:
        raise KeyError(name)
    for child in table.children:
        if child.name == child_name and child.stored and child.kind_type.scalar:
            return table, child
    raise KeyError(name)


def child_kind(module: Module, name: str) -> tuple[FieldKind, Field]:
    """The kind a filter on `table.field` follows: the field's, with equality only."""
    _, child = child_field(module, name)
    kind = child.kind_type
    operators = tuple(op for op in kind.operators if op in PATH_OPERATORS)
    return dataclasses.replace(kind, operators=operators), child


def child_condition(
    module: Module, main: Any, name: str, op: str, value: Any
) -> ColumnElement[bool]:
    """The records of `main` with a row of the child table matching the filter."""
    table, child = child_field(module, name)
    rows = main.metadata.tables[module.child_table_name(table.name)]
    column = rows.c[child.name]
    if op == "in":
        match = column.in_(value)
    else:
        match = column.is_(None) if value is None else column == value
    return main.c.id.in_(select(rows.c.parent_id).where(match))
