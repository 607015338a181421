"""The OpenAPI 3.1 document of the API, generated from the API's routes and the installed
modules for one caller.

The routes are the source of the paths: each API view names its operation
(`@operation("records.list")`, web/api/operations.py), and the document walks the API
blueprint's rules, asking that operation's builder for the operation once per place the path
takes — `/modules/<module_id>/records` once per module the caller may read,
`.../transitions/<transition_id>` once per workflow transition they could take, `<field>` per
attachment field, `<report_id>` per report — and writes each other variable as `{name}`.

Each module the caller may read gets its schemas — the record, its data with every visible
field's real type, format and enum, the create and change bodies with required fields and
the pack's constraints, formula and rollup fields `readOnly` — and its operations: the list
with the filter and sort parameters of its list view, create, read, change, delete,
history, batch, uploads, and one operation per workflow transition. Operations the caller
may not use (create without the right, packs and webhooks for a non-administrator) are
left out.

The builders live in files of their own, each from one `SpecContext`: component schemas
(spec_schemas), record operations (spec_records) with their list parameters derived from
the field kinds (spec_params), workflow operations (spec_transitions), general operations
(spec_general) and the administrators' (spec_admin), uploads (spec_files) and links between
operations (spec_links).

Without credentials the document describes the routes only, none of the modules, and says
so in `info.x-formwork-audience`: a description, not data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.actor import Actor
from engine.catalog import Catalog
from web.api.operations import ApiRoute
from web.api.spec_admin import ADMIN_OPERATIONS
from web.api.spec_comments import COMMENT_OPERATIONS
from web.api.spec_context import Builder, SpecContext
from web.api.spec_general import GENERAL_OPERATIONS
from web.api.spec_imports import IMPORT_OPERATIONS
from web.api.spec_links import add_links
from web.api.spec_notifications import NOTIFICATION_OPERATIONS
from web.api.spec_records import RECORD_OPERATIONS
from web.api.spec_schemas import common_schemas, module_schemas
from web.api.spec_transitions import TRANSITION_OPERATIONS

OPERATIONS: dict[str, Builder] = {
    **RECORD_OPERATIONS,
    **TRANSITION_OPERATIONS,
    **GENERAL_OPERATIONS,
    **ADMIN_OPERATIONS,
    **IMPORT_OPERATIONS,
    **COMMENT_OPERATIONS,
    **NOTIFICATION_OPERATIONS,
}
# The document's names of the routes' path variables left as `{name}` (its links use `id`).
NAMES = {
    "module_id": "module",
    "record_id": "id",
    "pack_id": "pack",
    "webhook_id": "webhook",
    "job_id": "job",
}


class SpecBuilder(SpecContext):
    """Builds one document: schemas, then the routes' operations, then their links."""

    def add_routes(self, routes: Iterable[ApiRoute]) -> None:
        """Each route's operation, at each path its builder places it (none: left out)."""
        for route in routes:
            build = OPERATIONS.get(route.operation or "")
            for values, operation in build(self) if build is not None else ():
                self.paths.setdefault(route.fill(values, NAMES), {})[route.method] = operation

    def hoist_path_parameters(self) -> None:
        """A path parameter every operation of a path takes is said once, on the path item."""
        for item in self.paths.values():
            operations = list(item.values())
            shared = [
                p
                for p in operations[0].get("parameters", [])
                if p["in"] == "path" and all(p in o.get("parameters", []) for o in operations)
            ]
            if not shared:
                continue
            for operation in operations:
                operation["parameters"] = [p for p in operation["parameters"] if p not in shared]
                if not operation["parameters"]:
                    del operation["parameters"]
            item["parameters"] = shared

    def build(self, server: str, routes: Iterable[ApiRoute]) -> dict[str, Any]:
        modules = self.modules
        common_schemas(self)
        for module in modules:
            module_schemas(self, module)
        self.add_routes(routes)
        self.hoist_path_parameters()
        add_links(self.paths)
        audience = (
            f"the modules user {self.actor.name!r} may read"
            if self.actor is not None
            else "the routes only, no module (no credentials were sent): send an API token"
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
    catalog: Catalog,
    actor: Actor | None,
    server: str,
    routes: Iterable[ApiRoute],
    language: str = "en",
) -> dict[str, Any]:
    """The OpenAPI document of `routes` for `actor` (None: anonymous), `server` the API's URL."""
    return SpecBuilder(catalog, actor, language).build(server, routes)
