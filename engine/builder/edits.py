"""The builder's edits: pure functions from a pack definition (a dict) to the next one.

The builder edits the very structure `import_pack` takes, so what it makes can be exported,
read as JSON and imported elsewhere. Each edit copies the pack, changes one thing and
returns the copy, or raises ValidationFailed with coded problems (engine/codes_builder.py)
when the admin's input cannot be taken as it stands; whether the whole pack is valid is
the pack checks' question (engine/definitions), asked by the preview and at publishing.
A field lives in a module's schema, or in a child table's row schema when `table` is given.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import Any

from engine.builder.palette import PALETTE
from engine.definitions.model import RESERVED_CHILD_COLUMNS, RESERVED_COLUMNS
from engine.errors import Problem, ValidationFailed

Pack = dict[str, Any]
FORMAT = "formwork.pack/1"
FIRST_VERSION = "1.0.0"
ID_LIMIT = 40  # characters of a derived field id (database names stop at 63 with prefixes)
FIELD_ID = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
MODULE_ID = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
PACK_ID = re.compile(r"^[a-z][a-z0-9_-]{1,62}$")
TITLE_LIMIT = 200


def refuse(path: str, code: str, **params: Any) -> ValidationFailed:
    return ValidationFailed([Problem(path, code, params)])


def titles(en: str, zh: str, path: str = "/title") -> dict[str, str]:
    """A localized text from the two inputs; at least one is needed. Markup stays text."""
    shown = {lang: value.strip() for lang, value in (("en", en), ("zh-CN", zh)) if value.strip()}
    if not shown:
        raise refuse(path, "builder_title_missing")
    for value in shown.values():
        if len(value) > TITLE_LIMIT:
            raise refuse(path, "builder_text_too_long", limit=TITLE_LIMIT)
    return shown


# -- where things are ---------------------------------------------------------------------


def module_index(pack: Mapping[str, Any], module_id: str) -> int:
    for index, module in enumerate(pack.get("modules", ())):
        if module.get("id") == module_id:
            return index
    raise refuse("/modules", "builder_unknown_module", value=module_id)


def module_of(pack: Pack, module_id: str) -> dict[str, Any]:
    module: dict[str, Any] = pack["modules"][module_index(pack, module_id)]
    return module


def holder(module: dict[str, Any], table: str | None = None) -> dict[str, Any]:
    """The object schema holding the fields: the module's, or a child table's row."""
    schema: dict[str, Any] = module.setdefault("schema", {"type": "object"})
    schema.setdefault("properties", {})
    if table is None:
        return schema
    field = schema["properties"].get(table)
    items = field.get("items") if isinstance(field, Mapping) else None
    if not isinstance(items, dict) or "properties" not in items:
        raise refuse("", "builder_not_a_table", value=table)
    return items


def field_pointer(pack: Mapping[str, Any], module_id: str, name: str, table: str | None) -> str:
    """The JSON Pointer of a field, as the pack checks name its place."""
    base = f"/modules/{module_index(pack, module_id)}/schema/properties"
    return f"{base}/{table}/items/properties/{name}" if table else f"{base}/{name}"


def field_names(pack: Pack, module_id: str, table: str | None = None) -> list[str]:
    return list(holder(module_of(pack, module_id), table)["properties"])


# -- ids ----------------------------------------------------------------------------------


def taken_names(table: str | None) -> frozenset[str]:
    """Names a field may not have besides its neighbours': the system columns."""
    return frozenset(RESERVED_CHILD_COLUMNS | {"id"}) if table else RESERVED_COLUMNS


def suggest_id(label: str, taken: Iterable[str], fallback: str = "field") -> str:
    """An id from an English label (`Unit price` → `unit_price`), else `field_N`; a free one.

    There is no pinyin here, so a label without Latin letters gets the numbered fallback.
    """
    used = set(taken)
    base = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:ID_LIMIT].strip("_")
    if base and not base[0].isalpha():
        base = f"{fallback}_{base}"[:ID_LIMIT]
    if not base:
        number = 1
        while f"{fallback}_{number}" in used:
            number += 1
        return f"{fallback}_{number}"
    candidate, number = base, 2
    while candidate in used:
        candidate = f"{base}_{number}"
        number += 1
    return candidate


def id_problem(value: str, taken: Iterable[str], path: str = "") -> Problem | None:
    """Why `value` cannot be a new field's id (invalid or taken), or None."""
    if not FIELD_ID.match(value):
        return Problem(path, "builder_id_invalid", {"value": value, "limit": 63})
    if value in set(taken):
        system = value in RESERVED_COLUMNS | RESERVED_CHILD_COLUMNS  # taken by the system
        return Problem(path, "builder_field_reserved" if system else "builder_field_taken",
                       {"value": value})  # fmt: skip
    return None


# -- packs and modules --------------------------------------------------------------------


def new_pack(pack_id: str, title_en: str, title_zh: str) -> Pack:
    """An empty pack of its own, at the first version."""
    if not PACK_ID.match(pack_id):
        raise refuse("/id", "builder_pack_id_invalid", value=pack_id)
    return {
        "format": FORMAT,
        "id": pack_id,
        "version": FIRST_VERSION,
        "title": titles(title_en, title_zh),
        "roles": [],
        "modules": [],
    }


