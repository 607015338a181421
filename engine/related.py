"""Related records ("connections"): the records of other modules that link to one record.

A project is read together with its tallies, costs, tasks and funds. For a record of module M,
every (module, link field) of the catalog whose link field points at M is a group; for the
viewer, each group holds the count of the linking records they may read, the sums of that
module's list totals they may see and the newest few records — exactly what the module's list
filtered by `filter[<link>]=<record id>` answers, since the same scope and visibility rules
apply. Each group costs one statement (window functions give the count and sums beside the
newest rows), so a record with five related modules costs six statements with the check of
the record itself, whatever the tables hold.

A link may also sit in a child table's rows (a cost record whose lines each name a project):
the group then holds the records with at least one such row, each counted once, and its list
is filtered by `filter[<table>.<link>]=<record id>` (`engine.records.child_filters`), the
same condition in SQL.

Groups the viewer may not see are absent: a module they may not read, or one whose link field
(or child table) is hidden from them (its filter would be refused, and the group would tell
what the field hides).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.abilities import abilities
from engine.actor import Actor
from engine.catalog import Catalog, ModuleRef, load_catalog
from engine.definitions.model import Field, Module
from engine.errors import NotFound
from engine.records.child_filters import child_condition

NEWEST = 5  # records shown in each group; the list shows the rest


@dataclass(frozen=True)
class RelatedLink:
    """A link field of `module` that points at the record's module, as the viewer may follow it."""

    module: Module
    link: Field
    totals: tuple[str, ...]  # the module's list totals the viewer sees (stored fields)
    title_field: str | None  # the module's title field when the viewer sees it, else None
    table: Field | None = None  # the child table whose rows hold the link, if they do

    @property
    def path(self) -> str:
        """What the list filters by: the link, or `table.link` inside a child table."""
        return f"{self.table.name}.{self.link.name}" if self.table else self.link.name


@dataclass(frozen=True)
class RelatedItem:
    """One of the newest linking records: enough to name it and open it."""

    id: str
    number: str | None
    state: str | None
    title: Any  # the value of the module's title field (None: show the number)
    created_at: dt.datetime | None
    state_since: dt.datetime | None


@dataclass(frozen=True)
class RelatedGroup:
    """The records of one (module, link field) that link to the record, as the viewer reads them."""

    module: Module
    link: Field
    count: int
    totals: dict[str, Any]  # field → SQL sum over all `count` records (None when none)
    items: tuple[RelatedItem, ...]  # the newest first, at most NEWEST
    table: Field | None = None  # the child table whose rows hold the link, if they do

    @property
    def filter_key(self) -> str:
        """The list's query parameter that shows exactly these records."""
        path = f"{self.table.name}.{self.link.name}" if self.table else self.link.name
        return f"filter[{path}]"


def related_links(catalog: Catalog, module: Module, actor: Actor) -> list[RelatedLink]:
    """The link fields of other modules (and of `module` itself) pointing at `module` that
    `actor` may follow, in pack order. Reads no table: pages ask it to know whether to offer
    the related section at all."""
    found: list[RelatedLink] = []
    for pack in catalog.packs.values():
        for source in pack.modules:
            links: list[tuple[Field, Field | None]] = [
                (f, None) for f in source.stored_fields if _points_at(f, module)
            ]
            links += [
                (c, t) for t in source.table_fields for c in t.children if _points_at(c, module)
            ]
            if not links:
                continue
            may = abilities(actor, source)
            if not may.read:
                continue
            visible = may.visible
            totals = tuple(
                name
                for name in source.ui.list.totals
                if name in visible and (f := source.field(name)) is not None and f.stored
            )
            title = source.field(source.title_field) if source.title_field else None
            shown = (
                title.name if title is not None and title.stored and title.name in visible else None
            )
            found += [
                RelatedLink(source, f, totals, shown, table)
                for f, table in links
                if (table or f).name in visible
            ]
    return found


def _points_at(field: Field, module: Module) -> bool:
    return field.stored and field.kind_type.links and field.ref == module.id


def _group(
    session: Session, catalog: Catalog, link: RelatedLink, record_id: str, actor: Actor, limit: int
) -> RelatedGroup:
    """One statement: the newest rows, with the count and sums of all of them beside each."""
    source = link.module
    table = catalog.tables[source.id].main
    may = abilities(actor, source)
    columns: list[Any] = [
        table.c.id,
        table.c.number,
        table.c.state,
        table.c.created_at,
        table.c.state_since,
        func.count().over().label("count__"),
        *(func.sum(table.c[n]).over().label(f"sum__{n}") for n in link.totals),
    ]
    if link.title_field is not None:
        columns.append(table.c[link.title_field].label("title__"))
    if link.table is None:
        links_here = table.c[link.link.name] == record_id
    else:  # records with a row naming it, each once
        links_here = child_condition(source, table, link.path, "eq", record_id)
    statement = (
        select(*columns)
        .where(links_here, may.scope(table))
        .order_by(table.c.created_at.desc(), table.c.id.desc())
        .limit(limit)
    )
    rows = session.execute(statement).mappings().all()
    if not rows:
        return RelatedGroup(source, link.link, 0, {n: None for n in link.totals}, (), link.table)
    first = rows[0]
    items = tuple(
        RelatedItem(
            row["id"],
            row["number"],
            row["state"],
            row.get("title__"),
            row["created_at"],
            row["state_since"],
        )
        for row in rows
    )
    totals = {n: first[f"sum__{n}"] for n in link.totals}
    return RelatedGroup(source, link.link, first["count__"], totals, items, link.table)


def related_records(
    session: Session, module_id: ModuleRef, record_id: str, actor: Actor, *, limit: int = NEWEST
) -> list[RelatedGroup]:
    """The groups of records linking to one record, as `actor` may read them.

    NotFound when the record is unknown or out of the actor's scope, as `get_record` answers.
    """
    catalog = load_catalog(session)
    module = catalog.module(module_id)
    may = abilities(actor, module)
    may.require_read()
    table = catalog.tables[module.id].main
    seen = session.execute(select(table.c.id).where(table.c.id == record_id, may.scope(table)))
    if seen.first() is None:
        raise NotFound(code="unknown_record", module=module.id, record=record_id)
    return [
        _group(session, catalog, link, record_id, actor, limit)
        for link in related_links(catalog, module, actor)
    ]
