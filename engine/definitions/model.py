"""The compiled module: frozen dataclasses that everything downstream of the compiler reads.

A pack's raw JSON stops at engine/definitions; forms, lists, storage, records, workflow and
permissions all ask these objects. They are immutable, so one compiled pack version can be
shared by every request and thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from engine.definitions.approval import Approval as Approval  # re-exported
from engine.definitions.approval import ApproverGroup as ApproverGroup  # re-exported
from engine.definitions.create_from import CreateFrom as CreateFrom  # re-exported
from engine.definitions.model_state import State as State  # re-exported: part of the model
from engine.definitions.report_source import ReportSource as ReportSource  # re-exported
from engine.expressions import Expression

if TYPE_CHECKING:
    from engine.definitions.constraints import Validation
    from engine.definitions.dashboards import Dashboard
    from engine.kinds.base import FieldKind

SYSTEM_VALUES = ("$id", "$number", "$state", "$owner", "$created_at", "$updated_at")
SYSTEM_COLUMNS = {
    "$id": "id",
    "$number": "number",
    "$state": "state",
    "$owner": "owner",
    "$created_at": "created_at",
    "$updated_at": "updated_at",
}
SYSTEM_COLUMN_NAMES = (
    "id",
    "number",
    "state",
    "state_since",
    "owner",
    "version",
    "module_version",
    "created_at",
    "updated_at",
)
RESERVED_COLUMNS = frozenset(SYSTEM_COLUMN_NAMES)
RESERVED_CHILD_COLUMNS = frozenset({"parent_id", "idx"})


@dataclass(frozen=True)
class Rollup:
    """An aggregate over another module's records that link to this one, computed in SQL."""

    module: str
    link: str | None  # None when the summed records are those matching by fields (`match`)
    value: Expression
    where: Expression | None
    table: str | None = None  # sum the rows of this child table of `module` (docs)
    match: tuple[tuple[str, str], ...] = ()  # (field of the summed side, field of the parent)

    @property
    def keys(self) -> tuple[tuple[str, str], ...]:
        """The columns tying a summed row to its parent: (summed side, parent) pairs; a
        link compares with the parent's id."""
        return ((self.link, "id"),) if self.link is not None else self.match


@dataclass(frozen=True, eq=False)
class Field:
    """One field of a module (or a column of a child table)."""

    name: str
    kind: str
    title: Any
    schema: Mapping[str, Any]
    required: bool = False
    scale: int | None = None
    money: bool = False
    enum: tuple[Any, ...] | None = None
    enum_titles: Mapping[str, Any] = field(default_factory=dict)
    ref: str | None = None
    children: tuple[Field, ...] = ()
    formula: Expression | None = None
    rollup: Rollup | None = None
    read_only: bool = False
    default: Any = None
    widget: str | None = None
    accept: tuple[str, ...] = ()
    max_bytes: int | None = None
    on_read: bool = False  # a formula over the clock or a rollup: computed when read
    constraints: Mapping[str, Any] = field(default_factory=dict)  # minLength, maximum...
    settings: Mapping[str, Any] = field(default_factory=dict)  # the kind's own keywords
    unique: bool = False  # no two records hold the same value (`"unique": true`)
    editable_in: tuple[str, ...] | None = None  # states outside which no one edits it
    default_expr: Expression | None = None  # `x-default`: computed when a record is created

    @cached_property
    def kind_type(self) -> FieldKind:
        """The field's kind as an object (engine/kinds): its operators, SQL type, widget..."""
        from engine.kinds import KINDS  # the kinds describe fields; imported when first asked

        return KINDS[self.kind]

    @cached_property
    def stored(self) -> bool:
        """Whether the field has a column (rollups and read-time formulas are computed when read)."""
        return self.rollup is None and self.kind_type.stored and not self.on_read

    @cached_property
    def computed(self) -> bool:
        """A formula or a rollup (also before its expressions are parsed, in the checks)."""
        return (
            self.formula is not None
            or self.rollup is not None
            or self.formula_text is not None
            or self.rollup_source is not None
        )

    @property
    def formula_text(self) -> str | None:
        """The formula as the pack writes it (`x-formula`)."""
        value = self.schema.get("x-formula")
        return value if isinstance(value, str) else None

    @property
    def rollup_source(self) -> Mapping[str, Any] | None:
        """The rollup as the pack writes it (`x-rollup`)."""
        value = self.schema.get("x-rollup")
        return value if isinstance(value, Mapping) else None

    @property
    def expression_type(self) -> str:
        """The field's type inside expressions: number, integer, text, date, list..."""
        whole = all(isinstance(v, int) and not isinstance(v, bool) for v in self.enum or ())
        if self.kind_type.one_of and self.enum and whole:  # choices that are numbers
            return "integer"
        return self.kind_type.expression_type

    @property
    def kind_text(self) -> str:
        """The kind for messages: `an integer field`, `a child table`..."""
        return self.kind_type.text

    @property
    def searchable(self) -> bool:
        return self.kind_type.searchable

    @property
    def scalar(self) -> bool:
        """One value per record (not a child table, not a list of choices)."""
        return self.kind_type.scalar

    @property
    def columns(self) -> Mapping[str, Field]:
        """A child table's columns by name (empty for other fields)."""
        return self.child_map

    @property
    def numeric(self) -> bool:
        """Whether values add up (totals, right-aligned cells)."""
        return self.kind_type.summable

    @cached_property
    def child_map(self) -> dict[str, Field]:
        return {c.name: c for c in self.children}


