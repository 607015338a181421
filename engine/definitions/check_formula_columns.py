"""Which formulas computed when read the database can still compute: those over rollups.

A formula reading a rollup of its own record (`paid_pct = paid / contract_value * 100`) is
computed when read, since the rollup moves when other records do. The database holds the
rollup in a column, so it can compute the formula too, in the same statement: such a formula
may be a list filter, sort and total, a report group or measure, like the rollup itself
(engine/records/formula_columns.py). Not so a formula over the clock, over a child table,
through a link (`project.actual`), or using a function SQL has no form for.
"""

from __future__ import annotations

from collections.abc import Mapping

from engine.definitions.check_database import _resolver
from engine.definitions.context import Computed, PackContext
from engine.definitions.scope import Node
from engine.errors import ExpressionError
from engine.expressions import parse


def computable_in_sql(
    ctx: PackContext, computed: Mapping[Node, Computed], late: Mapping[Node, str]
) -> set[Node]:
    """The formulas among `late` the database computes from its own record's columns."""
    done: set[Node] = set()
    changed = True
    while changed:
        changed = False
        for node, info in computed.items():
            if node in done or node not in late or not _plain(node, info, late, done):
                continue
            if _translates(ctx, node):
                done.add(node)
                changed = True
    return done


def _plain(node: Node, info: Computed, late: Mapping[Node, str], done: set[Node]) -> bool:
    """A formula of a record (not of a row), not over the clock, reading only its own
    record's fields, rollups and formulas the database computes."""
    if info.kind != "formula" or info.uses_clock or len(node) != 2:
        return False
    return all(
        len(d) == 2 and d[0] == node[0] and (d not in late or d in done) for d in info.depends
    )


def _translates(ctx: PackContext, node: Node) -> bool:
    module = ctx.catalogue.get(node[0])
    field = module.fields.get(node[1]) if module is not None else None
    text = field.formula_text if field is not None else None
    if module is None or text is None:
        return False
    try:
        parse(text).to_sql(_resolver(module, {}))
    except ExpressionError:
        return False
    return True
