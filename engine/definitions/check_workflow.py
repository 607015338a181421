"""Check a module's workflow: states, transitions, approvals, due times, state migrations.

A workflow is a small state machine written by hand, so the usual mistakes are names:
a transition to a state that does not exist, an `on_due` naming no transition, a role the
pack never declares, an approver field that is not a user field, an upgrade moving records
into a state that is gone. Each is reported where it is written, with the names that would
be right.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from engine.definitions.check_expressions import check_expression
from engine.definitions.check_notify import check_notify_message
from engine.definitions.context import PackContext, Path, listing
from engine.definitions.scope import ModuleInfo, RecordScope, suggest, unknown_field
from engine.definitions.values import value_problems
from engine.errors import ExpressionError
from engine.expressions import parse

BUILT_IN_ROLES = frozenset({"admin"})


def check_role(ctx: PackContext, path: Path, role: str, what: str) -> None:
    """Report `role` unless the pack declares it (or it is built in)."""
    if role in ctx.roles:
        return
    declared = sorted(ctx.roles - BUILT_IN_ROLES)
    params = {
        "what": what,
        "role": role,
        "hint": suggest(role, declared),
        "roles": listing(declared),
    }
    ctx.add_problem(path, "role_undeclared", params)


def check_recipients(
    ctx: PackContext, module: ModuleInfo, path: Path, recipients: Mapping[str, Any], what: str
) -> None:
    """Check `{"role": R}` or `{"field": F}` (F must be a user field)."""
    if "role" in recipients:
        check_role(ctx, (*path, "role"), recipients["role"], what)
    if "field" in recipients:
        name = recipients["field"]
        info = module.fields.get(name)
        users = [f.name for f in module.fields.values() if f.kind_type.names_user]
        if info is None:
            params = {"what": what, "field": name, "detail": unknown_field(module, name)}
            ctx.add_problem((*path, "field"), "recipient_unknown_field", params)
        elif not info.kind_type.names_user:
            params = {
                "what": what,
                "field": name,
                "kind": info.kind_text,
                "module": module.id,
                "fields": listing(users),
            }
            ctx.add_problem((*path, "field"), "recipient_not_a_user", params)


def _state(ctx: PackContext, module: ModuleInfo, path: Path, name: str, what: str) -> bool:
    states = sorted(module.states or ())
    if name in states:
        return True
    params = {
        "what": what,
        "state": name,
        "module": module.id,
        "hint": suggest(name, states),
        "states": listing(states),
    }
    ctx.add_problem(path, "unknown_state", params)
    return False


def check_workflow(ctx: PackContext, module: ModuleInfo) -> None:
    """Check the workflow of `module`, if it has one."""
    workflow = module.raw.get("workflow")
    if not isinstance(workflow, Mapping) or module.index is None:
        return
    base: Path = ("modules", module.index, "workflow")
    states: Mapping[str, Any] = workflow.get("states") or {}
    transitions = [t for t in workflow.get("transitions") or () if isinstance(t, Mapping)]
    _state(ctx, module, (*base, "initial"), workflow.get("initial", ""), "initial state")
    counts = Counter(t.get("id") for t in transitions)
    by_id = {t.get("id"): t for t in transitions}
    seen: set[str] = set()
    scope = RecordScope(ctx.catalogue, module)
    for index, transition in enumerate(transitions):
        path = (*base, "transitions", index)
        tid = transition["id"]
        if counts[tid] > 1 and tid in seen:
            params = {"transition": tid, "module": module.id}
            ctx.add_problem((*path, "id"), "transition_id_twice", params)
        seen.add(tid)
        sources = transition["from"]
        for position, source in enumerate([sources] if isinstance(sources, str) else sources):
            where = (*path, "from") if isinstance(sources, str) else (*path, "from", position)
            if _state(ctx, module, where, source, f"transition {tid!r} starts from") and (
                states.get(source) or {}
            ).get("final"):
                ctx.add_problem(where, "transition_from_final", {"state": source})
        _state(ctx, module, (*path, "to"), transition["to"], f"transition {tid!r} goes to")
        for position, role in enumerate(transition.get("roles") or ()):
            check_role(ctx, (*path, "roles", position), role, f"transition {tid!r}")
        for position, name in enumerate(transition.get("requires") or ()):
            if name not in module.fields:
                params = {"transition": tid, "field": name, "detail": unknown_field(module, name)}
                ctx.add_problem((*path, "requires", position), "requires_unknown_field", params)
        if isinstance(transition.get("when"), str):
            check_expression(ctx, (*path, "when"), transition["when"], scope, aggregation="any")
        approval = transition.get("approval")
        if isinstance(approval, Mapping):
            _check_approval(ctx, module, (*path, "approval"), approval, tid)
            if transition.get("withdraw"):
                params = {"transition": tid}
                ctx.add_problem((*path, "withdraw"), "withdraw_with_approval", params)
        if isinstance(transition.get("notify"), Mapping):
            check_recipients(ctx, module, (*path, "notify"), transition["notify"], "notify")
            check_notify_message(ctx, module, (*path, "notify"), transition["notify"], tid)
    for name, state in states.items():
        _check_due(ctx, module, (*base, "states", name), name, state, by_id)
        _check_editable(ctx, module, (*base, "states", name), name, state)
    _check_reachable(ctx, module, base, workflow, transitions)


def _check_reachable(
    ctx: PackContext,
    module: ModuleInfo,
    base: Path,
    workflow: Mapping[str, Any],
    transitions: list[Mapping[str, Any]],
) -> None:
    """Every state can be reached from the initial one: a state no chain of transitions leads
    to holds no record ever, so it is a mistake (a missing or misdirected transition). A state
    an upgrade moves records into (`migrate.states`) is reached that way."""
    states = workflow.get("states") or {}
    initial = workflow.get("initial")
    named = [t.get("to") for t in transitions] + [
        s for t in transitions for s in _sources(t.get("from"))
    ]
    if initial not in states or any(name not in states for name in named):
        return  # an unknown state is reported where it is named: fix that first
    migrate = module.raw.get("migrate")
    moved = (migrate.get("states") or {}).values() if isinstance(migrate, Mapping) else ()
    reached = {initial, *(s for s in moved if isinstance(s, str))}
    frontier = list(reached)
    while frontier:
        source = frontier.pop()
        for transition in transitions:
            target = transition.get("to")
            leaves = source in _sources(transition.get("from"))
            if leaves and isinstance(target, str) and target not in reached:
                reached.add(target)
                frontier.append(target)
    for name in states:
        if name not in reached:
            params = {"state": name, "module": module.id}
            ctx.add_problem((*base, "states", name), "state_unreachable", params)


def _sources(sources: Any) -> list[Any]:
    return [sources] if isinstance(sources, str) else list(sources or ())


def _check_editable(
    ctx: PackContext, module: ModuleInfo, path: Path, name: str, state: Mapping[str, Any]
) -> None:
    """`editable` names stored fields of the module, and only a read-only state has it."""
    editable = state.get("editable")
    if not editable:
        return
    if not state.get("readonly"):
        ctx.add_problem((*path, "editable"), "editable_not_readonly", {"state": name})
    for position, field in enumerate(editable):
        info = module.fields.get(field)
        where = (*path, "editable", position)
        if info is None:
            params = {"field": field, "detail": unknown_field(module, field)}
            ctx.add_problem(where, "editable_unknown_field", params)
        elif "x-formula" in info.schema or "x-rollup" in info.schema:
            ctx.add_problem(where, "editable_computed", {"field": field})


def _check_approval(
    ctx: PackContext, module: ModuleInfo, path: Path, approval: Mapping[str, Any], tid: str
) -> None:
    quorum = approval.get("quorum")
    if isinstance(quorum, str) and quorum.endswith("%"):
        share = int(quorum[:-1])
        if not 1 <= share <= 100:
            ctx.add_problem((*path, "quorum"), "quorum_out_of_range", {"value": quorum})
    approvers = approval["approvers"]
    if isinstance(approvers, Mapping):
        check_recipients(ctx, module, (*path, "approvers"), approvers, "approvers")
        return
    for index, group in enumerate(approvers):  # several groups that must each approve
        check_recipients(ctx, module, (*path, "approvers", index), group, "approvers")
        share = group.get("quorum")
        if isinstance(share, str) and share.endswith("%") and not 1 <= int(share[:-1]) <= 100:
            ctx.add_problem(
                (*path, "approvers", index, "quorum"), "quorum_out_of_range", {"value": share}
            )
    if isinstance(quorum, int) and quorum > len(approvers):
        params = {"value": quorum, "groups": len(approvers)}
        ctx.add_problem((*path, "quorum"), "quorum_over_groups", params)


def _check_due(
    ctx: PackContext,
    module: ModuleInfo,
    path: Path,
    name: str,
    state: Mapping[str, Any],
    transitions: Mapping[Any, Mapping[str, Any]],
) -> None:
    if isinstance(state.get("due"), Mapping):
        _check_due_field(ctx, module, (*path, "due", "field"), name, state["due"].get("field"))
    on_due = state.get("on_due")
    if on_due is None:
        return
    if "due" not in state:
        ctx.add_problem((*path, "on_due"), "on_due_without_due", {"state": name})
    transition = transitions.get(on_due)
    if transition is None:
        ids = [str(t) for t in transitions]
        params = {
            "transition": on_due,
            "module": module.id,
            "hint": suggest(on_due, ids),
            "transitions": listing(ids),
        }
        ctx.add_problem((*path, "on_due"), "on_due_unknown_transition", params)
        return
    sources = transition["from"]
    if name not in ([sources] if isinstance(sources, str) else sources):
        params = {"transition": on_due, "state": name, "sources": repr(sources)}
        ctx.add_problem((*path, "on_due"), "on_due_wrong_state", params)


def _check_due_field(
    ctx: PackContext, module: ModuleInfo, path: Path, state: str, name: Any
) -> None:
    """A state due on a date of the record names a date or date-time field of the module."""
    info = module.fields.get(name) if isinstance(name, str) else None
    if info is None:
        params = {"state": state, "field": name, "detail": unknown_field(module, str(name))}
        ctx.add_problem(path, "due_unknown_field", params)
    elif not info.kind_type.dated:
        params = {"state": state, "field": name, "kind": info.kind}
        ctx.add_problem(path, "due_field_not_date", params)
    elif info.rollup_source is not None or _reads_clock(info.formula_text):
        ctx.add_problem(path, "due_field_not_stored", {"state": state, "field": name})


def _reads_clock(formula: str | None) -> bool:
    """Whether a formula reads today() or now(): computed when read, it has no column."""
    try:
        return formula is not None and parse(formula).uses_clock
    except ExpressionError:  # reported where the formula is written
        return False


def check_migrate(ctx: PackContext, module: ModuleInfo) -> None:
    """Check how an upgrade moves records: to existing states, with valid default values."""
    migrate = module.raw.get("migrate")
    if not isinstance(migrate, Mapping) or module.index is None:
        return
    base: Path = ("modules", module.index, "migrate")
    for old, new in (migrate.get("states") or {}).items():
        path = (*base, "states", old)
        if module.states is None:
            ctx.add_problem(path, "migrate_without_workflow", {"module": module.id})
            continue
        if old in module.states:
            ctx.add_problem(path, "migrate_state_kept", {"state": old, "module": module.id})
        _state(ctx, module, path, new, f"records in {old!r} would move to")
    for name, value in (migrate.get("defaults") or {}).items():
        info = module.fields.get(name)
        path = (*base, "defaults", name)
        if info is None:
            params = {"field": name, "detail": unknown_field(module, name)}
            ctx.add_problem(path, "migrate_default_unknown_field", params)
        elif info.computed:
            ctx.add_problem(path, "migrate_default_computed", {"field": name})
        else:
            for message in value_problems(info, value):
                params = {"value": repr(value), "field": name, "detail": message}
                ctx.add_problem(path, "migrate_default_invalid", params)
    for position, name in enumerate(migrate.get("drop") or ()):
        if name in module.fields:
            params = {"field": name, "module": module.id}
            ctx.add_problem((*base, "drop", position), "drop_still_a_field", params)