def start_module(
    pack: Mapping[str, Any],
    module_id: str,
    title: Mapping[str, str],
    *,
    numbering: str = "",
    title_field: str = "",
    template: Mapping[str, Any] | None = None,
    taken_modules: Iterable[str] = (),
) -> Pack:
    """The pack with a new module: blank, or a copy of `template` (an installed module's
    definition) under the new id and titles. `taken_modules` are ids other packs own."""
    if not MODULE_ID.match(module_id):
        raise refuse("/modules", "builder_id_invalid", value=module_id, limit=63)
    ours = {m.get("id") for m in pack.get("modules", ())}
    if module_id in ours or module_id in set(taken_modules):
        raise refuse("/modules", "builder_module_taken", value=module_id)
    module: dict[str, Any]
    if template is not None:
        module = copy.deepcopy(dict(template))
        module.pop("migrate", None)  # the template's upgrade history is not the copy's
    else:
        module = {"schema": {"type": "object", "properties": {}}}
    module = {
        "id": module_id,
        "title": dict(title),
        **{k: v for k, v in module.items() if k not in ("id", "title")},
    }
    if numbering:
        module["numbering"] = numbering
    if title_field:
        module["title_field"] = title_field
    result = copy.deepcopy(dict(pack))
    result.setdefault("modules", []).append(module)
    return result


def set_module(
    pack: Mapping[str, Any],
    module_id: str,
    title: Mapping[str, str],
    numbering: str,
    title_field: str,
) -> Pack:
    """The module's titles, numbering pattern and title field (empty: none)."""
    result = copy.deepcopy(dict(pack))
    module = module_of(result, module_id)
    module["title"] = dict(title)
    for key, value in (("numbering", numbering.strip()), ("title_field", title_field.strip())):
        if value:
            module[key] = value
        else:
            module.pop(key, None)
    return result


# -- fields -------------------------------------------------------------------------------


def add_field(
    pack: Mapping[str, Any],
    module_id: str,
    kind: str,
    title: Mapping[str, str],
    field_id: str = "",
    table: str | None = None,
) -> tuple[Pack, str]:
    """The pack with a new field of palette entry `kind`, and the field's id.

    The id is the one given, or one derived from the English title; a given id that is
    invalid or taken is refused (the builder checks it as it is typed).
    """
    entry = PALETTE.get(kind)
    if entry is None:
        raise refuse("", "builder_unknown_kind", value=kind)
    if table is not None and not entry.in_child_table:
        raise refuse("", "builder_nested_table")
    result = copy.deepcopy(dict(pack))
    schema = holder(module_of(result, module_id), table)
    taken = set(schema["properties"]) | taken_names(table)
    name = field_id.strip() or suggest_id(title.get("en", ""), taken)
    problem = id_problem(name, taken, field_pointer(result, module_id, name, table))
    if problem is not None:
        raise ValidationFailed([problem])
    schema["properties"][name] = {"title": dict(title), **entry.starting_schema()}
    return result, name


def reorder_fields(
    pack: Mapping[str, Any], module_id: str, order: list[str], table: str | None = None
) -> Pack:
    """The fields in `order` (every field once); the layout's sections follow that order."""
    result = copy.deepcopy(dict(pack))
    module = module_of(result, module_id)
    schema = holder(module, table)
    if sorted(order) != sorted(schema["properties"]) or len(set(order)) != len(order):
        raise refuse("", "builder_order_mismatch")
    schema["properties"] = {name: schema["properties"][name] for name in order}
    rank = {name: index for index, name in enumerate(order)}
    for section in module.get("ui", {}).get("layout", ()) if table is None else ():
        section["fields"] = sorted(section.get("fields", []), key=lambda n: rank.get(n, len(rank)))
    return result


def _forget(module: dict[str, Any], name: str) -> None:
    """Remove the places of a module's ui that name a removed field."""
    if module.get("title_field") == name:
        module.pop("title_field")
    ui = module.get("ui", {})
    for key in ("widgets", "show_if", "required_if"):
        ui.get(key, {}).pop(name, None)
    layout = [
        {**s, "fields": [f for f in s.get("fields", []) if f != name]} for s in ui.get("layout", [])
    ]
    if "layout" in ui:
        ui["layout"] = [s for s in layout if s["fields"]]
    listing = ui.get("list", {})
    for key in ("columns", "search", "filters", "totals", "sort"):
        value = listing.get(key)
        kept = [c for c in value if c.lstrip("-") != name] if isinstance(value, list) else value
        if key == "sort" and isinstance(value, str) and value.lstrip("-") == name:
            kept = None
        if kept:
            listing[key] = kept
        else:
            listing.pop(key, None)


def remove_field(
    pack: Mapping[str, Any],
    module_id: str,
    name: str,
    table: str | None = None,
    *,
    declare_drop: bool = False,
) -> Pack:
    """The pack without the field and the places that name it. `declare_drop` lists it in
    the module's `migrate.drop`, which lets publishing drop the values records hold."""
    result = copy.deepcopy(dict(pack))
    module = module_of(result, module_id)
    schema = holder(module, table)
    if name not in schema["properties"]:
        raise refuse("", "builder_unknown_field", value=name)
    del schema["properties"][name]
    if name in schema.get("required", []):
        schema["required"] = [r for r in schema["required"] if r != name]
    if table is None:
        _forget(module, name)
        if declare_drop:
            drop = module.setdefault("migrate", {}).setdefault("drop", [])
            if name not in drop:
                drop.append(name)
    return result
