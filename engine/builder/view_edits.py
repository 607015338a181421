"""The builder's list and views: which fields fit each place, and the edits that set them.

A module's `ui.list` (columns, sort, filters, search, totals) and `ui.views` (kanban,
calendar, Gantt) name fields. What a place takes is the pack checks' rule, read from their
tables (engine/definitions/check_ui.py: LIST_FITS, SYSTEM_PLACES, VIEW_FIELDS), and a field
whose value the database cannot compute (a formula over the clock, or through a link) is left
out of the places the database computes — found by asking the checks themselves about a probe of
the list. The edits write `ui.list` / `ui.views` as an imported pack carries them, refuse a
name that does not fit with coded problems, and then ask the pack checks about the result,
so what the builder saves is what the import accepts.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.builder.edits import Pack, module_index, module_of
from engine.definitions.check_ui import LIST_FITS, SYSTEM_PLACES, VIEW_FIELDS
from engine.definitions.checks import check_pack
from engine.definitions.loader import meta_validator, schema_problems
from engine.definitions.scope import SYSTEM_TYPES, ModuleInfo
from engine.errors import Problem, ValidationFailed

LIST_PLACES = tuple(LIST_FITS)  # columns, sort, filters, search, totals
VIEW_TYPES = tuple(VIEW_FIELDS)  # kanban, calendar, gantt
COMPUTED_IN_SQL = ("sort", "filters", "totals")
READ_TIME = frozenset({"read_time_in_database", "clock_in_database"})
Installed = Mapping[str, Mapping[str, Any]] | None


@dataclass(frozen=True)
class Choices:
    """The names each place of the module's list and views may take, in schema order."""

    places: Mapping[str, tuple[str, ...]]  # columns / sort / filters / search / totals
    views: Mapping[str, Mapping[str, tuple[str, ...]]]  # kanban → {"by": (...)}, ...
    required: Mapping[str, tuple[str, ...]]  # the keys a view of each type must have


def required_keys(view_type: str) -> tuple[str, ...]:
    """The keys a view must name, as the meta-schema requires them (`type` aside)."""
    schema: Mapping[str, Any] = meta_validator().schema  # type: ignore[assignment]  # jsonschema types it as a bool or mapping; ours is a mapping
    definition = schema["$defs"][f"{view_type}_view"]
    return tuple(k for k in definition.get("required", ()) if k != "type")


def _info(pack: Pack, module_id: str) -> ModuleInfo:
    return ModuleInfo.read(module_of(pack, module_id), module_index(pack, module_id))


def _system(info: ModuleInfo) -> list[str]:
    """The system values a place may name: `$state` only where records have states."""
    return [name for name in SYSTEM_TYPES if name != "$state" or info.states is not None]


def _fitting(info: ModuleInfo) -> tuple[dict[str, list[str]], dict[str, dict[str, list[str]]]]:
    """What the checks accept in each place, before asking where SQL can compute it."""
    system = _system(info)
    places = {
        place: [
            *(system if place in SYSTEM_PLACES else ()),
            *(n for n, f in info.fields.items() if fits(f)),
        ]
        for place, fits in LIST_FITS.items()
    }
    views: dict[str, dict[str, list[str]]] = {}
    for view, keys in VIEW_FIELDS.items():
        views[view] = {
            key: [n for n, f in info.fields.items() if fits is None or fits(f.kind_type)]
            for key, (fits, _wording) in keys.items()
        }
    if info.states is not None:
        views["kanban"]["by"].insert(0, "$state")
    return places, views


def _check(pack: Pack, module_id: str, installed: Installed, under: str) -> list[Problem]:
    """The pack checks' problems at the module's `ui/<under>` (none when the pack is too
    broken elsewhere to be checked: publishing reports that)."""
    prefix = f"/modules/{module_index(pack, module_id)}/ui/{under}"
    problems = schema_problems(pack)
    if not problems:
        problems = list(check_pack(pack, installed or {}))
    return [p for p in problems if p.path == prefix or p.path.startswith(prefix + "/")]


def _read_time(
    pack: Pack, module_id: str, offered: Mapping[str, list[str]], installed: Installed
) -> set[tuple[str, str]]:
    """(place, name) pairs the checks refuse because the value is computed when read."""
    probe = copy.deepcopy(dict(pack))
    listing = {p: offered[p] for p in COMPUTED_IN_SQL if offered[p]}
    if not listing:
        return set()
    module_of(probe, module_id).setdefault("ui", {})["list"] = listing
    late = set()
    for problem in _check(probe, module_id, installed, "list"):
        parts = problem.path.rsplit("/", 2)
        if problem.code in READ_TIME and len(parts) == 3 and parts[2].isdigit():
            place = parts[1]
            late.add((place, listing[place][int(parts[2])]))
    return late


def choices(pack: Mapping[str, Any], module_id: str, installed: Installed = None) -> Choices:
    """The fields (and system values) that fit each place of the module's list and views."""
    draft = copy.deepcopy(dict(pack))
    places, views = _fitting(_info(draft, module_id))
    late = _read_time(draft, module_id, places, installed)
    kept = {p: tuple(n for n in names if (p, n) not in late) for p, names in places.items()}
    return Choices(
        places=kept,
        views={v: {k: tuple(n) for k, n in keys.items()} for v, keys in views.items()},
        required={v: required_keys(v) for v in VIEW_FIELDS},
    )


def _unfit(
    info: ModuleInfo, path: str, name: str, offered: Iterable[str], slot: str
) -> Problem | None:
    if name in offered:
        return None
    if name in info.fields or name in SYSTEM_TYPES:
        return Problem(path, "builder_field_unfit", {"value": name, "key": slot})
    return Problem(path, "builder_unknown_field", {"value": name})


