"""The critical path method over finish-to-start dependencies, in whole days.

Forward pass: a task starts early when its last predecessor finishes (the network's start
when it has none). Backward pass: it finishes late when its first successor must start (the
network's finish when it has none). Total float is late start minus early start; the tasks
with none are critical. Tasks caught in a cycle get no timing: a cycle is refused when a task
is saved (`engine.schedule.checks`), but old data must never hang a page.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K", bound=Hashable)  # a task's name in the graph: an id, or (group, key)


@dataclass(frozen=True)
class Timing:
    """A task's place in the network, in days from the network's start."""

    early_start: int
    early_finish: int
    late_start: int
    late_finish: int

    @property
    def total_float(self) -> int:
        return self.late_start - self.early_start

    @property
    def critical(self) -> bool:
        return self.total_float == 0


def _order(nodes: Sequence[str], preds: Mapping[str, Sequence[str]]) -> list[str]:
    """The nodes in dependency order (Kahn); nodes on or after a cycle are left out."""
    waiting = {n: len({p for p in preds.get(n, ()) if p in preds}) for n in nodes}
    succs: dict[str, list[str]] = {n: [] for n in nodes}
    for n in nodes:
        for p in set(preds.get(n, ())):
            if p in succs:
                succs[p].append(n)
    ready = [n for n in nodes if waiting[n] == 0]
    order: list[str] = []
    while ready:
        node = ready.pop()
        order.append(node)
        for s in succs[node]:
            waiting[s] -= 1
            if waiting[s] == 0:
                ready.append(s)
    return order


def find_cycle(preds: Mapping[K, Sequence[K]]) -> tuple[K, ...] | None:
    """One cycle of the graph (each node followed by a predecessor it waits on), or None."""
    done: set[K] = set()
    for root in preds:
        if root in done:
            continue
        path: list[K] = []
        on_path: dict[K, int] = {}
        stack: list[tuple[K, int]] = [(root, 0)]
        while stack:
            node, index = stack.pop()
            if index == 0:
                if node in on_path:
                    return tuple(path[on_path[node] :])
                if node in done:
                    continue
                on_path[node] = len(path)
                path.append(node)
            nexts = [p for p in preds.get(node, ()) if p in preds]
            if index < len(nexts):
                stack.append((node, index + 1))
                stack.append((nexts[index], 0))
            else:
                done.add(node)
                path.pop()
                del on_path[node]
    return None


def critical_path(
    durations: Mapping[str, int], preds: Mapping[str, Sequence[str]]
) -> dict[str, Timing]:
    """Early and late dates of each task not caught in a cycle; unknown predecessors are
    ignored (the caller reports them)."""
    nodes = list(durations)
    known = {n: [p for p in preds.get(n, ()) if p in durations] for n in nodes}
    order = _order(nodes, known)
    early: dict[str, tuple[int, int]] = {}
    for n in order:
        start = max((early[p][1] for p in known[n]), default=0)
        early[n] = (start, start + durations[n])
    finish = max((ef for _, ef in early.values()), default=0)
    succs: dict[str, list[str]] = {n: [] for n in order}
    for n in order:
        for p in known[n]:
            succs[p].append(n)
    late: dict[str, tuple[int, int]] = {}
    for n in reversed(order):
        end = min((late[s][0] for s in succs[n]), default=finish)
        late[n] = (end - durations[n], end)
    return {n: Timing(*early[n], *late[n]) for n in order}
