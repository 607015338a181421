"""The cells of a list export, written so that the file imports back as it was exported.

A link is written as the linked record's title where that title names it alone, else as its
number; a user as the display name where it names them alone, else the login name (both
asked of engine/imports/lookups.py, the importer's own lookups, once per batch of records).
Choices and yes/no are their titles in the reader's language (the importer reads either
language), dates real dates, numbers numbers. A module's child tables go on
sheets of their own, named after the table and joined to the records by the number column —
the layout `formwork records import` reads (docs/importing.md), so that importing an export
with `--key $number` leaves every record unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from engine.abilities import Abilities
from engine.actor import Actor
from engine.catalog import Catalog
from engine.definitions.model import Field, Module
from engine.imports.lookups import link_texts, user_texts
from engine.records.model import Record
from web.i18n import text
from web.pages.formatting import (
    field_title,
    list_separator,
    restricted_text,
    state_title,
    user_text,
    value_text,
)
from web.spreadsheets import sheet_title

NUMBER = "$number"


@dataclass
class Labels:
    """What the link and user values of a batch of records are written as."""

    links: dict[str, dict[str, str]] = field(default_factory=dict)  # linked module → id → text
    users: dict[str, str] = field(default_factory=dict)  # login name → text


@dataclass
class ChildSheet:
    """A child table's sheet: its title, headings and rows (the record's number first)."""

    table: Field
    title: str
    headings: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def _values(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list) else [value]


def _gather(found: dict[str, set[str]], users: set[str], f: Field, value: Any) -> None:
    kind = f.kind_type
    if kind.links and f.ref:
        found.setdefault(f.ref, set()).update(str(v) for v in _values(value))
    elif kind.names_user:
        users.update(str(v) for v in _values(value))


def batch_labels(
    session: Session,
    catalog: Catalog,
    module: Module,
    columns: Sequence[str],
    tables: Sequence[Field],
    records: Iterable[Record],
    who: Actor,
) -> Labels:
    """The texts of every link and user named by `records` in the exported columns."""
    fields = [f for c in columns if (f := module.field(c)) is not None]
    found: dict[str, set[str]] = {}
    users: set[str] = set()
    for record in records:
        for f in fields:
            _gather(found, users, f, record.data.get(f.name))
        for table in tables:
            for row in record.data.get(table.name) or []:
                for column in table.children:
                    _gather(found, users, column, row.get(column.name))
    labels = Labels(users=user_texts(session, users))
    for ref, ids in found.items():
        target = next(f for f in (*fields, *_columns(tables)) if f.ref == ref)
        labels.links[ref] = link_texts(session, catalog, target, ids, who)
    return labels


def _columns(tables: Sequence[Field]) -> list[Field]:
    return [c for t in tables for c in t.children]


def field_cell(f: Field | None, value: Any, labels: Labels) -> Any:
    """A field's value as a typed cell the importer reads back to the same value."""
    if value is None or value == "" or value == []:
        return ""
    if f is None:
        return value_text(None, value)
    kind = f.kind_type
    if kind.links and f.ref:
        named = labels.links.get(f.ref, {})
        return list_separator().join(named.get(str(v), "") for v in _values(value))
    if kind.names_user:
        return list_separator().join(labels.users.get(str(v), str(v)) for v in _values(value))
    if f.numeric:
        return value
    if kind.expression_type == "date":
        return value if isinstance(value, dt.date) else _day(value)
    return value_text(f, value)


def _day(value: Any) -> Any:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)


def record_cell(module: Module, name: str, record: Record, labels: Labels) -> Any:
    """A cell of the record's row on the main sheet."""
    if name == NUMBER:
        return record.number or record.id
    if name == "$state":
        return state_title(module, record.state)
    if name == "$owner":
        return user_text(record.owner) if record.owner else ""
    if name in ("$created_at", "$updated_at"):
        return value_text(None, getattr(record, name[1:]))
    if name in record.restricted:
        return restricted_text()
    return field_cell(module.field(name), record.data.get(name), labels)


def all_columns(module: Module, listed: Sequence[str], may: Abilities) -> list[str]:
    """The record number, the list's columns, then every other field the user sees that a
    cell can hold: the whole record, found again by its number when imported back."""
    extra = [
        f.name
        for f in module.fields
        if f.name not in listed
        and may.fields.get(f.name, "hidden") != "hidden"
        and not f.kind_type.rows
        and not f.kind_type.holds_files
    ]
    return [*([] if NUMBER in listed else [NUMBER]), *listed, *extra]


def child_sheets(module: Module, may: Abilities, taken: Iterable[str]) -> list[ChildSheet]:
    """A sheet for each child table the user sees, named after the table (its id when the
    title is taken), headed by the number column and the table's columns."""
    used = {t.casefold() for t in taken}
    sheets = []
    for table in module.table_fields:
        if may.fields.get(table.name, "hidden") == "hidden":
            continue
        title = sheet_title(text(table.title) if table.title else table.name, table.name)
        if title.casefold() in used:
            title = sheet_title(table.name)
        used.add(title.casefold())
        headings = [field_title(module, NUMBER), *(_title(c) for c in table.children)]
        sheets.append(ChildSheet(table, title, headings))
    return sheets


def _title(column: Field) -> str:
    return text(column.title) if column.title else column.name


def add_child_rows(sheets: Sequence[ChildSheet], record: Record, labels: Labels) -> None:
    """The record's child rows, each after its record's number."""
    number = record.number or record.id
    for sheet in sheets:
        for row in record.data.get(sheet.table.name) or []:
            cells = [field_cell(c, row.get(c.name), labels) for c in sheet.table.children]
            sheet.rows.append([number, *cells])
