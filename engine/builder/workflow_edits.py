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
) -> Pack:
    """The state's titles and flags; `initial` makes it where new records start."""
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
    if initial:
        workflow["initial"] = state_id
    return result


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
    comment: str = "none",
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
    entry: dict[str, Any] = dict(existing or {})
    entry.update({"id": name, "title": dict(title), "from": origins, "to": target})
    chosen = {
        "roles": [r for r in dict.fromkeys(roles) if r],
        "owner_only": owner_only or None,
        "comment": comment if comment != "none" else None,
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
