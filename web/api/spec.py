"""The OpenAPI 3.1 document of the API, generated from the installed modules for one caller.

Each module the caller may read gets its schemas — the record, its data with every visible
field's real type, format and enum, the create and change bodies with required fields and
the pack's constraints, formula and rollup fields `readOnly` — and its operations: the list
with the filter and sort parameters of its list view, create, read, change, delete,
history, batch, and one operation per workflow transition. Operations the caller may not
use (create without the right, packs and webhooks for a non-administrator) are left out.

The parts are built in files of their own, each from one `SpecContext`: component schemas
(spec_schemas), record operations (spec_records) with their list parameters derived from
the field kinds (spec_params), general operations (spec_general) and the administrators'
(spec_admin), uploads (spec_files) and links between operations (spec_links).

Without credentials the document describes every installed module as an administrator
would see it and says so in `info.x-formwork-audience`: a description, not data.
"""

from __future__ import annotations

from typing import Any

from engine import permissions
from engine.actor import Actor
from engine.catalog import Catalog
from web.api.spec_context import SpecContext
from web.api.spec_general import general_paths
from web.api.spec_links import add_links
from web.api.spec_records import module_paths
from web.api.spec_schemas import common_schemas, module_schemas


class SpecBuilder(SpecContext):
    """Builds one document from its parts (schemas, records, general operations, links)."""

    def build(self, server: str) -> dict[str, Any]:
        modules = sorted(
            (
                m
                for m in self.catalog.modules.values()
                if permissions.may_read_module(self.viewer, m)
            ),
            key=lambda m: m.id,
        )
        common_schemas(self)
        for module in modules:
            module_schemas(self, module)
            module_paths(self, module)
        general_paths(self, modules)
        add_links(self.paths)
        audience = (
            f"the modules user {self.actor.name!r} may read"
            if self.actor is not None
            else "every installed module (no credentials were sent); records need an API token"
        )
        return {
            "openapi": "3.1.0",
            "info": {
                "title": "Formwork API",
                "version": "1",
                "description": (
                    "The REST API of Formwork, generated from the installed modules. "
                    "Send `Authorization: Bearer <token>`; tokens come from `formwork tokens "
                    "create` or the profile page. Decimal and money values are JSON numbers "
                    f"at their scale. This document describes {audience}."
                ),
                "x-formwork-audience": "user" if self.actor is not None else "anonymous",
            },
            "servers": [{"url": server}],
            "security": [{"bearer": []}],
            "tags": [{"name": f"{self.text(m.title)} ({m.id})"} for m in modules],
            "paths": self.paths,
            "components": {
                "schemas": self.schemas,
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer", "description": "an API token"}
                },
            },
        }


def build_spec(
    catalog: Catalog, actor: Actor | None, server: str, language: str = "en"
) -> dict[str, Any]:
    """The OpenAPI document for `actor` (None: anonymous) with `server` as the API's base URL."""
    return SpecBuilder(catalog, actor, language).build(server)
