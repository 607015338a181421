"""The import pages' forms and what their templates show, kept apart from the routes.

The page sends back, for each column of the file, the field the person chose. Every chosen
field travels as the mapping override; a column left out is sent only when that differs from
the engine's reading (a column it refused — a hidden field's, say — marked `!refused`, so
leaving it out is kept), so a column the engine read as nothing is left to the engine.
The template file offers the columns a person may fill: each writable field's label in the
reader's language, and a child table's columns as `table.column`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from engine.definitions.model import Field, Module
from engine.import_choices import NUMBER, Target
from engine.imports import Limits
from engine.imports.mapping import SHEET_MARK
from web.i18n import text
from web.pages.formatting import column_label, field_title

ENCODINGS = ("utf-8", "gbk", "gb18030")
MODES = ("all", "valid")
CHUNK = 64 * 1024
MAX_BYTES = Limits().max_bytes


class TooLarge(ValueError):
    """An upload larger than an import reads; nothing of it is kept."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


@dataclass(frozen=True)
class Options:
    """How to read and write the file: the person's choices, passed to the engine's job."""

    mapping: dict[str, str] | None = None
    key: str | None = None
    mode: str = "all"
    encoding: str | None = None
    sheet: str | None = None

    def as_kwargs(self) -> dict[str, Any]:
        return {
            "mapping": self.mapping,
            "key": self.key,
            "mode": self.mode,
            "encoding": self.encoding,
            "sheet": self.sheet,
        }


@dataclass
class ColumnRow:
    """One column of the file in the mapping table: its header, index and chosen target."""

    index: int
    header: str  # the mapping's key: a child sheet's column is `Sheet!Header`
    target: str
    refused: bool = False
    label: str = ""  # the column as the file names it, when the key says more


@dataclass
class SheetColumns:
    """A child sheet in the mapping form: its columns (numbered after the main sheet's) and
    the targets they may take — the child table's columns and the join."""

    title: str
    columns: list[ColumnRow]
    targets: list[tuple[str, str]]


@dataclass
class Choices:
    """What the mapping form offers: targets grouped by parent field, keys, encodings."""

    targets: list[tuple[str, str]] = field(default_factory=list)  # (id, label)
    keys: list[tuple[str, str]] = field(default_factory=list)


def new_file_id() -> str:
    return secrets.token_hex(16)


def limited_chunks(stream: IO[bytes], limit: int = MAX_BYTES) -> Iterator[bytes]:
    """The upload in chunks; TooLarge once more than `limit` bytes have come."""
    size = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise TooLarge(size)
        yield chunk


def chosen(value: str | None, allowed: tuple[str, ...]) -> str | None:
    """A choice of the form when it is one the page offered, else None (automatic)."""
    return value if value in allowed else None


def read_options(form: MultiDict[str, str], keys: list[str]) -> Options:
    """The form's options: the mapping override, the key, the mode, the encoding, the sheet."""
    mapping: dict[str, str] = {}
    index = 0
    while f"column-{index}" in form:
        header = form.get(f"column-{index}", "")
        target = form.get(f"target-{index}", "")
        shown = form.get(f"shown-{index}", "")
        if header and (target != shown or target):
            mapping[header] = target
        index += 1
    key = form.get("key") or None
    return Options(
        mapping=mapping or None,
        key=key if key in keys else None,
        mode=chosen(form.get("mode"), MODES) or "all",
        encoding=chosen(form.get("encoding"), ENCODINGS),
        sheet=(form.get("sheet") or "").strip() or None,
    )


def target_label(module: Module, target: Target) -> str:
    """How a target is named in the select: the field, or `table › column`."""
    if target.column is None:
        return field_title(module, target.field.name)
    return f"{field_title(module, target.field.name)} › {column_label(module, target.field, target.column)}"


def choices(module: Module, targets: list[Target], keys: list[str]) -> Choices:
    found = Choices()
    found.targets = [(NUMBER, _("Record number"))]
    found.targets += [(t.id, target_label(module, t)) for t in targets]
    found.keys = [(k, _("Record number") if k == NUMBER else field_title(module, k)) for k in keys]
    return found


def column_rows(job: Any, file_headers: list[str], numbers: set[str]) -> list[ColumnRow]:
    """Each column of the file, in the file's order, with the target the engine gave it
    (a number column gathers a record's rows even where it is not the key)."""
    mapping: Mapping[str, str] = {h: NUMBER for h in numbers} | (job.mapping or {})
    headers = [h for h in file_headers if h]
    refused = [p.column for p in job.problems if p.row is None and p.column and not p.sheet]
    for header in [*mapping, *(job.unmapped or []), *refused]:
        if header not in headers:
            headers.append(header)
    return [
        ColumnRow(i, h, mapping.get(h, ""), refused=h in refused) for i, h in enumerate(headers)
    ]


def sheet_columns(job: Any, start: int, offered: list[tuple[str, str]]) -> list[SheetColumns]:
    """Each child sheet's columns in the file's order with the target the engine gave them."""
    sheets = []
    index = start
    for title, mapping in (job.child_sheets or {}).items():
        headers = (job.child_headers or {}).get(title) or list(mapping)
        tables = {t.partition(".")[0] for t in mapping.values() if "." in t}
        joins = {t for t in mapping.values() if "." not in t}
        targets = [
            (v, label)
            for v, label in offered
            if v in joins or ("." in v and (not tables or v.partition(".")[0] in tables))
        ]
        refused = {p.column for p in job.problems if p.sheet == title and p.row is None}
        rows = []
        for header in headers:
            key = f"{title}{SHEET_MARK}{header}"
            rows.append(ColumnRow(index, key, mapping.get(header, ""), header in refused, header))
            index += 1
        sheets.append(SheetColumns(title, rows, targets))
    return sheets


def template_headers(module: Module, targets: list[Target]) -> list[str]:
    """The template file's header row: field labels, child columns as `table.column`."""
    return [
        t.id if t.column is not None else (text(t.field.title) or t.field.name) for t in targets
    ]


def child_columns(module: Module, shown: set[str]) -> list[tuple[Field, list[Field]]]:
    """The child tables the preview shows under each record, with their imported columns."""
    tables = []
    for f in module.fields:
        if f.kind_type.rows:
            columns = [c for c in f.children if f"{f.name}.{c.name}" in shown]
            if columns:
                tables.append((f, columns))
    return tables


def parent_columns(module: Module, shown: set[str]) -> list[Field]:
    """The record's own fields the preview shows: those a column fills."""
    return [f for f in module.fields if f.name in shown and not f.kind_type.rows]
