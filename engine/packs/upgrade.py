"""Upgrade safety: what existing records would suffer from a new pack version, and the fixes.

Before any table is altered, every module of the installed version is held against the new
one: a removed module or field that still holds values, a retyped column with values, a
removed choice value in use, a new required field without a default, a removed state with
records in it. Each is a Problem naming the place and how many records; what the pack's
`migrate` section asks for instead becomes a data fix, applied after the tables change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from engine.definitions.model import Field, Module, Pack
from engine.errors import Problem
from engine.packs.uniqueness import unique_refusals
from engine.storage import DdlStep, ModuleTables


@dataclass(frozen=True)
class StateFix:
    """Records of a removed state moved to the state `migrate.states` maps it to."""

    module: Module
    old: str
    new: str
    count: int
    sample: str

    def planned(self) -> str:
        return f"{self.module.id}: {self.count} records would move from state {self.old} to {self.new}: {self.sample}"

    def apply(self, session: Session, tables: Mapping[str, ModuleTables]) -> str:
        table = tables[self.module.id].main
        session.execute(update(table).where(table.c.state == self.old).values(state=self.new))
        return f"{self.module.id}: {self.count} records moved from state {self.old} to {self.new}"


@dataclass(frozen=True)
class DefaultFix:
    """Records without a value for a newly required field filled with its default."""

    module: Module
    field: Field
    value: Any

    def planned(self) -> str:
        return f"{self.module.id}: fill {self.field.name} = {self.value!r}"

    def apply(self, session: Session, tables: Mapping[str, ModuleTables]) -> str:
        from engine.records.coercion import coerce_input  # records build on packs, not back

        name, table = self.field.name, tables[self.module.id].main
        value = self.value
        if not self.field.computed:
            value = coerce_input(self.module, {name: self.value})[name]
        statement = update(table).where(table.c[name].is_(None)).values({name: value})
        result = cast("CursorResult[Any]", session.execute(statement))  # a DML result
        return f"{self.module.id}: {result.rowcount} records get {name} = {self.value!r}"


Fix = StateFix | DefaultFix


def _count(session: Session, table: Any, *conditions: Any) -> int:
    return session.execute(select(func.count()).select_from(table).where(*conditions)).scalar_one()


def _sample(session: Session, table: Any, condition: Any, limit: int = 10) -> str:
    """Numbers (or ids) of the first records matching, to name them in a refusal or dry run."""
    rows = (
        session.execute(
            select(func.coalesce(table.c.number, table.c.id))
            .where(condition)
            .order_by(table.c.created_at)
            .limit(limit + 1)
        )
        .scalars()
        .all()
    )
    shown = ", ".join(rows[:limit])
    return f"{shown}, …" if len(rows) > limit else shown


@dataclass
class _Check:
    """One module's comparison: where it is, its old table, and what was found so far."""

    session: Session
    old: Module
    new: Module
    table: Any
    base: str
    steps: list[DdlStep]
    problems: list[Problem]
    fixes: list[Fix]


def _field_refusals(check: _Check, old_field: Field) -> None:
    session, table, base = check.session, check.table, check.base
    new_field = check.new.field(old_field.name)
    column = table.c[old_field.name]
    if new_field is None or not new_field.stored:
        count = _count(session, table, column.is_not(None))
        if count and old_field.name not in check.new.migrate.drop:
            check.problems.append(
                Problem(
                    f"{base}/schema/properties",
                    "field_removed_with_values",
                    {"field": old_field.name, "count": count},
                )
            )
        return
    retyped = any(
        s.action == "alter_column" and s.table == table.name and s.column == old_field.name
        for s in check.steps
    )
    if retyped:
        count = _count(session, table, column.is_not(None))
        if count:
            check.problems.append(
                Problem(
                    f"{base}/schema/properties/{old_field.name}",
                    "field_change_with_values",
                    {
                        "field": old_field.name,
                        "old": old_field.kind,
                        "new": new_field.kind,
                        "old_scale": old_field.scale,
                        "new_scale": new_field.scale,
                        "count": count,
                    },
                )
            )
    elif new_field.kind_type.one_of and new_field.enum is not None and old_field.enum is not None:
        gone = [v for v in old_field.enum if v not in new_field.enum]
        count = _count(session, table, column.in_(gone)) if gone else 0
        if count:
            check.problems.append(
                Problem(
                    f"{base}/schema/properties/{old_field.name}/enum",
                    "choices_removed_in_use",
                    {"values": gone, "count": count},
                )
            )


def _required_refusals(check: _Check, new_field: Field, records: int) -> None:
    if not new_field.required or new_field.computed or new_field.kind_type.rows:
        return
    old_field = check.old.field(new_field.name)
    if old_field is not None and old_field.required:
        return
    default = check.new.migrate.defaults.get(new_field.name, new_field.default)
    count = 0
    if new_field.stored:
        count = records
        if old_field is not None and old_field.stored:
            count = _count(check.session, check.table, check.table.c[new_field.name].is_(None))
    if count and default is None:
        check.problems.append(
            Problem(
                f"{check.base}/schema/required",
                "required_without_default",
                {"field": new_field.name, "count": count},
            )
        )
    elif count:
        check.fixes.append(DefaultFix(check.new, new_field, default))


def _state_refusals(check: _Check) -> None:
    if check.old.workflow is None:
        return
    session, table = check.session, check.table
    new_states = set(check.new.workflow.states) if check.new.workflow else set()
    for state in check.old.workflow.states:
        if state in new_states:
            continue
        count = _count(session, table, table.c.state == state)
        if not count:
            continue
        target = check.new.migrate.states.get(state)
        which = _sample(session, table, table.c.state == state)
        if target is None:
            check.problems.append(
                Problem(
                    f"{check.base}/workflow/states",
                    "state_removed_in_use",
                    {"state": state, "count": count, "records": which},
                )
            )
        else:
            check.fixes.append(StateFix(check.new, state, target, count, which))


def upgrade_refusals(
    session: Session,
    old: Pack,
    new: Pack,
    old_tables: Mapping[str, ModuleTables],
    steps: list[DdlStep],
) -> tuple[list[Problem], list[Fix]]:
    """Problems existing records would have with `new`, and the data fixes `migrate` asks for."""
    problems: list[Problem] = []
    fixes: list[Fix] = []
    new_index = {m.id: i for i, m in enumerate(new.modules)}
    for old_module in old.modules:
        table = old_tables[old_module.id].main
        module = new.module_map.get(old_module.id)
        if module is None:
            count = _count(session, table)
            if count:
                problems.append(
                    Problem(
                        "/modules",
                        "module_removed_with_records",
                        {"module": old_module.id, "count": count},
                    )
                )
            continue
        base = f"/modules/{new_index[module.id]}"
        check = _Check(session, old_module, module, table, base, steps, problems, fixes)
        records = _count(session, table)
        for old_field in old_module.stored_fields:
            _field_refusals(check, old_field)
        for new_field in module.fields:
            _required_refusals(check, new_field, records)
        _state_refusals(check)
        problems += unique_refusals(session, old_module, module, table, base)
    return problems, fixes