@dataclass(frozen=True)
class ListConfig:
    columns: tuple[str, ...]
    sort: tuple[str, ...]
    filters: tuple[str, ...]
    search: tuple[str, ...]
    totals: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    title: Any
    columns: int
    fields: tuple[str, ...]


@dataclass(frozen=True)
class KanbanView:
    """Cards in columns, one per state (`$state`) or per value of a choice field."""

    by: str
    type: str = "kanban"


@dataclass(frozen=True)
class CalendarView:
    """Records placed on the day of a date field, or spanning the days from `date` to `end`."""

    date: str
    end: str | None = None
    type: str = "calendar"


@dataclass(frozen=True)
class DateSpan:
    """A pair of date fields (a baseline's or the actual dates) drawn as a second bar."""

    start: str
    end: str


@dataclass(frozen=True)
class GanttView:
    """Bars from `start` to `end`, optionally filled by `progress` and tied by `depends_on`.

    `depends_on` names either links to the same module or a text of `key` values ("1.2, 1.3")
    matched within the records of the same `group`; `baseline` / `actual` add a second bar.
    """

    start: str
    end: str
    progress: str | None = None
    depends_on: str | None = None
    key: str | None = None
    group: str | None = None
    baseline: DateSpan | None = None
    actual: DateSpan | None = None
    milestone: str | None = None
    type: str = "gantt"


View = KanbanView | CalendarView | GanttView
VIEW_TYPES: Mapping[str, type[KanbanView] | type[CalendarView] | type[GanttView]] = {
    "kanban": KanbanView,
    "calendar": CalendarView,
    "gantt": GanttView,
}


def compile_view(raw: Mapping[str, Any]) -> View:
    """A view of the (already validated) pack as its typed object; the `type` key picks it."""
    options = {k: v for k, v in raw.items() if k != "type"}
    for key in ("baseline", "actual"):
        if isinstance(options.get(key), Mapping):
            options[key] = DateSpan(**options[key])
    return VIEW_TYPES[raw["type"]](**options)


@dataclass(frozen=True)
class UI:
    layout: tuple[Section, ...]
    widgets: Mapping[str, str]
    show_if: Mapping[str, Expression]
    required_if: Mapping[str, Expression]
    list: ListConfig
    views: tuple[View, ...]


