"""The state one run of the semantic checks shares: the pack, what it can see, what was found.

The checks are split by concept (fields, formulas, ui, workflow, permissions, reports, seed);
each gets this context, reads the raw pack and adds problems to it. Problems are collected,
never raised, so an author gets every mistake of a pack in one answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.definitions.scope import Catalogue, Node
from engine.errors import Problem

Path = tuple[str | int, ...]


def pointer(path: Iterable[str | int]) -> str:
    """A JSON Pointer (RFC 6901) for a path of keys and indexes."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def listing(names: Iterable[str], limit: int = 12) -> str:
    """Names for a message: `a, b, c` (shortened when there are many), or `none`."""
    names = list(names)
    if not names:
        return "none"
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


@dataclass(frozen=True)
class Computed:
    """A formula or rollup: where it is written and what it reads."""

    path: Path
    kind: str  # "formula" or "rollup"
    depends: frozenset[Node]
    uses_clock: bool


@dataclass(frozen=True)
class DatabaseUse:
    """A place that must be computed in SQL (rollups, list filters, sorts, totals, reports)."""

    path: Path
    what: str
    module: str  # the module whose fields `depends` names
    depends: frozenset[Node]
    uses_clock: bool


@dataclass
class PackContext:
    """The pack under check, the modules it can see and the problems found so far."""

    pack: Mapping[str, Any]
    catalogue: Catalogue
    roles: frozenset[str]
    problems: list[Problem] = field(default_factory=list)
    computed: dict[Node, Computed] = field(default_factory=dict)
    database_uses: list[DatabaseUse] = field(default_factory=list)
    # (place, `link.field` as written, the linked field) of each read through a link
    link_reads: list[tuple[Path, str, Node]] = field(default_factory=list)

    def add_problem(self, path: Path, code: str, params: Mapping[str, Any]) -> None:
        """Record one coded problem at `path` (a code of engine/codes.py)."""
        self.problems.append(Problem(pointer(path), code, params))
