"""Who may see a rollup over records: the gate for readers whose row scope is a link the
rollup ties on.

A rollup over the tallies of a project (`link`), or over the tallies whose project matches
the parent's project (`match: {"project": "project"}`), sums exactly the tallies of one
project. A site manager scoped to his projects (`scope: ["project"]`) reads every one of
them when that project is granted to him, so he may see the figure on those parents and on
no others. Each tie whose summed side is a scope link is such a way in; a reader who reads
every record unscoped sees it everywhere (permissions.aggregate_predicate decides both).
"""

from __future__ import annotations

from collections.abc import Set

from sqlalchemy import ColumnElement, FromClause, false, or_, true
from sqlalchemy.sql.elements import False_, True_

from engine import permissions
from engine.actor import Actor
from engine.definitions.model import Module, Rollup


def rollup_scope_gate(
    reader: Actor, source: Module, rollup: Rollup, inputs: Set[str], main: FromClause
) -> ColumnElement[bool]:
    """When `reader` may see the rollup on a row of `main`: unscoped, or scoped by one of
    the rollup's tie fields to the record that row's tie field names."""
    gates = [permissions.aggregate_predicate(reader, source, "", inputs, main.c.id)]
    for summed, parent in rollup.keys:
        tie = source.field(summed)
        if tie is None or tie.ref is None or parent not in main.c:
            continue
        gates.append(
            permissions.aggregate_predicate(reader, source, summed, inputs, main.c[parent])
        )
    if any(isinstance(g, True_) for g in gates):
        return true()
    gates = [g for g in gates if not isinstance(g, False_)]
    return or_(*gates) if gates else false()
