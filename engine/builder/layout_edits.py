"""The builder's form layout edits: a module's `ui.layout` as sections of fields.

A section has a title (English and Chinese, either may be empty), a number of columns
(1 to 4, as pack.schema.json's `section` accepts) and the fields it shows, at least one:
the meta-schema refuses an empty section, so a section is added with its first field and a
section whose last field leaves is refused with the reason (remove the section instead).
Fields no section names follow in schema order, as PACK_FORMAT.md says; the builder shows
them as "not placed". Like engine/builder/edits.py, each edit copies the pack and returns
the copy, or raises ValidationFailed with coded problems (engine/codes_builder.py).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.builder.edits import TITLE_LIMIT, Pack, field_names, module_index, module_of, refuse
from engine.errors import Problem, ValidationFailed

MIN_COLUMNS, MAX_COLUMNS = 1, 4  # pack.schema.json $defs/section/columns


@dataclass(frozen=True)
class SectionDraft:
    """One section as the builder edits it; `title_en` / `title_zh` may be empty."""

    title_en: str = ""
    title_zh: str = ""
    columns: int = 1
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layout:
    """The sections of a module's form and the fields none of them names (schema order)."""

    sections: tuple[SectionDraft, ...] = ()
    unplaced: tuple[str, ...] = field(default_factory=tuple)


def _read_title(title: Any) -> tuple[str, str]:
    if isinstance(title, str):
        return title, ""
    if isinstance(title, Mapping):
        return str(title.get("en", "")), str(title.get("zh-CN", ""))
    return "", ""


def layout_of(pack: Mapping[str, Any], module_id: str) -> Layout:
    """The module's layout as sections, and the fields that follow them unplaced."""
    module = module_of(dict(pack), module_id)
    names = field_names(dict(pack), module_id)
    sections = []
    for raw in module.get("ui", {}).get("layout", ()) or ():
        en, zh = _read_title(raw.get("title"))
        columns = raw.get("columns", 1)
        fields = tuple(str(name) for name in raw.get("fields", ()) or ())
        sections.append(SectionDraft(en, zh, columns if isinstance(columns, int) else 1, fields))
    placed = {name for section in sections for name in section.fields}
    return Layout(tuple(sections), tuple(n for n in names if n not in placed))


def _title(section: SectionDraft, path: str) -> dict[str, str] | None:
    shown = {
        lang: value.strip()
        for lang, value in (("en", section.title_en), ("zh-CN", section.title_zh))
        if value.strip()
    }
    if any(len(value) > TITLE_LIMIT for value in shown.values()):
        raise refuse(path, "builder_text_too_long", limit=TITLE_LIMIT)
    return shown or None


def _problems(sections: Sequence[SectionDraft], names: Sequence[str], base: str) -> list[Problem]:
    """Every reason the sections cannot be the module's layout, each at its section."""
    problems: list[Problem] = []
    known = set(names)
    seen: dict[str, int] = {}
    for index, section in enumerate(sections):
        path = f"{base}/{index}"
        if not MIN_COLUMNS <= section.columns <= MAX_COLUMNS:
            bounds = {"value": section.columns, "low": MIN_COLUMNS, "high": MAX_COLUMNS}
            problems.append(Problem(f"{path}/columns", "builder_columns_range", bounds))
        if not section.fields:
            problems.append(Problem(f"{path}/fields", "builder_section_empty", {}))
        for name in section.fields:
            if name not in known:
                problems.append(Problem(f"{path}/fields", "builder_unknown_field", {"value": name}))
            elif name in seen:
                twice = {"value": name, "section": seen[name] + 1}
                problems.append(Problem(f"{path}/fields", "builder_field_placed_twice", twice))
            else:
                seen[name] = index
    return problems


def set_layout(pack: Mapping[str, Any], module_id: str, sections: Sequence[SectionDraft]) -> Pack:
    """The pack with `sections` as the module's layout (none: every field in schema order).

    Refused, with every reason at once, when a section names an unknown field, a field is
    in two places, the columns are outside 1 to 4, or a section is left without a field.
    """
    result = copy.deepcopy(dict(pack))
    module = module_of(result, module_id)
    base = f"/modules/{module_index(result, module_id)}/ui/layout"
    problems = _problems(sections, field_names(result, module_id), base)
    if problems:
        raise ValidationFailed(problems)
    layout = []
    for index, section in enumerate(sections):
        raw: dict[str, Any] = {}
        title = _title(section, f"{base}/{index}/title")
        if title is not None:
            raw["title"] = title
        if section.columns != 1:
            raw["columns"] = section.columns
        raw["fields"] = list(section.fields)
        layout.append(raw)
    ui = module.setdefault("ui", {})
    if layout:
        ui["layout"] = layout
    else:
        ui.pop("layout", None)
    if not ui:
        module.pop("ui")
    return result


def _section(layout: Layout, index: int) -> SectionDraft:
    if not 0 <= index < len(layout.sections):
        raise refuse("/ui/layout", "builder_unknown_section", value=index + 1)
    return layout.sections[index]


def add_section(
    pack: Mapping[str, Any], module_id: str, section: SectionDraft, position: int | None = None
) -> Pack:
    """The pack with a new section (at the end unless `position`); its fields leave the
    sections that held them, and a section left empty by that is refused."""
    layout = layout_of(pack, module_id)
    taken = set(section.fields)
    others = [
        SectionDraft(
            s.title_en, s.title_zh, s.columns, tuple(f for f in s.fields if f not in taken)
        )
        for s in layout.sections
    ]
    where = len(others) if position is None else max(0, min(position, len(others)))
    others.insert(where, section)
    return set_layout(pack, module_id, others)


def remove_section(pack: Mapping[str, Any], module_id: str, index: int) -> Pack:
    """The pack without the section at `index`; its fields become unplaced."""
    layout = layout_of(pack, module_id)
    _section(layout, index)
    kept = [s for i, s in enumerate(layout.sections) if i != index]
    return set_layout(pack, module_id, kept)


def rename_section(
    pack: Mapping[str, Any], module_id: str, index: int, title_en: str, title_zh: str, columns: int
) -> Pack:
    """The section's titles (either may be empty) and its number of columns."""
    layout = layout_of(pack, module_id)
    old = _section(layout, index)
    changed = SectionDraft(title_en, title_zh, columns, old.fields)
    sections = [changed if i == index else s for i, s in enumerate(layout.sections)]
    return set_layout(pack, module_id, sections)


def move_field(
    pack: Mapping[str, Any], module_id: str, name: str, to: int | None, position: int | None = None
) -> Pack:
    """The field moved into section `to` at `position` (the end when None), or out of every
    section when `to` is None (it then follows the sections, in schema order)."""
    layout = layout_of(pack, module_id)
    if name not in field_names(dict(pack), module_id):
        raise refuse("/ui/layout", "builder_unknown_field", value=name)
    if to is not None:
        _section(layout, to)
    sections = []
    for index, section in enumerate(layout.sections):
        fields = [f for f in section.fields if f != name]
        if index == to:
            where = len(fields) if position is None else max(0, min(position, len(fields)))
            fields.insert(where, name)
        sections.append(
            SectionDraft(section.title_en, section.title_zh, section.columns, tuple(fields))
        )
    return set_layout(pack, module_id, sections)
