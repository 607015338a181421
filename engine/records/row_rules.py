"""Validations over each row of a child table: `{"rows": "lines", "when": ...}`.

A record-level validation sees the record; a row rule is checked once per row of the named
child table, with that row's columns, the record a link column points at read through it
(`card.on_hand`: its stored fields, stored rollups and the formulas computed from them when
read, so the real figure) and the owning
record's values as `parent.<field>`. An issue line is refused beyond the stock its card
holds: `qty <= card.on_hand`. A refusal is placed at the row
(`/lines/2/qty`), with the pack's message, like any validation.

Run by `engine.records.checks.write_problems`, which every write path calls with a session
(create, batch, import, update, a transition's `set`): one query per link column read, for
the whole batch. The records read are locked (`FOR UPDATE` on PostgreSQL; SQLite has one
writer at a time) so two writers cannot both pass against the same stock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from engine.catalog import Catalog
from engine.definitions.constraints import Validation, broken_rule, rule_refusals
from engine.definitions.model import Module
from engine.errors import Problem
from engine.records.links import linked_records

Located = tuple[int, Problem]
# link column of a row rule's table → linked id → that record's stored values and rollups
Linked = dict[str, dict[str, dict[str, Any]]]


def row_rule_problems(
    session: Session, catalog: Catalog, module: Module, batch: Sequence[Mapping[str, Any]]
) -> list[Located]:
    """The refusals of every row rule of the module, for each record of `batch` (its index)."""
    rules = [v for v in module.validations if v.rows is not None]
    problems: list[Located] = []
    for rule in rules:
        assert rule.rows is not None
        linked = _linked(session, catalog, module, rule, batch)
        for index, values in enumerate(batch):
            parent = dict(values)
            for position, row in enumerate(values.get(rule.rows) or []):
                env: dict[str, Any] = {**row, "parent": parent}
                for column, records in linked.items():
                    env[column] = records.get(row.get(column) or "")
                if broken_rule(rule, env):
                    base = f"/{rule.rows}/{position}"
                    problems += [(index, p) for p in rule_refusals(module.id, rule, base)]
    return problems


def _linked(
    session: Session,
    catalog: Catalog,
    module: Module,
    rule: Validation,
    batch: Sequence[Mapping[str, Any]],
) -> Linked:
    """The records the rule reads through the table's link columns (`card.received`)."""
    table = module.field(rule.rows or "")
    if table is None:
        return {}
    read = {ref[0] for ref in rule.when.references if len(ref) > 1}
    found: Linked = {}
    for column in table.children:
        if column.name not in read or column.ref not in catalog.modules:
            continue
        wanted = {
            row.get(column.name) for values in batch for row in values.get(table.name) or []
        } - {None, ""}
        # locked until the write commits: two issues of one card at once are checked one
        # after the other, the second against the first's result
        records = linked_records(session, catalog, column.ref, wanted, lock=True)
        found[column.name] = records
    return found
