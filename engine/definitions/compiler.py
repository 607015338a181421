"""Turn a checked pack dict into frozen dataclasses (engine.definitions.model).

The compiler trusts its input: the loader has run the meta-schema and the semantic checks
first, so anything odd here is a bug, not a user error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from engine.definitions.constraints import compile_validations, record_constraints
from engine.definitions.create_from import compile_create_from
from engine.definitions.dashboards import compile_dashboard
from engine.definitions.model import (
    UI,
    Approval,
    ApproverGroup,
    Field,
    ListConfig,
    Migration,
    Module,
    Pack,
    Report,
    ReportSource,
    RolePermission,
    Rollup,
    Section,
    State,
    Transition,
    Workflow,
    compile_view,
)
from engine.expressions import parse
from engine.kinds import detect
from engine.kinds.standard import DECIMAL, MULTICHOICE, TABLE

# JSON Schema keywords that bound a value; kept on the field for forms and the OpenAPI document.
CONSTRAINTS = (
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "uniqueItems",
)


def field_kind(schema: Mapping[str, Any]) -> str:
    """The kind of a field schema, as PACK_FORMAT.md's field table names them."""
    return detect(schema).name


def _frozen(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


def compile_field(name: str, schema: Mapping[str, Any], required: bool) -> Field:
    kind = detect(schema)
    children: tuple[Field, ...] = ()
    if kind is TABLE:
        items = schema.get("items") or {}
        child_required = set(items.get("required", ()))
        children = tuple(
            compile_field(child, child_schema, child in child_required)
            for child, child_schema in (items.get("properties") or {}).items()
        )
    enum = schema.get("enum")
    if kind is MULTICHOICE:
        enum = (schema.get("items") or {}).get("enum")
    formula = parse(schema["x-formula"]) if schema.get("x-formula") else None
    rollup = None
    if raw_rollup := schema.get("x-rollup"):
        rollup = Rollup(
            module=raw_rollup["module"],
            link=raw_rollup.get("link"),
            value=parse(raw_rollup["value"]),
            where=parse(raw_rollup["where"]) if raw_rollup.get("where") else None,
            table=raw_rollup.get("table"),
            match=tuple((str(k), str(v)) for k, v in (raw_rollup.get("match") or {}).items()),
        )
    scale = schema.get("x-scale")
    if kind is DECIMAL and scale is None:
        scale = 2 if schema.get("x-format") == "money" else 4
    return Field(
        name=name,
        kind=kind.name,
        title=_frozen(schema.get("title", name)),
        schema=_frozen(schema),
        required=required,
        scale=scale if kind is DECIMAL else None,
        money=schema.get("x-format") == "money",
        enum=tuple(enum) if enum is not None else None,
        enum_titles=_frozen(schema.get("x-enum-titles", {})),
        ref=schema.get("x-ref"),
        children=children,
        formula=formula,
        rollup=rollup,
        read_only=bool(schema.get("readOnly")) or formula is not None or rollup is not None,
        default=schema.get("default"),
        widget=schema.get("x-widget"),
        accept=tuple(schema.get("x-accept", ())),
        max_bytes=schema.get("x-max-bytes"),
        constraints=_frozen({k: schema[k] for k in CONSTRAINTS if k in schema}),
        settings=_frozen({k: schema[k] for k in kind.settings if k in schema}),
        unique=schema.get("unique") is True,
        editable_in=tuple(schema["x-editable-in"]) if "x-editable-in" in schema else None,
        default_expr=parse(schema["x-default"]) if schema.get("x-default") else None,
    )


def _as_tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)


