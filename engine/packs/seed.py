"""A pack's demo records: created on its first install, linked by `$seed` keys or `$match`.

`{"$seed": key}` names a record seeded earlier by the same pack. `{"$match": {field:
value}}` names the one record of the linked module whose fields hold those values — how a
pack's demo reaches a record of a pack it requires (the construction pack's demo project),
whose ids are not known when the pack is written. Every seed record goes through the same
validation as a form (docs/pack-extensions.md, "Demo records").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from engine.actor import SYSTEM
from engine.catalog import Catalog, load_catalog
from engine.definitions import Pack
from engine.definitions.model import Field, Module
from engine.errors import BatchFailed, DefinitionError, Problem, ValidationFailed

SEED_KEY = "$seed"
MATCH_KEY = "$match"


def seed_pack(session: Session, pack: Pack) -> int:
    """Create the pack's demo records in the order written; the number created."""
    from engine.records.service import create_records, get_record
    from engine.workflow.tasks import enter_state

    catalog = load_catalog(session)  # with the pack just installed
    links = SeedLinks(session, catalog)
    count = 0
    for module_id, records in pack.seed.items():
        module = catalog.module(module_id)  # the pack's own, or one it extends
        for index, record in enumerate(records):
            place = f"/seed/{module_id}/{index}"
            if MATCH_KEY in record:  # fills the fields the pack adds to existing records
                links.fill(module, record, place)
                continue
            data = {k: v for k, v in record.items() if k not in ("$key", "$state")}
            data = links.resolve_record(module, data, place)
            try:
                (created,) = create_records(
                    session, module_id, [data], SYSTEM, states=[record.get("$state")]
                )
            except BatchFailed as exc:
                raise DefinitionError(
                    [Problem(f"{place}{p.path}", p.code, p.params) for _, p in exc.items]
                ) from None
            if record.get("$state"):  # waiting records open the same inbox items as a transition
                placed = get_record(session, module_id, created, SYSTEM)
                enter_state(session, catalog, module, placed, placed.updated_at)
            if "$key" in record:
                links.keys[record["$key"]] = created
            count += 1
    return count


class SeedLinks:
    """Turns the link values of seed records into record ids."""

    def __init__(self, session: Session, catalog: Catalog) -> None:
        self.session = session
        self.catalog = catalog
        self.keys: dict[str, str] = {}

    def resolve_record(self, module: Module, data: Mapping[str, Any], place: str) -> dict[str, Any]:
        fields = module.field_map
        return {
            name: self._resolve(fields[name], value, f"{place}/{name}") if name in fields else value
            for name, value in data.items()
        }

    def _resolve(self, field: Field, value: Any, place: str) -> Any:
        if field.children and isinstance(value, list):
            columns = field.child_map
            return [
                {
                    name: self._resolve(columns[name], cell, f"{place}/{index}/{name}")
                    if name in columns
                    else cell
                    for name, cell in row.items()
                }
                if isinstance(row, Mapping)
                else row
                for index, row in enumerate(value)
            ]
        if field.ref and isinstance(value, Mapping):
            if set(value) == {SEED_KEY}:
                return self._by_key(value[SEED_KEY], place)
            if set(value) == {MATCH_KEY}:
                return self._by_match(field.ref, value[MATCH_KEY], place)
        return value

    def fill(self, module: Module, record: Mapping[str, Any], place: str) -> None:
        """Write the given fields into every record of `module` matching `$match`.

        Demo data only, like `$state`: the values are checked at import (fields the pack adds,
        valid values) and written in one UPDATE, whatever the records' states; the rollups
        reading them follow through their triggers.
        """
        from engine.records.coercion import coerce_input

        data = {k: v for k, v in record.items() if k != MATCH_KEY}
        try:
            values = coerce_input(module, self.resolve_record(module, data, place))
        except ValidationFailed as exc:
            raise DefinitionError(
                [Problem(f"{place}{p.path}", p.code, p.params) for p in exc.problems]
            ) from None
        table = self.catalog.tables_of(module.id).main
        match = record[MATCH_KEY]
        condition = and_(*(table.c[name] == value for name, value in match.items()))
        ids = self.session.scalars(select(table.c.id).where(condition)).all()
        if not ids:
            params = {"module": module.id, "match": dict(match)}
            raise DefinitionError([Problem(f"{place}/{MATCH_KEY}", "seed_match_none", params)])
        changes = {table.c[name]: value for name, value in values.items()}
        changes[table.c.version] = table.c.version + 1
        self.session.execute(update(table).where(table.c.id.in_(ids)).values(changes))

    def _by_key(self, key: str, place: str) -> str:
        if key not in self.keys:
            raise DefinitionError([Problem(place, "seed_key_undefined", {"key": key})])
        return self.keys[key]

    def _by_match(self, module_id: str, match: Mapping[str, Any], place: str) -> str:
        table = self.catalog.tables_of(module_id).main
        condition = and_(*(table.c[name] == value for name, value in match.items()))
        ids = self.session.scalars(select(table.c.id).where(condition).limit(2)).all()
        if len(ids) != 1:
            code = "seed_match_none" if not ids else "seed_match_many"
            params = {"module": module_id, "match": dict(match)}
            raise DefinitionError([Problem(f"{place}/{MATCH_KEY}", code, params)])
        return str(ids[0])
