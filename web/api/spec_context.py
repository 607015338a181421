"""What every part of the OpenAPI document is built from: the catalog, the reader, the language.

The builders of the document's parts (spec_schemas, spec_params, spec_records, spec_general)
each take this one object and add to its `schemas` or answer one operation; none of them
imports another's builder, so the parts stay free of import cycles.

An operation's builder (`Builder`) is asked once per API route that names it
(web/api/operations.py) and yields the operation once per place the route's path takes:
the values of the path's variables it fills in (`{"module_id": "fund"}`) and the operation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from engine.abilities import Abilities
from engine.abilities import abilities as engine_abilities
from engine.actor import Actor
from engine.catalog import Catalog
from engine.definitions.model import Module
from engine.i18n import localize

NOBODY = Actor(name=None, roles=frozenset())


@dataclass
class SpecContext:
    """One document under construction; `actor` None means an anonymous reader."""

    catalog: Catalog
    actor: Actor | None
    language: str = "en"
    schemas: dict[str, Any] = field(default_factory=dict)
    paths: dict[str, Any] = field(default_factory=dict)
    _answers: dict[str, Abilities] = field(default_factory=dict)

    @property
    def viewer(self) -> Actor:
        """Who the document is for: an anonymous reader sees the routes, none of the modules."""
        return self.actor or NOBODY

    @cached_property
    def modules(self) -> list[Module]:
        """The modules the viewer may read, by id: the only ones the document names."""
        readable = (m for m in self.catalog.modules.values() if self.answer(m).read)
        return sorted(readable, key=lambda m: m.id)

    def text(self, value: Any) -> str:
        return localize(value, self.language)

    def tag(self, module: Module) -> list[str]:
        """The tag that groups a module's operations."""
        return [f"{self.text(module.title)} ({module.id})"]

    def answer(self, module: Module) -> Abilities:
        """The engine's one permission answer for the viewer on `module` (kept per document)."""
        if module.id not in self._answers:
            self._answers[module.id] = engine_abilities(self.viewer, module)
        return self._answers[module.id]

    def fields(self, module: Module) -> Mapping[str, str]:
        """Field → write | read | computed | hidden, as the viewer meets each field."""
        return self.answer(module).fields

    def abilities(self, module: Module) -> dict[str, bool]:
        """Which record operations the viewer's document shows (the engine's one answer)."""
        answer = self.answer(module)
        return {"create": answer.create, "update": answer.update, "delete": answer.delete}


Placed = tuple[dict[str, str], dict[str, Any]]  # the path's filled-in variables, the operation
Builder = Callable[[SpecContext], Iterator[Placed]]
