"""Check the pack's dashboards: known roles, modules, fields and reports; filters a list can say.

A number card's measure is one SQL aggregate over its module (`count()`, `sum(amount)`), and
its `where` and a list card's `where` must be what the module's list can filter by
(engine/definitions/dashboards.py), so that a click on the card opens exactly the records it
counts. A period names a stored date field.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from engine.definitions.check_database import check_in_database
from engine.definitions.check_expressions import check_expression
from engine.definitions.context import DatabaseUse, PackContext, Path, listing
from engine.definitions.dashboards import NotAFilter, conditions
from engine.definitions.scope import ModuleInfo, RecordScope, suggest
from engine.expressions import parse

SYSTEM_FIELDS = ("$id", "$number", "$state", "$owner", "$created_at", "$updated_at")
DATE_KINDS = frozenset({"date", "datetime"})


def check_dashboards(ctx: PackContext) -> None:
    """Check every dashboard of the pack."""
    dashboards = [d for d in ctx.pack.get("dashboards") or () if isinstance(d, Mapping)]
    counts = Counter(d.get("id") for d in dashboards)
    reports = [r.get("id") for r in ctx.pack.get("reports") or () if isinstance(r, Mapping)]
    seen: set[str] = set()
    for index, dashboard in enumerate(dashboards):
        path: Path = ("dashboards", index)
        did = dashboard["id"]
        if counts[did] > 1 and did in seen:
            ctx.add_problem((*path, "id"), "dashboard_id_twice", {"id": did})
        seen.add(did)
        for position, role in enumerate(dashboard.get("roles") or ()):
            if role not in ctx.roles:
                params = {"role": role, "roles": listing(sorted(ctx.roles))}
                ctx.add_problem((*path, "roles", position), "dashboard_unknown_role", params)
        for position, card in enumerate(dashboard.get("cards") or ()):
            _check_card(ctx, (*path, "cards", position), card, reports)


def _check_card(ctx: PackContext, path: Path, card: Mapping[str, Any], reports: list[Any]) -> None:
    if card["type"] == "chart":
        if card["report"] not in reports:
            params = {"report": card["report"], "values": listing(reports)}
            ctx.add_problem((*path, "report"), "card_unknown_report", params)
        return
    module = ctx.catalogue.get(card["module"])
    if module is None:
        params = {"module": card["module"], "hint": suggest(card["module"], ctx.catalogue)}
        ctx.add_problem((*path, "module"), "card_unknown_module", params)
        return
    scope = RecordScope(ctx.catalogue, module)
    if isinstance(card.get("where"), str):
        _check_where(ctx, (*path, "where"), card["where"], module, scope)
    if card["type"] == "list":
        sort = card.get("sort") or ()
        keys = [sort] if isinstance(sort, str) else list(sort)
        for position, key in enumerate(keys):
            where = (*path, "sort") if isinstance(sort, str) else (*path, "sort", position)
            _check_field(ctx, where, key.lstrip("-"), module)
        for position, name in enumerate(card.get("columns") or ()):
            _check_field(ctx, (*path, "columns", position), name, module)
        return
    measure = card.get("measure", "count()")
    checked = check_expression(ctx, (*path, "measure"), measure, scope, aggregation="required")
    if checked is not None:
        use = DatabaseUse(
            (*path, "measure"),
            "dashboard card measure",
            module.id,
            checked.depends,
            checked.expression.uses_clock,
        )
        ctx.database_uses.append(use)
        if checked.known:
            where = (*path, "measure")
            check_in_database(
                ctx, where, "dashboard card measure", checked.expression, module, aggregate=True
            )
    period = card.get("period")
    if isinstance(period, Mapping):
        name = period["field"]
        if _check_field(ctx, (*path, "period", "field"), name, module):
            info = module.fields.get(name)
            if info is not None and info.kind not in DATE_KINDS:
                params = {"field": name, "kind": info.kind_text}
                ctx.add_problem((*path, "period", "field"), "card_period_not_a_date", params)


def _check_field(ctx: PackContext, path: Path, name: str, module: ModuleInfo) -> bool:
    """Whether `name` is a system value or a stored field of `module` (else a problem)."""
    if name in SYSTEM_FIELDS:
        return True
    info = module.fields.get(name)
    if info is None:
        params = {
            "field": name,
            "module": module.id,
            "hint": suggest(name, module.fields),
            "fields": listing(list(module.fields)),
        }
        ctx.add_problem(path, "card_unknown_field", params)
        return False
    if info.computed or not info.kind_type.stored or not info.scalar:
        ctx.add_problem(path, "card_field_not_stored", {"field": name, "module": module.id})
        return False
    return True


def _check_where(
    ctx: PackContext, path: Path, text: str, module: ModuleInfo, scope: RecordScope
) -> None:
    checked = check_expression(ctx, path, text, scope, aggregation="forbidden")
    if checked is None or not checked.known:
        return
    try:
        found = conditions(parse(text))
    except NotAFilter as exc:
        ctx.add_problem(path, "card_where_not_a_filter", {"text": text, "detail": exc.part})
        return
    for condition in found:
        _check_field(ctx, path, condition.field, module)
