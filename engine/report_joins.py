"""Reports across modules: a group or measure may read a field of the record a link points at.

`project.code` in a report over labour tallies is one LEFT JOIN to the projects' table, made
once per link however many paths read through it. The linked module keeps its own rules: its
field is withheld (the group or measure left out, like a hidden field) from a reader who may
not read that field or that module, and a linked record outside the reader's read scope gives
NULL, so a group never names a project the reader may not see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, FromClause, True_, case
from sqlalchemy.sql.expression import Join

from engine.abilities import abilities
from engine.actor import Actor
from engine.catalog import Catalog
from engine.definitions.model import SYSTEM_COLUMNS, Module
from engine.expressions import Expression
from engine.expressions.sql import Resolve
from engine.records.reading import resolver


@dataclass
class LinkJoins:
    """The joins a report's expressions need, and which linked fields the reader may read."""

    catalog: Catalog
    module: Module
    table: FromClause
    actor: Actor
    hidden: set[str]
    joins: dict[str, tuple[FromClause, Module, ColumnElement[bool]]] = field(default_factory=dict)

    def visible(self, expression: Expression) -> bool:
        """Whether the reader may see every field `expression` reads, here or through a link."""
        for ref in expression.references:
            if ref[0] in self.hidden:
                return False
            if len(ref) == 2 and not self._linked_visible(ref[0], ref[1]):
                return False
        return True

    def _linked_visible(self, link: str, name: str) -> bool:
        linked = self._target(link)
        if linked is None:
            return True  # not a link path: the translator says why
        may = abilities(self.actor, linked)
        return may.read and (name.startswith("$") or name in may.visible)

    def _target(self, link: str) -> Module | None:
        field_ = self.module.field(link)
        if field_ is None or not field_.kind_type.links or field_.ref is None:
            return None
        return self.catalog.modules.get(field_.ref)

    def resolve(self, own: Resolve) -> Resolve:
        """`own` for the module's names; one hop through a link for `link.field`."""

        def resolve(path: tuple[str, ...]) -> ColumnElement[Any]:
            if len(path) != 2 or self._target(path[0]) is None:
                return own(path)
            alias, linked, in_scope = self._join(path[0])
            inner = resolver(alias, linked, self.catalog, self.actor)
            column = inner(path[1:])
            return column if isinstance(in_scope, True_) else case((in_scope, column))

        return resolve

    def _join(self, link: str) -> tuple[FromClause, Module, ColumnElement[bool]]:
        if link not in self.joins:
            linked = self._target(link)
            assert linked is not None
            alias = self.catalog.tables[linked.id].main.alias(f"j_{link}")
            scope = abilities(self.actor, linked).scope(alias)
            self.joins[link] = (alias, linked, scope)
        return self.joins[link]

    def from_clause(self) -> FromClause:
        """The module's table LEFT JOINed to each linked table a path reads."""
        joined: FromClause | Join = self.table
        for link, (alias, _linked, _scope) in self.joins.items():
            key = alias.c[SYSTEM_COLUMNS["$id"]]
            joined = joined.outerjoin(alias, key == self.table.c[link])
        return joined
