"""Which column of the file fills which field: by id or by either language's title.

Headers and titles are compared case- and space-insensitively (full-width forms folded, so
`项目编号` and ` 项目 编号 ` match); `number` / `编号` / `单号` (as the list and its export head
it) name the record number, usable as the upsert key — unless a field of the module has that
title. A child table's columns are named `table.column` or by their own title and fill
one child row per sheet row (engine/imports/children.py gathers a record's rows).
A column of a computed field (a formula, a rollup) or of one only the workflow sets (a
read-only field: the issue date) is recognised and left out, as the columns of an export that
nobody types are (state, owner, the system's dates: no field has their titles); a column that
would fill a field the user may not write or see is refused, naming it. The
caller may override any of it with a plain `{"header": "field id"}` dict.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.abilities import Abilities
from engine.definitions.model import Field, Module
from engine.errors import Problem
from engine.imports.problems import RowProblem

NUMBER = "$number"
SHEET_MARK = "!"  # `Sheet!Header` in a mapping names a column of a child sheet
NUMBER_NAMES = ("number", "编号", "$number", "记录编号", "单号")
REFUSED_KINDS = ("file",)


@dataclass
class ColumnMap:
    """Header → target (`field`, `table.column` or `$number`), what was left, and why not."""

    columns: dict[str, str] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def normal(text: Any) -> str:
    """The text as headers are compared: NFKC-folded, without blanks, case-folded."""
    folded = unicodedata.normalize("NFKC", str(text or ""))
    return "".join(folded.split()).casefold()


def _titles(title: Any) -> list[str]:
    if isinstance(title, Mapping):
        return [str(v) for v in title.values() if v]
    return [str(title)] if title else []


def _names(module: Module) -> dict[str, str]:
    """Normalised name → target; a module's own fields win over the record number's names,
    and those over a child column's title."""
    found: dict[str, str] = {}
    for table in module.table_fields:
        for column in table.children:
            target = f"{table.name}.{column.name}"
            for name in (target, *_titles(column.title)):
                found.setdefault(normal(name), target)
    for name in NUMBER_NAMES:
        found[normal(name)] = NUMBER
    for f in module.fields:
        if f.kind_type.rows:
            continue
        for name in (f.name, *_titles(f.title)):
            found[normal(name)] = f.name
    found[normal(NUMBER)] = NUMBER
    return found


def target_field(module: Module, target: str) -> tuple[Field, Field | None] | None:
    """The field a target fills (and the child column, for `table.column`), or None."""
    head, _, rest = target.partition(".")
    parent = module.field(head)
    if parent is None:
        return None
    if not rest:
        return (parent, None) if not parent.kind_type.rows else None
    column = parent.child_map.get(rest)
    return (parent, column) if column is not None else None


def column_refusal(header: str, target: str, module: Module, may: Abilities) -> Problem | None:
    """Why the column may not fill its target, or None."""
    params = {"name": header, "field": target}
    found = target_field(module, target)
    if found is None:
        return Problem("", "import_unknown_field", params)
    parent, column = found
    mode = may.fields.get(parent.name, "hidden")
    if mode == "hidden":
        return Problem("", "import_column_hidden", params)
    leaf = column or parent
    if leaf.computed or mode == "computed":
        return Problem("", "import_column_computed", params)
    if mode == "read" or leaf.read_only:
        return Problem("", "import_column_read_only", params)
    if leaf.kind in REFUSED_KINDS:
        return Problem("", "import_column_kind", {**params, "kind": leaf.kind_text})
    return None


def map_columns(
    module: Module,
    headers: Iterable[str],
    may: Abilities,
    override: Mapping[str, str] | None = None,
) -> ColumnMap:
    """Each header's target: the caller's override, else the field it names, else none."""
    names = _names(module)
    chosen = {normal(k): v for k, v in (override or {}).items()}
    result = ColumnMap()
    for header in headers:
        if not header:
            continue
        target = chosen.get(normal(header), names.get(normal(header)))
        if not target:  # none found, or the caller's "" leaves the column out
            result.unmapped.append(header)
            continue
        if target == NUMBER:
            result.columns[header] = NUMBER
            continue
        if left_out(module, target, may):  # worked out by the engine or the workflow
            result.unmapped.append(header)
            continue
        if (problem := column_refusal(header, target, module, may)) is not None:
            result.problems.append(RowProblem(None, header, problem))
            continue
        result.columns[header] = target
    _twice(result)
    return result


def sheet_override(override: Mapping[str, str] | None, sheet: str) -> dict[str, str]:
    """The caller's mapping of a child sheet's columns: keys written `Sheet!Header` (a sheet's
    name cannot hold `!` in a workbook that Excel writes)."""
    prefix = f"{sheet}{SHEET_MARK}"
    return {k[len(prefix) :]: v for k, v in (override or {}).items() if k.startswith(prefix)}


def left_out(module: Module, target: str, may: Abilities) -> bool:
    """A computed field, or one only the workflow sets: nobody types it, so no column fills it."""
    found = target_field(module, target)
    if found is None:
        return False
    parent, column = found
    leaf = column or parent
    return leaf.computed or leaf.read_only or may.fields.get(parent.name) == "computed"


def _twice(result: ColumnMap) -> None:
    by_target: dict[str, list[str]] = {}
    for header, target in result.columns.items():
        by_target.setdefault(target, []).append(header)
    for target, headers in by_target.items():
        if len(headers) > 1:
            problem = Problem("", "import_field_twice", {"values": headers, "field": target})
            result.problems.append(RowProblem(None, headers[1], problem))