def compile_ui(raw: Mapping[str, Any], fields: tuple[Field, ...], title_field: str | None) -> UI:
    sections = tuple(
        Section(
            title=_frozen(s.get("title", "")),
            columns=int(s.get("columns", 1)),
            fields=tuple(s.get("fields", ())),
        )
        for s in raw.get("layout", ())
    )
    placed = {name for s in sections for name in s.fields}
    rest = tuple(f.name for f in fields if f.name not in placed)
    if rest:
        sections = (*sections, Section(title="", columns=1, fields=rest))
    raw_list = raw.get("list", {})
    default_columns = ["$number", *(f.name for f in fields if f.kind_type is not TABLE)][:6]
    search = raw_list.get("search")
    if search is None:
        search = [title_field] if title_field else []
    return UI(
        layout=sections,
        widgets=_frozen(raw.get("widgets", {})),
        show_if=MappingProxyType({k: parse(v) for k, v in raw.get("show_if", {}).items()}),
        required_if=MappingProxyType({k: parse(v) for k, v in raw.get("required_if", {}).items()}),
        list=ListConfig(
            columns=tuple(raw_list.get("columns", default_columns)),
            sort=_as_tuple(raw_list.get("sort", "-$created_at")),
            filters=tuple(raw_list.get("filters", ())),
            search=tuple(search),
            totals=tuple(raw_list.get("totals", ())),
        ),
        views=tuple(compile_view(v) for v in raw.get("views", ())),
    )


def compile_workflow(raw: Mapping[str, Any] | None) -> Workflow | None:
    if not raw:
        return None
    states = {
        sid: State(
            id=sid,
            title=_frozen(s.get("title", sid)),
            readonly=bool(s.get("readonly")),
            editable=tuple(s.get("editable", ())),
            final=bool(s.get("final")),
            due=s["due"] if isinstance(s.get("due"), str) else None,
            on_due=s.get("on_due"),
            color=s.get("color"),
            due_field=s["due"]["field"] if isinstance(s.get("due"), Mapping) else None,
            due_offset=s["due"].get("offset") if isinstance(s.get("due"), Mapping) else None,
        )
        for sid, s in raw["states"].items()
    }
    transitions = []
    for t in raw.get("transitions", ()):
        approval = None
        if raw_approval := t.get("approval"):
            approvers = raw_approval.get("approvers", {})
            listed = approvers if isinstance(approvers, list) else []
            single = approvers if isinstance(approvers, Mapping) else {}
            approval = Approval(
                quorum=raw_approval.get("quorum", "any"),
                approvers_role=single.get("role"),
                approvers_field=single.get("field"),
                groups=tuple(
                    ApproverGroup(g.get("role"), g.get("field"), g.get("quorum", "any"))
                    for g in listed
                ),
            )
        notify = t.get("notify") or {}
        transitions.append(
            Transition(
                id=t["id"],
                title=_frozen(t.get("title", t["id"])),
                sources=_as_tuple(t["from"]),
                target=t["to"],
                roles=tuple(t.get("roles", ())),
                owner_only=bool(t.get("owner_only")),
                when=parse(t["when"]) if t.get("when") else None,
                requires=tuple(t.get("requires", ())),
                comment=t.get("comment", "optional"),
                approval=approval,
                self_approval=t.get("self_approval", True),
                withdraw=bool(t.get("withdraw")),
                notify_role=notify.get("role"),
                notify_field=notify.get("field"),
                notify_message=_frozen(notify.get("message")),
                sets=MappingProxyType({k: parse(v) for k, v in t.get("set", {}).items()}),
                message=_frozen(t.get("message")),
            )
        )
    return Workflow(
        initial=raw["initial"], states=MappingProxyType(states), transitions=tuple(transitions)
    )


def _level(value: Any) -> str | None:
    if value is True:
        return "all"
    if value in ("own", "all"):
        return value
    return None


def compile_permissions(raw: Mapping[str, Any]) -> Mapping[str, RolePermission]:
    return MappingProxyType(
        {
            role: RolePermission(
                create=bool(p.get("create")),
                read=_level(p.get("read")),
                update=_level(p.get("update")),
                delete=_level(p.get("delete")),
                export=bool(p.get("export")),
                import_=bool(p.get("import")),
                fields=_frozen(p.get("fields", {})),
                scope=tuple(p.get("scope", ())),
            )
            for role, p in raw.items()
        }
    )


def _mark_read_time(fields: tuple[Field, ...]) -> tuple[Field, ...]:
    """Formulas over the clock or over rollups, directly or through other formulas, are
    computed when read: a stored value could not stay current."""
    by_name = {f.name: f for f in fields}
    read_time = {f.name for f in fields if f.rollup is not None}
    read_time |= {f.name for f in fields if f.formula is not None and f.formula.uses_clock}
    changed = True
    while changed:
        changed = False
        for f in fields:
            if f.formula is None or f.name in read_time:
                continue
            if any(ref[0] in read_time for ref in f.formula.references if ref[0] in by_name):
                read_time.add(f.name)
                changed = True
    return tuple(
        replace(f, on_read=True) if f.formula is not None and f.name in read_time else f
        for f in fields
    )


