"""The names a rollup's `where` may use: the summed record's, and `parent.<field>`.

`parent.week_start` is a field of the record that holds the rollup (`date >=
parent.week_start`); the stored rollup is recomputed when that field changes
(engine/records/rollups.py). `parent.` always means that record, also when the summed
module has a field of its own called `parent`.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.definitions.scope import Catalogue, ModuleInfo, RecordScope, Resolution, resolve_field


@dataclass(frozen=True)
class RollupScope:
    """Names of a rollup's `where`: the summed module's, and the parent's as `parent.x`."""

    catalogue: Catalogue
    source: ModuleInfo
    parent: ModuleInfo

    def resolve(self, path: tuple[str, ...]) -> Resolution:
        if path[0] != "parent" or len(path) == 1:
            return RecordScope(self.catalogue, self.source).resolve(path)
        if len(path) > 2:
            return Resolution(
                error=f"{'.'.join(path)!r} goes too deep: a rollup's condition reads the "
                "parent's own fields only (parent.field)"
            )
        return resolve_field(self.catalogue, self.parent, path[1:])
