"""Check how computed values depend on each other: no cycles, nothing late where SQL runs.

Formulas are computed on every write and stored; a formula that reads another formula is
computed after it, so they must not form a cycle (`a → b → a`), also not through links or
rollups of other modules. A formula that uses `today()` or `now()`, or reads a rollup (which
changes when other records do), or reads such a formula, is computed when read instead, so
it cannot be used where the database computes: rollups, list filters, sorts and totals, and
reports.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from engine.definitions.check_formula_columns import computable_in_sql
from engine.definitions.check_links import check_link_reads
from engine.definitions.context import Computed, PackContext
from engine.definitions.scope import Node


def label(node: Node, home: str) -> str:
    """A node named as an author would write it, relative to the module `home`."""
    module, *rest = node
    name = ".".join(rest)
    return name if module == home else f"{module}.{name}"


def _edges(computed: Mapping[Node, Computed]) -> dict[Node, list[Node]]:
    return {
        node: sorted(d for d in info.depends if d in computed) for node, info in computed.items()
    }


def find_cycles(edges: Mapping[Node, list[Node]]) -> list[list[Node]]:
    """One cycle (first node repeated at the end) for each set of nodes that loops."""
    state: dict[Node, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[Node]] = []
    seen: set[frozenset[Node]] = set()
    for start in edges:
        if start in state:
            continue
        path: list[Node] = [start]
        stack: list[Iterator[Node]] = [iter(edges[start])]
        state[start] = 1
        while stack:
            following = next(stack[-1], None)
            if following is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(following) == 1:
                cycle = path[path.index(following) :] + [following]
                key = frozenset(cycle)
                if key not in seen:
                    seen.add(key)
                    cycles.append(cycle)
            elif following not in state:
                state[following] = 1
                path.append(following)
                stack.append(iter(edges.get(following, ())))
    return cycles


def read_time_nodes(computed: Mapping[Node, Computed]) -> dict[Node, str]:
    """Formulas that cannot be stored on write, each with the reason.

    A formula using today() or now() changes with the clock; one reading a rollup changes
    when other records change. Both are computed when read, and so is a formula reading
    one of them (also through a link).
    """
    late = {
        node: "it uses today() or now()"
        for node, info in computed.items()
        if info.kind == "formula" and info.uses_clock
    }
    changed = True
    while changed:
        changed = False
        for node, info in computed.items():
            if node in late or info.kind != "formula":
                continue
            for source in sorted(info.depends):
                if source in late:
                    late[node] = late[source]
                elif computed.get(source) and computed[source].kind == "rollup":
                    late[node] = f"it reads the rollup {label(source, node[0])}"
                else:
                    continue
                changed = True
                break
    return late


def check_formulas(ctx: PackContext) -> None:
    """Report formula cycles and clock-dependent values used where SQL computes."""
    order = list(ctx.computed)
    looping: set[Node] = set()
    for cycle in find_cycles(_edges(ctx.computed)):
        nodes = cycle[:-1]
        looping.update(nodes)
        own = [n for n in nodes if ctx.catalogue.get(n[0]) and ctx.catalogue[n[0]].own]
        if not own:
            continue
        first = min(own, key=order.index)
        at = nodes.index(first)
        rotated = nodes[at:] + nodes[:at] + [first]
        text = " → ".join(label(n, first[0]) for n in rotated)
        ctx.add_problem(ctx.computed[first].path, "formula_cycle", {"cycle": text})
    late = read_time_nodes(ctx.computed)
    check_link_reads(ctx, late, looping)
    in_sql = computable_in_sql(ctx, ctx.computed, late)  # formulas over rollups
    for use in ctx.database_uses:
        if use.depends & looping:  # the cycle is the problem to fix first
            continue
        if use.uses_clock:
            ctx.add_problem(use.path, "clock_in_database", {"what": use.what})
        own_sql = {n for n in in_sql if n[0] == use.module}  # not through a link
        for node in sorted((use.depends & late.keys()) - own_sql):
            params = {"what": use.what, "name": label(node, use.module), "detail": late[node]}
            ctx.add_problem(use.path, "read_time_in_database", params)