def _unique_sets(fields: tuple[Field, ...], combinations: Any) -> tuple[tuple[str, ...], ...]:
    """Each unique field alone, then each unique combination: one UNIQUE index apiece."""
    sets = [(f.name,) for f in fields if f.unique and f.stored]
    return tuple(dict.fromkeys([*sets, *(tuple(names) for names in combinations)]))


def compile_module(raw: Mapping[str, Any], pack_id: str, version: str) -> Module:
    schema = raw["schema"]
    required = set(schema.get("required", ()))
    fields = tuple(
        compile_field(name, field_schema, name in required)
        for name, field_schema in schema.get("properties", {}).items()
    )
    fields = _mark_read_time(fields)
    migrate = raw.get("migrate", {})
    return Module(
        id=raw["id"],
        pack_id=pack_id,
        version=version,
        title=_frozen(raw.get("title", raw["id"])),
        description=_frozen(raw.get("description")),
        numbering=raw.get("numbering"),
        title_field=raw.get("title_field"),
        fields=fields,
        ui=compile_ui(raw.get("ui", {}), fields, raw.get("title_field")),
        workflow=compile_workflow(raw.get("workflow")),
        permissions=compile_permissions(raw.get("permissions", {})),
        prints=tuple(_frozen(p) for p in raw.get("prints", ())),
        migrate=Migration(
            states=_frozen(migrate.get("states", {})),
            defaults=_frozen(migrate.get("defaults", {})),
            drop=tuple(migrate.get("drop", ())),
        ),
        raw=_frozen(raw),
        record_schema=record_constraints(schema, [f.name for f in fields if f.rollup is not None]),
        unique=_unique_sets(fields, raw.get("unique", ())),
        validations=compile_validations(raw.get("validations", ())),
        create_from=compile_create_from(raw.get("create_from")),
    )


def compile_report(raw: Mapping[str, Any]) -> Report:
    measures: Mapping[str, Any] = raw.get("measures", {})
    return Report(
        id=raw["id"],
        title=_frozen(raw.get("title", raw["id"])),
        module=raw["module"],
        where=parse(raw["where"]) if raw.get("where") else None,
        group_by=tuple(parse(g) for g in raw.get("group_by", ())),
        measures=MappingProxyType({k: parse(measure_text(v)) for k, v in measures.items()}),
        chart=_frozen(raw.get("chart")),
        raw=_frozen(raw),
        rows=raw.get("rows"),
        sources=tuple(_report_source(s, raw["module"]) for s in raw.get("sources", ())),
        options=MappingProxyType(
            {
                k: _frozen({o: v[o] for o in v if o != "value"})
                for k, v in measures.items()
                if isinstance(v, Mapping)
            }
        ),
    )


def _report_source(raw: Mapping[str, Any], module: str) -> ReportSource:
    """A source of a report over several modules; without `module`, the report's own."""
    return ReportSource(
        module=raw.get("module", module),
        values=MappingProxyType({k: parse(v) for k, v in raw.get("values", {}).items()}),
        where=parse(raw["where"]) if raw.get("where") else None,
        rows=raw.get("rows"),
    )


def measure_text(measure: Any) -> str:
    """A report measure's expression: the string itself, or `value` of its object form."""
    return measure["value"] if isinstance(measure, Mapping) else str(measure)


def compile_pack(raw: Mapping[str, Any]) -> Pack:
    pack_id, version = raw["id"], raw["version"]
    return Pack(
        id=pack_id,
        version=version,
        title=_frozen(raw.get("title", pack_id)),
        description=_frozen(raw.get("description")),
        roles=MappingProxyType(
            {r["id"]: _frozen(r.get("title", r["id"])) for r in raw.get("roles", ())}
        ),
        modules=tuple(compile_module(m, pack_id, version) for m in raw.get("modules", ())),
        reports=tuple(compile_report(r) for r in raw.get("reports", ())),
        seed=MappingProxyType({k: tuple(v) for k, v in raw.get("seed", {}).items()}),
        raw=_frozen(raw),
        dashboards=tuple(compile_dashboard(d, _frozen) for d in raw.get("dashboards", ())),
    )
