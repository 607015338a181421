"""What the workflow, imports and webhooks tell people: the recipients and the parameters
of each event they raise (the parameters are listed in docs/notifications.md).

The workflow calls `fired` once a record moved: the users who now have something to do get
"task", the owner "decision" when someone else moved it, the copied users "copied" with the
pack's message filled in. Text goes in as plain values in both languages so the message is
worded later in each reader's language; a value a reader's role may not see is left out of
what they are sent.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actor import actor
from engine.definitions.model import Module, Transition, Workflow
from engine.definitions.notify_message import SYSTEM_NAMES, fill, placeholders
from engine.i18n import localize
from engine.models import HistoryEntry, Task, User, UserRole
from engine.notifications.events import notify
from engine.permissions import visible_fields
from engine.records.model import Record

LANGUAGES = ("en", "zh-CN")
HIDDEN = "—"  # what a reader is shown in place of a value their role may not see

Params = Callable[[frozenset[str]], dict[str, Any]]  # hidden fields → the event's params


def both(text: Any) -> dict[str, str]:
    """Pack text in the two languages a notification may be worded in."""
    return {language: localize(text, language) for language in LANGUAGES}


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """A stored time as UTC (SQLite gives it back without its zone)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def role_members(session: Session, roles: Iterable[str]) -> dict[str, set[str]]:
    """The active users holding each role: one query for all of them."""
    wanted = sorted(set(roles))
    found: dict[str, set[str]] = {role: set() for role in wanted}
    if wanted:
        rows = session.execute(
            select(UserRole.role, User.name)
            .join(User, User.id == UserRole.user_id)
            .where(UserRole.role.in_(wanted), User.active.is_(True))
        )
        for role, name in rows:
            found[role].add(name)
    return found


def _hidden_to(
    session: Session, module: Module, names: Iterable[str], fields: set[str]
) -> dict[str, frozenset[str]]:
    """Which of `fields` each user's roles hide; no query when no role hides any of them."""
    names = sorted(set(names))
    hiding = any(
        level == "hidden"
        for rule in module.permissions.values()
        for field, level in rule.fields.items()
        if field in fields
    )
    if not hiding:
        return {name: frozenset() for name in names}
    roles: dict[str, set[str]] = {name: set() for name in names}
    rows = session.execute(
        select(User.name, UserRole.role)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.name.in_(names))
    )
    for name, role in rows:
        roles[name].add(role)
    return {
        name: frozenset(fields - visible_fields(actor(name, *held), module))
        for name, held in roles.items()
    }


def tell(
    session: Session,
    event: str,
    module: Module,
    record: Record,
    names: Iterable[str],
    params: Params,
    *,
    key: str,
    by: str | None,
    at: dt.datetime,
    reads: Iterable[str] = (),
    keys: Mapping[str, str] | None = None,
) -> int:
    """Raise `event` about `record` for `names`, grouped by the fields (`reads` and the
    title) their roles hide, so nobody is sent a value they may not see."""
    fields = set(reads) | ({module.title_field} if module.title_field else set())
    groups: dict[frozenset[str], list[str]] = defaultdict(list)
    for name, hidden in _hidden_to(session, module, [n for n in names if n != by], fields).items():
        groups[hidden].append(name)
    told = 0
    for hidden, group in groups.items():
        told += len(
            notify(
                session,
                event,
                group,
                key=key,
                keys=keys,
                module=module.id,
                record_id=record.id,
                actor=by,
                params=params(hidden),
                at=at,
            )
        )
    return told


def text_of(value: Any) -> str:
    """A stored value as plain text: decimals at their scale, dates in ISO form."""
    if value is None or value == "":
        return HIDDEN
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def record_params(module: Module, record: Record, hidden: frozenset[str]) -> dict[str, Any]:
    """The keys every record event carries: its title as plain text and the module's."""
    title = record.number or ""
    name = module.title_field
    if name and name not in hidden and name != "number" and record.data.get(name) is not None:
        title = f"{title} {text_of(record.data[name])}".strip()
    return {"title": title or record.id, "module_title": both(module.title)}


def state_label(module: Module, state: str | None) -> dict[str, str]:
    workflow = module.workflow
    found = workflow.states.get(state or "") if workflow is not None else None
    return both(found.title if found is not None else state or "")


def filled(
    module: Module, record: Record, transition: Transition, hidden: frozenset[str]
) -> dict[str, str] | None:
    """The transition's notify message in both languages, the record's values filled in."""
    message = transition.notify_message
    if not message:
        return None

    def value_in(language: str) -> Callable[[str], str | None]:
        def value_of(name: str) -> str | None:
            if name == "$number":
                return record.number or record.id
            if name == "$state":
                return state_label(module, record.state)[language]
            if name == "$owner":
                return record.owner or HIDDEN
            if module.field(name) is None:
                return None  # not a placeholder the import allowed: left as written
            return HIDDEN if name in hidden else text_of(record.data.get(name))

        return value_of

    return {language: fill(message[language], value_in(language)) for language in LANGUAGES}


@lru_cache(maxsize=256)
def _depths(module: Module) -> dict[str, int]:
    """Each state's distance from the initial one, in transitions (the workflow's order)."""
    workflow = module.workflow
    assert workflow is not None
    depths, frontier = {workflow.initial: 0}, [workflow.initial]
    while frontier:
        following = []
        for state in frontier:
            for transition in workflow.transitions:
                if state in transition.sources and transition.target not in depths:
                    depths[transition.target] = depths[state] + 1
                    following.append(transition.target)
        frontier = following
    return depths


