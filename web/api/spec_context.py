"""What every part of the OpenAPI document is built from: the catalog, the reader, the language.

The builders of the document's parts (spec_schemas, spec_params, spec_records, spec_general)
each take this one object and add to its `schemas` and `paths`; none of them imports another's
builder, so the parts stay free of import cycles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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

    @property
    def viewer(self) -> Actor:
        """Who the document is for: an anonymous reader sees the routes, none of the modules."""
        return self.actor or NOBODY

    def text(self, value: Any) -> str:
        return localize(value, self.language)

    def abilities(self, module: Module) -> dict[str, bool]:
        """Which record operations the viewer's document shows (the engine's one answer)."""
        answer = engine_abilities(self.viewer, module)
        return {"create": answer.create, "update": answer.update, "delete": answer.delete}
