"""The builder's workflow edits: pure functions from a pack (a dict) to the next one.

Like engine/builder/edits.py for fields: each edit copies the pack, changes one state or
transition of a module's `workflow` and returns the copy, or raises ValidationFailed with a
coded problem (engine/codes_builder.py) the admin reads beside the form. Whether the whole
workflow makes sense (reachable states, dead ends) is the drawing's and the pack checks' say.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import Any

from engine.builder.edits import FIELD_ID, Pack, module_of, refuse, suggest_id
from engine.builder.expressions import check_expression
from engine.errors import ValidationFailed

QUORUM = re.compile(r"^(any|all|[1-9][0-9]{0,2}|[0-9]{1,3}%)$")
COMMENT_RULES = ("none", "optional", "required")
DUE_UNITS = {"hours": "PT{n}H", "days": "P{n}D", "weeks": "P{n}W"}  # unit → ISO 8601
DUE_LIMIT = 9999  # of any unit: more than a lifetime of weeks is a typing slip
ISO_DURATION = re.compile(  # the meta-schema's `duration`, for a due kept as written
    r"^P(?!$)([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+S)?)?$"
)


def _workflow(pack: Pack, module_id: str) -> dict[str, Any]:
    workflow = module_of(pack, module_id).get("workflow")
    if not isinstance(workflow, dict):
        raise refuse("/workflow", "builder_no_workflow")
    workflow.setdefault("states", {})
    workflow.setdefault("transitions", [])
    return workflow


def start_workflow(pack: Mapping[str, Any], module_id: str) -> Pack:
    """A first workflow: draft → submitted → approved, with a submit and an approve."""
    result = copy.deepcopy(dict(pack))
    module = module_of(result, module_id)
    if isinstance(module.get("workflow"), dict):
        raise refuse("/workflow", "builder_workflow_exists")
    module["workflow"] = {
        "initial": "draft",
        "states": {
            "draft": {"title": {"en": "Draft", "zh-CN": "草稿"}},
            "submitted": {"title": {"en": "Submitted", "zh-CN": "已提交"}, "readonly": True},
            "approved": {
                "title": {"en": "Approved", "zh-CN": "已批准"},
                "readonly": True,
                "final": True,
            },
        },
        "transitions": [
            {"id": "submit", "title": {"en": "Submit", "zh-CN": "提交"},
             "from": ["draft"], "to": "submitted", "owner_only": True},
            {"id": "approve", "title": {"en": "Approve", "zh-CN": "批准"},
             "from": ["submitted"], "to": "approved"},
        ],
    }  # fmt: skip
    return result


def add_state(
    pack: Mapping[str, Any], module_id: str, title: Mapping[str, str], state_id: str = ""
) -> tuple[Pack, str]:
    """The pack with a new state (id from the English title unless given), and its id."""
    result = copy.deepcopy(dict(pack))
    states = _workflow(result, module_id)["states"]
    name = state_id.strip() or suggest_id(title.get("en", ""), states, "state")
    if not FIELD_ID.match(name):
        raise refuse("/workflow/states", "builder_id_invalid", value=name, limit=63)
    if name in states:
        raise refuse("/workflow/states", "builder_state_taken", value=name)
    states[name] = {"title": dict(title)}
    return result, name


def set_state(
    pack: Mapping[str, Any],
    module_id: str,
    state_id: str,
    title: Mapping[str, str],
    *,
    readonly: bool = False,
    final: bool = False,
    initial: bool = False,
    due: tuple[str, str] = ("", "days"),
    on_due: str = "",
) -> Pack:
    """The state's titles and flags; `initial` makes it where new records start. `due` is
    (amount, unit): how long a record may stay before it is overdue (empty: no limit), and
    `on_due` the transition out of this state fired once it is (empty: none)."""
    result = copy.deepcopy(dict(pack))
    workflow = _workflow(result, module_id)
    state = workflow["states"].get(state_id)
    if not isinstance(state, dict):
        raise refuse("/workflow/states", "builder_unknown_state", value=state_id)
    state["title"] = dict(title)
    for key, value in (("readonly", readonly), ("final", final)):
        if value:
            state[key] = True
        else:
            state.pop(key, None)
    written_due = duration(*due)
    if written_due is None and isinstance(state.get("due"), dict):  # due on a date field: kept
        written_due = state["due"]
    timing = {"due": written_due, "on_due": _on_due(workflow, state_id, on_due.strip())}
    if timing["on_due"] and not timing["due"]:
        raise refuse(f"/workflow/states/{state_id}/on_due", "builder_on_due_without_due")
    for key, written in timing.items():
        if written:
            state[key] = written
        else:
            state.pop(key, None)
    if initial:
        workflow["initial"] = state_id
    return result


def duration(amount: str, unit: str) -> str | None:
    """A due time as ISO 8601 (`2`, `days` → `P2D`), None when no amount is given.

    The unit `iso` keeps a duration written by hand in a pack (`P1DT12H`) as it is.
    """
    amount = amount.strip()
    if not amount:
        return None
    path = "/workflow/states/due"
    if unit == "iso":
        if not ISO_DURATION.match(amount):
            raise refuse(path, "builder_due_invalid", value=amount, limit=DUE_LIMIT)
        return amount
    if unit not in DUE_UNITS:
        raise refuse(path, "builder_due_unit", value=unit)
    if not (amount.isascii() and amount.isdigit()) or not 0 < int(amount) <= DUE_LIMIT:
        raise refuse(path, "builder_due_invalid", value=amount, limit=DUE_LIMIT)
    return DUE_UNITS[unit].format(n=int(amount))


def due_parts(value: Any) -> tuple[str, str]:
    """A state's `due` as the form shows it: (amount, unit), the reverse of `duration`.

    Weeks, days and hours are written in the largest unit that keeps the amount whole
    (`P1DT12H` → 36 hours); anything else (months, minutes) is shown as written (`iso`).
    """
    if not isinstance(value, str) or not value:
        return "", "days"
    parts = re.fullmatch(r"P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?)?", value)
    if not parts or not any(parts.groups()):
        return value, "iso"
    weeks, days, hours = (int(n or 0) for n in parts.groups())
    total = (weeks * 7 + days) * 24 + hours
    if total == 0:
        return value, "iso"
    for unit, size in (("weeks", 168), ("days", 24)):
        if total % size == 0:
            return str(total // size), unit
    return str(total), "hours"


def _on_due(workflow: Mapping[str, Any], state_id: str, name: str) -> str | None:
    """The transition fired when a record is overdue: one that leaves this very state."""
    if not name:
        return None
    transition = next((t for t in workflow["transitions"] if t.get("id") == name), None)
    path = f"/workflow/states/{state_id}/on_due"
    if transition is None:
        raise refuse(path, "builder_unknown_transition", value=name)
    if state_id not in _sources(transition):
        raise refuse(path, "builder_on_due_wrong_state", value=name, state=state_id)
    return name


def leaving(workflow: Mapping[str, Any], state_id: str) -> list[str]:
    """The ids of the transitions that leave a state: what its `on_due` may name."""
    return [str(t.get("id")) for t in workflow.get("transitions", ()) if state_id in _sources(t)]


def _sources(transition: Mapping[str, Any]) -> list[str]:
    origin = transition.get("from", [])
    return [origin] if isinstance(origin, str) else [str(s) for s in origin]


def users_of_state(workflow: Mapping[str, Any], state_id: str) -> list[str]:
    """The transitions that leave or enter a state (which keep it from being removed)."""
    return [
        str(t.get("id"))
        for t in workflow.get("transitions", ())
        if t.get("to") == state_id or state_id in _sources(t) or t.get("on_due") == state_id
    ]


def remove_state(pack: Mapping[str, Any], module_id: str, state_id: str) -> Pack:
    """The pack without the state; refused while a transition uses it or records start in it."""
    result = copy.deepcopy(dict(pack))
    workflow = _workflow(result, module_id)
    if state_id not in workflow["states"]:
        raise refuse("/workflow/states", "builder_unknown_state", value=state_id)
    used = users_of_state(workflow, state_id)
    if used:
        raise refuse(
            "/workflow/states", "builder_state_in_use", value=state_id, transitions=", ".join(used)
        )
    if workflow.get("initial") == state_id:
        raise refuse("/workflow/states", "builder_state_initial", value=state_id)
    del workflow["states"][state_id]
    return result


def _quorum(value: str) -> str | int:
    """`any`, `all`, a number of votes (an int) or a share such as `60%`."""
    value = value.strip() or "any"
    if not QUORUM.match(value) or (value.endswith("%") and not 0 < int(value[:-1]) <= 100):
        raise refuse("/workflow/transitions", "builder_quorum_invalid", value=value)
    return int(value) if value.isdigit() else value


def _approval(quorum: str, by: str, who: str) -> dict[str, Any] | None:
    """The approval block, or None when the transition fires at once (no approvers)."""
    if not who.strip():
        return None
    if by not in ("role", "field"):
        raise refuse("/workflow/transitions", "builder_approvers_invalid", value=by)
    return {"quorum": _quorum(quorum), "approvers": {by: who.strip()}}


def set_transition(
    pack: Mapping[str, Any],
    module_id: str,
    transition_id: str,
    title: Mapping[str, str],
    sources: Iterable[str],
    target: str,
    *,
    roles: Iterable[str] = (),
    owner_only: bool = False,
    comment: str = "optional",
    when: str = "",
    approval: tuple[str, str, str] = ("any", "role", ""),
) -> tuple[Pack, str]:
    """The pack with the transition added (empty id: one derived from the English title) or
    changed, and its id. `approval` is (quorum, "role" or "field", role or field name)."""
    result = copy.deepcopy(dict(pack))
    workflow = _workflow(result, module_id)
    states, transitions = workflow["states"], workflow["transitions"]
    origins = [s for s in dict.fromkeys(sources) if s]
    for state in [*origins, target]:
        if state not in states:
            raise refuse("/workflow/transitions", "builder_unknown_state", value=state)
    if not origins:
        raise refuse("/workflow/transitions", "builder_transition_from_missing")
    if comment not in COMMENT_RULES:
        raise refuse("/workflow/transitions", "builder_comment_rule", value=comment)
    taken = [str(t.get("id")) for t in transitions]
    name = transition_id or suggest_id(title.get("en", ""), taken, "transition")
    existing = next((t for t in transitions if t.get("id") == name), None)
    if transition_id and existing is None:
        raise refuse("/workflow/transitions", "builder_unknown_transition", value=name)
    for state_id, state in states.items():  # a state fires it when overdue: it must leave it
        if isinstance(state, dict) and state.get("on_due") == name and state_id not in origins:
            raise refuse("/workflow/transitions", "builder_on_due_wrong_state", value=name,
                         state=state_id)  # fmt: skip
    entry: dict[str, Any] = dict(existing or {})
    entry.update({"id": name, "title": dict(title), "from": origins, "to": target})
    chosen = {
        "roles": [r for r in dict.fromkeys(roles) if r],
        "owner_only": owner_only or None,
        "comment": comment if comment != "optional" else None,
        "when": when.strip() or None,
        "approval": _approval(*approval),
    }
    for key, value in chosen.items():
        if value:
            entry[key] = value
        else:
            entry.pop(key, None)
    if entry.get("when"):
        checked = check_expression(result, module_id, "when", entry["when"])
        if checked.problems:  # code, an unknown field, a type clash: the editor's reasons
            raise ValidationFailed(list(checked.problems))
    if existing is None:
        transitions.append(entry)
    else:
        transitions[transitions.index(existing)] = entry
    return result, name


def remove_transition(pack: Mapping[str, Any], module_id: str, transition_id: str) -> Pack:
    """The pack without the transition (and without states' `on_due` naming it)."""
    result = copy.deepcopy(dict(pack))
    workflow = _workflow(result, module_id)
    kept = [t for t in workflow["transitions"] if t.get("id") != transition_id]
    if len(kept) == len(workflow["transitions"]):
        raise refuse("/workflow/transitions", "builder_unknown_transition", value=transition_id)
    workflow["transitions"] = kept
    for state in workflow["states"].values():
        if isinstance(state, dict) and state.get("on_due") == transition_id:
            del state["on_due"]
    return result
