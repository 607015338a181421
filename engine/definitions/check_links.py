"""Check what expressions read through a link: only values the linked record stores.

While a formula, a condition or a guard is evaluated, a link stands for the linked record's
stored values (engine/records/links.py). A formula of that record computed only when it is
read (one over `today()`) is not among them, so `project.days_left` through the link was
always empty, silently. `note_link_reads` records every `link.field` an expression reads;
once the read-time formulas are known (check_formulas), `check_link_reads` reports each read
of one at the expression, with the reason the field is computed when read.
"""

from __future__ import annotations

from collections.abc import Mapping, Set

from engine.definitions.context import PackContext, Path, pointer
from engine.definitions.scope import Node, RecordScope, Scope
from engine.expressions import Expression


def note_link_reads(ctx: PackContext, path: Path, expression: Expression, scope: Scope) -> None:
    """Remember each `link.field` of `expression` (a record-level one) with its place."""
    if not isinstance(scope, RecordScope):
        return
    for reference in sorted(expression.references):
        info = scope.module.fields.get(reference[0])
        if len(reference) != 2 or info is None or not info.kind_type.links:
            continue
        target = ctx.catalogue.get(info.ref or "")
        if target is not None and reference[1] in target.fields:
            ctx.link_reads.append((path, ".".join(reference), (target.id, reference[1])))


def check_link_reads(
    ctx: PackContext, late: Mapping[Node, str], looping: Set[Node] = frozenset()
) -> None:
    """Report each read through a link of a value computed only when its record is read
    (not of a value in a cycle, nor where a problem is already reported: fix those first)."""
    placed = {problem.path for problem in ctx.problems}
    for path, name, node in ctx.link_reads:
        if node in late and node not in looping and pointer(path) not in placed:
            params = {"what": "the expression", "name": name, "detail": late[node]}
            ctx.add_problem(path, "read_time_through_link", params)
