"""A module's input coercion compiled once into plain functions: the bulk path's shortcut.

`coerce_input` (engine/records/coercion.py) loads every record through the module's
marshmallow schema, which costs most of a bulk load in per-value machinery. This module
builds, once per compiled module (that is per version) and set of writable fields, a plan
made from the very field objects of that schema (`plain_converter`, engine/kinds/inputs.py):
the fields in declared order, each with its converter, child tables with their columns.

The plan settles a record only when it is certainly clean: a mapping whose every key is a
writable field (every row's key a column that is not computed) and whose every value its
converter takes. It then gives the same values, in the same order, as the schema. Anything
else — an unknown, computed, read-only or withheld key, a value that may be refused, an odd
type — answers None, and the record is coerced the general way, which names every problem.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields

from engine.definitions.model import Module
from engine.kinds.inputs import Convert, NotPlain, plain_converter


@dataclass(frozen=True)
class PlainInput:
    """The writable fields of one module in declared order, each with its converter."""

    converters: tuple[tuple[str, Convert], ...]

    def coerce(self, data: Any) -> dict[str, Any] | None:
        """The typed values of `data`, or None when the general path must decide."""
        if type(data) is not dict:
            return None
        values: dict[str, Any] = {}
        found = 0
        try:
            for name, convert in self.converters:
                if name in data:
                    found += 1
                    values[name] = convert(data[name])
        except NotPlain:
            return None
        return values if found == len(data) else None


def _rows(columns: tuple[tuple[str, Convert], ...]) -> Convert:
    """A child table's converter: a list of row objects, each coerced column by column."""
    row_plan = PlainInput(columns)

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is str and value == "":
            return []
        if type(value) is not list:
            raise NotPlain
        rows = []
        for row in value:
            typed = row_plan.coerce(row)
            if typed is None:
                raise NotPlain
            rows.append(typed)
        return rows

    return convert


def _converters(schema: Schema, names: Set[str] | None) -> tuple[tuple[str, Convert], ...]:
    """Converters of `schema`'s fields (those in `names` when given), in declared order."""
    found = []
    for name, field in schema.load_fields.items():
        if names is not None and name not in names:
            continue
        inner = field.inner if isinstance(field, fields.List) else None
        if isinstance(inner, fields.Nested) and isinstance(inner.schema, Schema):
            hooks = field.validators or inner.validators or field.pre_load or field.post_load
            if hooks or not field.allow_none:
                continue  # never met: leave such a field to the general path
            found.append((name, _rows(_converters(inner.schema, None))))
        else:
            found.append((name, plain_converter(field)))
    return tuple(found)


def plain_input(module: Module, schema: Schema, writable: Set[str] | None) -> PlainInput:
    """The plan of `module` for a writer of `writable` fields (None: every field).

    `schema` is the module's input schema; its fields that are computed or read-only are not
    in the plan, so a key naming one sends the record to the general path, which refuses it.
    Built once per module and set of writable fields by the caller's cache.
    """
    allowed = {
        f.name
        for f in module.fields
        if not f.computed and not f.read_only and (writable is None or f.name in writable)
    }
    return PlainInput(_converters(schema, allowed))
