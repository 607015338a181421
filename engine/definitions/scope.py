"""What a module's settings and expressions can name, and the type each name has.

A pack is checked before it is compiled, so the checks cannot ask the compiled module. This
file gives them a light view of the raw modules instead: the fields as the compiled model's
`Field` (one model of a field; the kind detected by the registry the compiler uses,
engine/kinds) with their expressions not yet parsed, the columns of child tables and the
states. A `RecordScope` resolves what a record-level
expression may name (fields, `link.field`, `table.column`, `$state`, `user.id`); a `RowScope`
what a formula inside a child-table row may name (that row's columns).
"""

from __future__ import annotations

import difflib
import keyword
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from engine.definitions.model import Field
from engine.definitions.row_links import RowLink, row_link
from engine.kinds import detect
from engine.kinds.standard import LINK, TABLE

# A formula or rollup is known by its place: (module, field) or (module, table, column).
Node = tuple[str, ...]

SYSTEM_TYPES: Mapping[str, str] = {
    "$id": "text",
    "$number": "text",
    "$state": "text",
    "$owner": "text",
    "$created_at": "datetime",
    "$updated_at": "datetime",
}
USER_TYPES: Mapping[str, str] = {"id": "text", "roles": "list"}
RESERVED_NAMES = frozenset(keyword.kwlist) | {"true", "false", "null", "user"}
# What the engine reads of a linked record (engine/records/links.py): its own stored values.
FURTHER_THAN_ONE_LINK = (
    "{dotted!r} reads further than the linked record's own values: the engine follows one link "
    "to that record's stored fields ({link}.field), not a second link nor its child tables"
)


def read_fields(schema: Any) -> dict[str, Field]:
    """The fields of a record schema (or child row schema), in their written order.

    They are the compiled model's `Field`s with their expressions left unparsed (`formula_text`,
    `rollup_source`): the checks parse them in the scope they will run in."""
    if not isinstance(schema, Mapping) or not isinstance(schema.get("properties"), Mapping):
        return {}
    required = set(schema.get("required") or ())
    fields = {}
    for name, field_schema in schema["properties"].items():
        if not isinstance(field_schema, Mapping):
            continue
        kind = detect(field_schema)
        items = field_schema.get("items")
        columns = read_fields(items) if kind is TABLE else {}
        enum = field_schema.get("enum")
        fields[name] = Field(
            name=name,
            kind=kind.name,
            title=field_schema.get("title", name),
            schema=field_schema,
            required=name in required,
            enum=tuple(enum) if isinstance(enum, list) else None,
            ref=field_schema.get("x-ref") if kind is LINK else None,
            children=tuple(columns.values()),
        )
    return fields


@dataclass(frozen=True)
class ModuleInfo:
    """A raw module as the checks see it."""

    id: str
    raw: Mapping[str, Any]
    fields: Mapping[str, Field]
    states: frozenset[str] | None  # None: the module has no workflow
    index: int | None  # place in this pack's modules; None for another pack's module

    @classmethod
    def read(cls, raw: Mapping[str, Any], index: int | None) -> ModuleInfo:
        workflow = raw.get("workflow")
        states = None
        if isinstance(workflow, Mapping) and isinstance(workflow.get("states"), Mapping):
            states = frozenset(workflow["states"])
        return cls(str(raw.get("id")), raw, read_fields(raw.get("schema")), states, index)

    @property
    def own(self) -> bool:
        return self.index is not None


Catalogue = Mapping[str, ModuleInfo]


@dataclass(frozen=True)
class Resolution:
    """What a name path means: its type and the fields it reads, or why it is unknown."""

    type: str | None = None
    error: str | None = None
    depends: frozenset[Node] = frozenset()


class Scope(Protocol):
    """Anything that can tell what a name path in an expression means."""

    def resolve(self, path: tuple[str, ...]) -> Resolution: ...


