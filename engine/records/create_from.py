"""Create-from: the values a new record starts with when it is made from another record.

A module's `create_from` (engine/definitions/create_from.py) names the modules its records may
be made from. `prefill_from` reads the source as the actor reads it (NotFound outside their
scope), checks its `when`, and maps the source's fields and child rows into the new record's
values, the link back included; only fields the actor may write are filled. The form shows
them for the user to finish; the API creates with them (`POST …/records?from=module:id`,
the body's own values winning). Nothing is written here: saving goes through
`create_records` like any new record, so every rule holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine import permissions as rules
from engine.abilities import abilities
from engine.actor import Actor
from engine.catalog import Catalog, load_catalog
from engine.definitions.model import CreateFrom, Module
from engine.errors import ExpressionError, NotFound, Problem, ValidationFailed
from engine.expressions import truthy
from engine.records.compute import base_env
from engine.records.defaults import apply_defaults, child_linked_rows
from engine.records.links import linked_values
from engine.records.model import Record
from engine.records.service import get_record


@dataclass(frozen=True)
class Offer:
    """A module the actor may make from a record they read, with its button's title."""

    module: Module
    source: str  # the source module's id
    title: Any


def _spec(target: Module, source_id: str) -> CreateFrom:
    spec = next((s for s in target.create_from if s.module == source_id), None)
    if spec is None:
        raise NotFound(code="create_from_unknown", module=target.id, source=source_id)
    return spec


def _serves(spec: CreateFrom, record: Record, actor: Actor) -> bool:
    if spec.when is None:
        return True
    try:
        return truthy(spec.when.evaluate(base_env(record.data, record.system(), actor)))
    except ExpressionError:
        return False


def offers(catalog: Catalog, source: Module, record: Record, actor: Actor) -> list[Offer]:
    """What the actor may make from `record` now: each target they may create whose
    `create_from` names the source module and whose `when` holds for the record."""
    found = []
    for target in catalog.modules.values():
        for spec in target.create_from:
            if spec.module != source.id or not rules.may_create(actor, target):
                continue
            if _serves(spec, record, actor):
                found.append(Offer(target, source.id, spec.title or target.title))
    return found


def _mapped(fields: Mapping[str, str], values: Mapping[str, Any], writable: Any) -> dict[str, Any]:
    return {
        into: values.get(out_of)
        for into, out_of in fields.items()
        if into in writable and values.get(out_of) not in (None, "", [])
    }


def prefill_from(
    session: Session, target_id: str, source_id: str, record_id: str, actor: Actor
) -> dict[str, Any]:
    """The starting values of a new `target_id` record made from record `record_id`."""
    catalog = load_catalog(session)
    target = catalog.module(target_id)
    may = abilities(actor, target)
    may.require_create()
    spec = _spec(target, source_id)
    record = get_record(session, source_id, record_id, actor)
    if not _serves(spec, record, actor):
        params = {"module": target.id, "source": source_id, "record": record_id}
        raise ValidationFailed([Problem("", "create_from_refused", params)])
    writable = may.writable
    values = _mapped(spec.fields, record.data, writable)
    for table, copy in spec.children.items():
        if table in writable:
            rows = record.data.get(copy.source) or []
            values[table] = [_mapped(copy.columns, row, copy.columns) for row in rows]
    if spec.link is not None and spec.link in writable:
        values[spec.link] = record.id
    _with_defaults(session, catalog, target, values, actor)
    return values


def _with_defaults(
    session: Session, catalog: Catalog, target: Module, values: dict[str, Any], actor: Actor
) -> None:
    """Fill what the target's computed defaults give from the copied values (the order's
    manager through its project, each line's unit and price through its material), so the
    form shows them; a default that cannot be computed yet is left for the save."""
    (linked,) = linked_values(session, catalog, target, [values])
    child_links = child_linked_rows(session, catalog, target, [values])
    system = {"$id": None, "$number": None, "$state": target.initial_state, **linked}
    system["$owner"] = actor.name
    apply_defaults(target, values, system, actor, child_links)
