"""A record's child-table rows as they are written: one INSERT of all rows per child table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from engine.catalog import Catalog
from engine.definitions.model import Module


def child_rows(
    module: Module, record_id: str, values: Mapping[str, Any], field: Any
) -> list[dict[str, Any]]:
    """The rows of one child table of a record, numbered in the order they were given."""
    columns = [c.name for c in field.children if c.stored]
    return [
        {"parent_id": record_id, "idx": index, **{name: row.get(name) for name in columns}}
        for index, row in enumerate(values.get(field.name) or [])
    ]


def write_children(
    session: Session,
    catalog: Catalog,
    module: Module,
    record_id: str,
    values: Mapping[str, Any],
    replace: bool,
) -> None:
    """Write a record's child-table rows in their order (`replace`: drop the old ones first)."""
    for field in module.table_fields:
        table = catalog.tables[module.id].children[field.name]
        if replace:
            session.execute(delete(table).where(table.c.parent_id == record_id))
        rows = child_rows(module, record_id, values, field)
        if rows:
            session.execute(insert(table), rows)