def suggest(name: str, candidates: Iterable[str]) -> str:
    """` (did you mean 'x'?)` when a candidate is close to `name`, else an empty string."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_field(module: ModuleInfo, name: str) -> str:
    """The message for a name that is not a field of `module`."""
    return f"{name!r} is not a field of {module.id}{suggest(name, module.fields)}"


def resolve_field(catalogue: Catalogue, module: ModuleInfo, path: tuple[str, ...]) -> Resolution:
    """Resolve `field`, `link.field…` or `table.column` inside `module`."""
    info = module.fields.get(path[0])
    if info is None:
        return Resolution(error=unknown_field(module, path[0]))
    node: Node = (module.id, info.name)
    if len(path) == 1:
        return Resolution(info.expression_type, None, frozenset({node}))
    dotted = ".".join(path)
    if info.kind_type is LINK:
        target = catalogue.get(info.ref or "")
        if target is None:  # the unknown x-ref is reported where it is written
            return Resolution("any", None, frozenset({node}))
        inner = resolve_field(catalogue, target, path[1:])
        if inner.error:
            return Resolution(error=f"in {dotted!r}: {inner.error}")
        if len(path) > 2 or target.fields[path[1]].kind_type.rows:
            return Resolution(error=FURTHER_THAN_ONE_LINK.format(dotted=dotted, link=info.name))
        return Resolution(inner.type, None, inner.depends | {node})
    if info.kind_type is TABLE:
        column = info.columns.get(path[1])
        if column is None:
            hint = suggest(path[1], info.columns)
            return Resolution(error=f"{path[1]!r} is not a column of {info.name}{hint}")
        if len(path) > 2:
            return Resolution(
                error=f"{dotted!r} goes too deep: a column is named {info.name}.{column.name}"
            )
        # the element type: the type checker knows `items` is a list and wraps it
        return Resolution(
            column.expression_type, None, frozenset({node, (module.id, info.name, column.name)})
        )
    if (via := row_link(info)) is not None:
        return _resolve_row(catalogue, module, info, via, path)
    return Resolution(
        error=f"in {dotted!r}: {info.name!r} is {info.kind_text}; only links and child tables "
        "have fields of their own"
    )


def _resolve_row(
    catalogue: Catalogue, module: ModuleInfo, info: Field, via: RowLink, path: tuple[str, ...]
) -> Resolution:
    """`finding.severity`: a column of the row a row-link field names (one step, no further)."""
    link = module.fields.get(via.link)
    target = catalogue.get(link.ref or "") if link is not None else None
    table = target.fields.get(via.table) if target is not None else None
    if link is None or table is None:  # the wrong x-row is reported where it is written
        return Resolution("any", None, frozenset({(module.id, info.name)}))
    column = table.columns.get(path[1])
    if column is None or len(path) > 2:
        hint = suggest(path[1], table.columns)
        return Resolution(
            error=f"in {'.'.join(path)!r}: {path[1]!r} is not a column of "
            f"{table.name}{hint}; a row link reads one column of its row"
        )
    depends = {(module.id, info.name), (module.id, link.name)}
    return Resolution(column.expression_type, None, frozenset(depends))


@dataclass(frozen=True)
class RecordScope:
    """Names a record-level expression of `module` may use."""

    catalogue: Catalogue
    module: ModuleInfo

    def resolve(self, path: tuple[str, ...]) -> Resolution:
        head = path[0]
        if head.startswith("$"):
            if head not in SYSTEM_TYPES or len(path) > 1:
                known = ", ".join(SYSTEM_TYPES)
                return Resolution(
                    error=f"{'.'.join(path)!r} is not a system value; they are {known}"
                )
            if head == "$state" and self.module.states is None:
                return Resolution(
                    error=f"{self.module.id} has no workflow, so its records have no $state"
                )
            return Resolution(SYSTEM_TYPES[head])
        if head == "user" and "user" not in self.module.fields:
            if len(path) == 2 and path[1] in USER_TYPES:
                return Resolution(USER_TYPES[path[1]])
            return Resolution(
                error=f"{'.'.join(path)!r} is not known; the acting user has user.id and user.roles"
            )
        return resolve_field(self.catalogue, self.module, path)


@dataclass(frozen=True)
class RowScope:
    """Names a formula inside one row of the child table `table` may use: its columns."""

    module: ModuleInfo
    table: Field

    def resolve(self, path: tuple[str, ...]) -> Resolution:
        column = self.table.columns.get(path[0])
        if column is None or len(path) > 1:
            names = ", ".join(self.table.columns)
            return Resolution(
                error=f"{'.'.join(path)!r} is not a column of {self.table.name}; a formula in a "
                f"child row can name only its row's columns ({names})"
            )
        node: Node = (self.module.id, self.table.name, column.name)
        return Resolution(column.expression_type, None, frozenset({node}))
