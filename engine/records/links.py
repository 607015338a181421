"""Values of linked records for expressions that read through a link (`project.name`).

In a module whose formulas, conditions or guards read `link.field`, the link's name stands
for the linked record (a mapping with its stored fields and `id`) while expressions are
evaluated; elsewhere it stays the linked record's id. One query per link field per batch.
A row-link field (`finding.severity`) stands for the child row it names the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.catalog import Catalog
from engine.definitions.model import Module
from engine.definitions.row_links import row_link
from engine.errors import ExpressionError
from engine.records.compute import cast_formula_value
from engine.records.row_links import linked_rows


@lru_cache(maxsize=256)
def link_paths(module: Module) -> frozenset[str]:
    """Link fields that some expression of the module reads through."""
    expressions = [f.formula for f in module.fields if f.formula is not None]
    expressions += list(module.ui.show_if.values()) + list(module.ui.required_if.values())
    if module.workflow is not None:
        expressions += [t.when for t in module.workflow.transitions if t.when is not None]
        expressions += [e for t in module.workflow.transitions for e in t.sets.values()]
    expressions += [v.when for v in module.validations]
    expressions += [f.default_expr for f in module.fields if f.default_expr is not None]
    links = {f.name for f in module.fields if f.kind_type.links or row_link(f) is not None}
    return frozenset(
        ref[0] for e in expressions for ref in e.references if len(ref) > 1 and ref[0] in links
    )


def linked_values(
    session: Session,
    catalog: Catalog,
    module: Module,
    batch: Sequence[Mapping[str, Any]],
    lock: bool = False,
) -> list[dict[str, Any]]:
    """For each record of `batch`, link field → the linked record's values (or None).

    `lock` (a write): the linked records are locked until the write commits, so a rule
    reading their figures (`payment <= accrual.owed`) cannot pass for two writers at once."""
    result: list[dict[str, Any]] = [{} for _ in batch]
    for name in sorted(link_paths(module)):
        field = module.field(name)
        if field is not None and row_link(field) is not None:  # `finding.severity`: its row
            for index, named in enumerate(linked_rows(session, catalog, module, field, batch)):
                result[index][name] = named
            continue
        if field is None or field.ref not in catalog.modules:
            continue
        wanted = {values.get(name) for values in batch} - {None}
        rows = linked_records(session, catalog, field.ref, wanted, lock)
        for index, values in enumerate(batch):
            key = values.get(name)
            result[index][name] = rows.get(key) if key else None
    return result


def linked_records(
    session: Session, catalog: Catalog, module_id: str, ids: set[Any], lock: bool = False
) -> dict[str, dict[str, Any]]:
    """Id → the record's stored fields, stored rollups and the formulas computed from them
    when read (`on_hand = received - issued`): the figure a reader of the record sees.

    `lock`: read FOR UPDATE in id order (a write's rules, see `linked_values`)."""
    if not ids:
        return {}
    target = catalog.modules[module_id]
    table = catalog.tables[target.id].main
    columns = [
        table.c.id,
        table.c.number,
        table.c.state,
        *(table.c[f.name] for f in target.stored_fields),
        *(table.c[f.name] for f in target.rollup_fields),  # stored, kept current
    ]
    query = select(*columns).where(table.c.id.in_(ids)).order_by(table.c.id)
    found = session.execute(query.with_for_update() if lock else query).mappings()
    return {row["id"]: _with_read_time(target, dict(row)) for row in found}


def _with_read_time(target: Module, values: dict[str, Any]) -> dict[str, Any]:
    """The values with the record's formulas computed when read, over its stored rollups."""
    env = {**values, "$id": values["id"], "$number": values["number"], "$state": values["state"]}
    for f in target.fields:
        if f.formula is not None and f.on_read:
            try:
                env[f.name] = cast_formula_value(f, f.formula.evaluate(env))
            except ExpressionError:
                env[f.name] = None
            values[f.name] = env[f.name]
    return values
