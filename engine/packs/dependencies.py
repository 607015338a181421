"""Packs that need other packs: `requires` checked both ways, and what an import touches.

A pack's `requires` names the packs it needs and which of their versions (a PEP 440
specifier, read by `packaging`). Importing it checks that each is installed at a fitting
version; importing (or restoring) a pack that others require checks that the new version
still fits them and keeps every module they extend. Because an extension changes another
pack's modules, an import is planned over a `Landscape`: every installed definition before
and after, extensions merged, and the packs whose modules change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from engine.definitions import Pack, load_pack
from engine.definitions.extensions import (
    extenders,
    extension_problems,
    extensions_of,
    located_in_extension,
    merge_extensions,
    module_owners,
)
from engine.errors import DefinitionError, Problem


@dataclass(frozen=True)
class Installed:
    """What the dependency checks need of an installed pack."""

    version: str
    definition: Mapping[str, Any]


def _fits(version: str, specifier: str) -> bool | None:
    """Whether `version` meets `specifier`; None when the specifier cannot be read."""
    try:
        return Version(version) in SpecifierSet(specifier)
    except (InvalidSpecifier, InvalidVersion):
        return None


def requires_problems(raw: Mapping[str, Any], others: Mapping[str, Installed]) -> list[Problem]:
    """The packs `raw` requires that are missing, too old or named by an unreadable range."""
    problems: list[Problem] = []
    for pack_id, specifier in (raw.get("requires") or {}).items():
        path = f"/requires/{pack_id}"
        params = {"pack": pack_id, "requires": specifier}
        installed = others.get(pack_id)
        fits = _fits(installed.version if installed else "0", specifier)
        if fits is None:
            problems.append(Problem(path, "requires_invalid", params))
        elif installed is None:
            problems.append(Problem(path, "requires_missing", params))
        elif not fits:
            params["installed"] = installed.version
            problems.append(Problem(path, "requires_version", params))
    return problems


def dependant_problems(
    raw: Mapping[str, Any], others: Mapping[str, Installed], current: Installed | None
) -> list[Problem]:
    """Installed packs that the new version of `raw`'s pack would leave without what they need."""
    pack_id, version = raw.get("id"), str(raw.get("version", ""))
    own = {m.get("id"): i for i, m in enumerate(raw.get("modules") or ())}
    owned = set(own) | set(module_owners({"": current.definition}) if current else ())
    problems: list[Problem] = []
    for other_id in sorted(others):
        other = others[other_id].definition
        specifier = (other.get("requires") or {}).get(pack_id)
        if specifier is not None and _fits(version, specifier) is False:
            params = {"pack": other_id, "requires": specifier, "version": version}
            problems.append(Problem("/version", "required_by", params))
        for module_id, extension in extensions_of(other).items():
            if specifier is None or module_id not in owned:
                continue
            if module_id not in own:
                params = {"module": module_id, "pack": other_id}
                problems.append(Problem("/modules", "extended_module_removed", params))
                continue
            fields = raw["modules"][own[module_id]].get("schema", {}).get("properties", {})
            base = f"/modules/{own[module_id]}/schema/properties"
            for name in extension.get("fields") or {}:
                if name in fields:
                    params = {"field": name, "module": module_id, "pack": other_id}
                    problems.append(Problem(f"{base}/{name}", "field_taken_by_extension", params))
    return problems


@dataclass(frozen=True)
class Landscape:
    """Every installed definition before and after one import, extensions merged."""

    pack_id: str
    old: dict[str, dict[str, Any]]
    new: dict[str, dict[str, Any]]

    @property
    def changed(self) -> list[str]:
        """The packs whose compiled modules the import changes: itself and extended owners."""
        touched = [p for p in self.new if p != self.pack_id and self.old.get(p) != self.new[p]]
        return [self.pack_id, *sorted(touched)]


def landscape(raw: Mapping[str, Any], installed: Mapping[str, Installed]) -> Landscape:
    pack_id = str(raw.get("id"))
    before = {pid: p.definition for pid, p in installed.items()}
    after = {**{pid: d for pid, d in before.items() if pid != pack_id}, pack_id: raw}
    return Landscape(pack_id, merge_extensions(before), merge_extensions(after))


def check_dependencies(raw: Mapping[str, Any], installed: Mapping[str, Installed]) -> None:
    """Raise DefinitionError for a missing or unfit dependency, a bad extension, or a
    dependant the new version would break (the owner's own checks included)."""
    pack_id = raw.get("id")
    others = {pid: p for pid, p in installed.items() if pid != pack_id}
    merged_others = merge_extensions({pid: p.definition for pid, p in others.items()})
    current = installed.get(str(pack_id))
    problems = requires_problems(raw, others) + dependant_problems(raw, others, current)
    if not problems:  # an extension of a pack that is missing is only noise beside that
        problems = extension_problems(str(pack_id), raw, merged_others)
    if problems:
        raise DefinitionError(problems)
    world = landscape(raw, installed)
    for owner in world.changed[1:]:
        problems += _owner_problems(world, owner, raw)
    if str(pack_id) in extenders(world.new):  # an owner's new version, with its extensions
        problems += _owner_problems(world, str(pack_id), raw)
    if problems:
        raise DefinitionError(problems)


def _owner_problems(world: Landscape, owner: str, raw: Mapping[str, Any]) -> list[Problem]:
    """The owner's own checks over its modules with the new extensions, at the extension."""
    definition = world.new[owner]
    rest = {
        m["id"]: m for pid, d in world.new.items() if pid != owner for m in d.get("modules") or ()
    }
    try:
        load_pack(definition, installed_modules=rest)
    except DefinitionError as exc:
        index = {m["id"]: i for i, m in enumerate(definition["modules"])}
        owners = module_owners(world.new)
        moved: list[Problem] = []
        for problem in exc.problems:
            for module_id, extension in extensions_of(raw).items():
                if owners.get(module_id) != owner:
                    continue
                merged = definition["modules"][index[module_id]]
                found = located_in_extension(
                    problem, index[module_id], module_id, extension, merged
                )
                if found is not None:
                    moved.append(found)
                    break
            else:
                moved.append(problem)
        return moved
    return []


def at_extensions(problems: list[Problem], owner: Pack) -> list[Problem]:
    """An owner's upgrade refusals, caused by an extension's change, at that extension."""
    moved = []
    for problem in problems:
        found = None
        for index, module in enumerate(owner.modules):
            found = located_in_extension(problem, index, module.id, {})
            if found is not None:
                break
        moved.append(found or problem)
    return moved