def _starts_over(workflow: Workflow, state: str) -> bool:
    """A state a record leaves as a draft does: a transition out of it also starts from the
    initial state (a rejected record is submitted again)."""
    return state != workflow.initial and any(
        state in t.sources and workflow.initial in t.sources for t in workflow.transitions
    )


def outcome(module: Module, transition: Transition, source: str | None) -> str:
    """What a move means to the record's owner:
    returned — back to the initial state, or to a state nearer to it than the one left;
    approved — the transition's approval reached its quorum;
    rejected — into a state from which the record starts over (submitted again like a draft);
    moved — anything else."""
    workflow = module.workflow
    assert workflow is not None
    depths = _depths(module)
    target = transition.target
    nearer = depths.get(target, 0) < depths.get(source or "", 0)
    if target == workflow.initial or nearer:
        return "returned"
    if transition.approval is not None:
        return "approved"
    if _starts_over(workflow, target):
        return "rejected"
    return "moved"


def _task_transition(module: Module, state: str | None, task: Task) -> Transition | None:
    """The transition an inbox item waits for: the vote's, or the first the role may take."""
    workflow = module.workflow
    if workflow is None:
        return None
    if task.transition:
        return workflow.transition(task.transition)
    for transition in workflow.transitions:
        if state not in transition.sources or transition.withdraw or transition.approval:
            continue
        if task.assignee_role in transition.roles or (
            task.assignee_role is None and transition.owner_only
        ):
            return transition
    return None


def _task_params(module: Module, record: Record, task: Task) -> Params:
    transition = _task_transition(module, record.state, task)
    due = aware(task.due_at)

    def params(hidden: frozenset[str]) -> dict[str, Any]:
        return {
            **record_params(module, record, hidden),
            "kind": task.kind,
            "transition": transition.id if transition else None,
            "transition_label": both(transition.title) if transition else None,
            "state_label": state_label(module, record.state),
            "due_at": due.isoformat() if due else None,
        }

    return params


def tasks_opened(
    session: Session,
    module: Module,
    record: Record,
    opened: Sequence[Task],
    by: str | None,
    told_already: Iterable[str] = (),
) -> int:
    """Tell the users of the items just opened that the record waits for them ("task"):
    once each, by their vote item if they have one, else by the first item of their role;
    not those `told_already` of the same move (the owner hearing its decision)."""
    if not opened:
        return 0
    session.flush()  # the items' ids are the events' keys
    members = role_members(session, (t.assignee_role for t in opened if t.assignee_role))
    seen = set(told_already)
    # items alike (kind, transition, due and opening time) are one event with a key per user
    alike: dict[tuple[Any, ...], tuple[Task, dict[str, str]]] = {}
    for task in sorted(opened, key=lambda t: (t.kind != "vote", t.id)):
        names = {task.assignee_user} if task.assignee_user else members[task.assignee_role or ""]
        names, seen = names - seen, seen | names
        _, keys = alike.setdefault(
            (task.kind, task.transition, task.due_at, task.created_at), (task, {})
        )
        keys.update({name: f"task:{task.id}" for name in names})
    told = 0
    for first, keys in alike.values():
        params, at = (
            _task_params(module, record, first),
            aware(first.created_at) or first.created_at,
        )
        key = f"task:{first.id}"
        told += tell(
            session, "task", module, record, keys, params, key=key, keys=keys, by=by, at=at
        )
    return told


def fired(
    session: Session,
    module: Module,
    record: Record,
    transition: Transition,
    entry: HistoryEntry,
    opened: Sequence[Task],
    copied: Sequence[str],
) -> None:
    """After `transition` moved `record` (its history `entry`): "task" to those it now waits
    for, "decision" to its owner when someone else moved it, "copied" to the users copied."""
    by, at, where = entry.actor, aware(entry.at) or entry.at, f"{module.id}:{record.id}:{entry.id}"
    decided_for = [record.owner] if record.owner and record.owner != by else []
    # the owner told of a rejection is not told again that the record now waits for them
    tasks_opened(session, module, record, opened, by, told_already=decided_for)

    def moved(hidden: frozenset[str]) -> dict[str, Any]:
        return {
            **record_params(module, record, hidden),
            "transition": transition.id,
            "transition_label": both(transition.title),
            "state_label": state_label(module, record.state),
            "comment": entry.comment,
        }

    if decided_for:
        result = outcome(module, transition, entry.from_state)

        def decided(hidden: frozenset[str]) -> dict[str, Any]:
            return {**moved(hidden), "outcome": result}

        key = f"decision:{where}"
        tell(session, "decision", module, record, decided_for, decided, key=key, by=by, at=at)
    if copied:
        reads = [
            n for text in (transition.notify_message or {}).values() for n in placeholders(text)
        ]

        def with_message(hidden: frozenset[str]) -> dict[str, Any]:
            return {**moved(hidden), "message": filled(module, record, transition, hidden)}

        fields = [n for n in reads if n not in SYSTEM_NAMES]
        key = f"copied:{where}"
        tell(
            session,
            "copied",
            module,
            record,
            copied,
            with_message,
            key=key,
            by=by,
            at=at,
            reads=fields,
        )