@dataclass(frozen=True)
class Transition:
    id: str
    title: Any
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    owner_only: bool = False
    when: Expression | None = None
    requires: tuple[str, ...] = ()
    comment: str = "optional"
    approval: Approval | None = None
    self_approval: bool = True
    withdraw: bool = False
    notify_role: str | None = None
    notify_field: str | None = None
    notify_message: Mapping[str, str] | None = None  # {"en", "zh-CN"}: {field} filled in
    sets: Mapping[str, Expression] = field(default_factory=dict)  # written when it fires
    message: Any = None  # localized text shown when `when` refuses the step


@dataclass(frozen=True)
class Workflow:
    initial: str
    states: Mapping[str, State]
    transitions: tuple[Transition, ...]

    def transition(self, transition_id: str) -> Transition | None:
        return next((t for t in self.transitions if t.id == transition_id), None)


@dataclass(frozen=True)
class RolePermission:
    create: bool = False
    read: str | None = None  # "own" | "all" | None
    update: str | None = None
    delete: str | None = None
    export: bool = False
    import_: bool = False
    fields: Mapping[str, str] = field(default_factory=dict)
    scope: tuple[str, ...] = ()


@dataclass(frozen=True)
class Migration:
    states: Mapping[str, str]
    defaults: Mapping[str, Any]
    drop: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Module:
    """A compiled module: fields, list configuration, workflow and permissions."""

    id: str
    pack_id: str
    version: str
    title: Any
    description: Any
    numbering: str | None
    title_field: str | None
    fields: tuple[Field, ...]
    ui: UI
    workflow: Workflow | None
    permissions: Mapping[str, RolePermission]
    prints: tuple[Mapping[str, Any], ...]
    migrate: Migration
    raw: Mapping[str, Any]
    record_schema: Mapping[str, Any] = field(default_factory=dict)  # definitions/constraints
    # what no two records may share: each unique field, then each `unique` combination
    unique: tuple[tuple[str, ...], ...] = ()
    validations: tuple[Validation, ...] = ()  # record rules (`validations`)
    create_from: tuple[CreateFrom, ...] = ()  # records it may be made from (`create_from`)

    @cached_property
    def field_map(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    def field(self, name: str) -> Field | None:
        return self.field_map.get(name)

    @cached_property
    def stored_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.stored)

    @cached_property
    def table_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.kind_type.rows)

    @cached_property
    def read_formulas(self) -> tuple[Field, ...]:
        """Formulas computed when a record is read (see records.compute for their order)."""
        return tuple(f for f in self.fields if f.on_read)

    @cached_property
    def rollup_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.rollup is not None)

    @cached_property
    def table_name(self) -> str:
        return f"m_{self.id}"

    def child_table_name(self, field_name: str) -> str:
        return f"m_{self.id}__{field_name}"

    @cached_property
    def initial_state(self) -> str | None:
        return self.workflow.initial if self.workflow else None


@dataclass(frozen=True)
class Report:
    id: str
    title: Any
    module: str
    where: Expression | None
    group_by: tuple[Expression, ...]
    measures: Mapping[str, Expression]
    chart: Mapping[str, Any] | None
    raw: Mapping[str, Any]
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # cumulative, compare
    rows: str | None = None  # a child table: group and measure its rows (engine/report_rows.py)
    sources: tuple[ReportSource, ...] = ()  # several modules unioned (engine/report_sources.py)


@dataclass(frozen=True, eq=False)
class Pack:
    """A compiled pack version."""

    id: str
    version: str
    title: Any
    description: Any
    roles: Mapping[str, Any]
    modules: tuple[Module, ...]
    reports: tuple[Report, ...]
    seed: Mapping[str, tuple[Mapping[str, Any], ...]]
    raw: Mapping[str, Any]
    dashboards: tuple[Dashboard, ...] = ()  # engine/definitions/dashboards.py

    @cached_property
    def module_map(self) -> dict[str, Module]:
        return {m.id: m for m in self.modules}