def _refuse_or_write(
    pack: Pack, module_id: str, key: str, value: Any, problems: list[Problem], installed: Installed
) -> Pack:
    if problems:
        raise ValidationFailed(problems)
    module = module_of(pack, module_id)
    ui = module.setdefault("ui", {})
    if value:
        ui[key] = value
    else:
        ui.pop(key, None)
    if not ui:
        module.pop("ui")
    checked = _check(pack, module_id, installed, key)
    if checked:
        raise ValidationFailed(checked)
    return pack


def set_list(
    pack: Mapping[str, Any],
    module_id: str,
    *,
    columns: Sequence[str] = (),
    sort: str = "",
    descending: bool = False,
    filters: Sequence[str] = (),
    search: Sequence[str] = (),
    totals: Sequence[str] = (),
    installed: Installed = None,
) -> Pack:
    """The pack with the module's list set: columns in this order, one sort key (`-date`
    when descending), the filters, searched fields and totals. Empty places are left out."""
    result = copy.deepcopy(dict(pack))
    info = _info(result, module_id)
    offered = choices(result, module_id, installed).places
    chosen = {
        "columns": list(dict.fromkeys(columns)),
        "sort": [sort] if sort else [],
        "filters": list(dict.fromkeys(filters)),
        "search": list(dict.fromkeys(search)),
        "totals": list(dict.fromkeys(totals)),
    }
    problems = []
    for place, names in chosen.items():
        for index, name in enumerate(names):
            path = f"/ui/list/{place}" + ("" if place == "sort" else f"/{index}")
            problem = _unfit(info, path, name, offered[place], place)
            if problem is not None:
                problems.append(problem)
    listing: dict[str, Any] = {place: names for place, names in chosen.items() if names}
    if sort:
        listing["sort"] = f"-{sort}" if descending else sort
    return _refuse_or_write(result, module_id, "list", listing, problems, installed)


def _view(
    info: ModuleInfo, offered: Choices, index: int, view: Mapping[str, str]
) -> tuple[dict[str, str], list[Problem]]:
    """One view as the pack writes it, and why it cannot be taken as it stands."""
    kind = str(view.get("type", ""))
    if kind not in VIEW_FIELDS:
        path = f"/ui/views/{index}/type"
        return {}, [Problem(path, "builder_unknown_view", {"value": kind})]
    entry, problems = {"type": kind}, []
    for key in VIEW_FIELDS[kind]:
        name = str(view.get(key) or "").strip()
        path = f"/ui/views/{index}/{key}"
        if name:
            fits = offered.views[kind][key]
            problem = _unfit(info, path, name, fits, f"{kind}.{key}")
            problems.extend([problem] if problem is not None else [])
            entry[key] = name
        elif key in offered.required[kind]:
            problems.append(Problem(path, "builder_view_needs", {"view": kind, "key": key}))
    return entry, problems


def set_views(
    pack: Mapping[str, Any],
    module_id: str,
    views: Sequence[Mapping[str, str]],
    installed: Installed = None,
) -> Pack:
    """The pack with the module's views replaced by `views` ({"type": "calendar", "date": F});
    an empty optional key is left out, a missing required one refused."""
    result = copy.deepcopy(dict(pack))
    info = _info(result, module_id)
    offered = choices(result, module_id, installed)
    written, problems = [], []
    for index, view in enumerate(views):
        entry, found = _view(info, offered, index, view)
        problems.extend(found)
        if entry:
            written.append(entry)
    kept = _kept_views(module_of(result, module_id).get("ui", {}).get("views", ()), written)
    return _refuse_or_write(result, module_id, "views", kept, problems, installed)


def _kept_views(before: Sequence[Any], written: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`written` (the first view of each type, as the form edits it) with what the form does
    not show kept as it was: the keys it has no control for (a Gantt's key, group, actual
    and baseline dates) and further views of a type that stays switched on."""
    first: dict[str, Mapping[str, Any]] = {}
    further: list[dict[str, Any]] = []
    for view in before:
        if isinstance(view, Mapping) and view.get("type") in VIEW_FIELDS:
            if view["type"] in first:
                further.append(dict(view))
            else:
                first[view["type"]] = view
    for entry in written:
        managed = VIEW_FIELDS[entry["type"]]
        old = first.get(entry["type"], {})
        entry.update({k: v for k, v in old.items() if k != "type" and k not in managed})
    switched_on = {entry["type"] for entry in written}
    return written + [view for view in further if view["type"] in switched_on]


def list_of(pack: Mapping[str, Any], module_id: str) -> dict[str, Any]:
    """The module's list as the builder's form shows it: sort split into key and direction."""
    module = module_of(copy.deepcopy(dict(pack)), module_id)
    raw = dict(module.get("ui", {}).get("list", {}))
    sort = raw.get("sort")
    first = sort if isinstance(sort, str) else (sort[0] if sort else "")
    return {
        **{place: list(raw.get(place, ())) for place in LIST_PLACES if place != "sort"},
        "sort": first.lstrip("-"),
        "descending": first.startswith("-"),
    }


def views_of(pack: Mapping[str, Any], module_id: str) -> dict[str, dict[str, str]]:
    """The module's views by type (the first of each type), as the builder's form shows them."""
    module = module_of(copy.deepcopy(dict(pack)), module_id)
    shown: dict[str, dict[str, str]] = {}
    for view in module.get("ui", {}).get("views", ()):
        if isinstance(view, Mapping) and view.get("type") in VIEW_FIELDS:
            shown.setdefault(str(view["type"]), {k: str(v) for k, v in view.items()})
    return shown
