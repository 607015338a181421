"""A module's workflow operations in the OpenAPI document: the transitions open on a record,
one operation per workflow transition, and on an approval handing one's vote on (转交) and
adding an approver (加签).

A transition closed to every role of the reader (no record where they could take it) is
left out, and so are its vote operations.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.definitions.model import Module, Transition
from engine.workflow.transitions import MAX_COMMENT
from web.api.spec_context import Builder, Placed, SpecContext
from web.api.spec_parts import WRITE_ERRORS, ref, request_body, responses
from web.api.spec_records import record_id
from web.api.spec_schemas import transition_result

OPTIONAL_COMMENT: dict[str, Any] = {"type": ["string", "null"], "maxLength": MAX_COMMENT}
PROGRESS_ANSWER = {
    "type": "object",
    "required": ["progress"],
    "properties": {"progress": ref("Progress")},
}


def _options(ctx: SpecContext) -> Iterator[Placed]:
    for module in ctx.modules:
        if module.workflow is not None:
            yield (
                {"module_id": module.id},
                {
                    "operationId": f"{module.id}.transitions",
                    "summary": "The transitions of a record: available to the caller, or why not",
                    "tags": ctx.tag(module),
                    "parameters": [record_id(module)],
                    "responses": responses(200, ref("TransitionOptions"), (401, 404)),
                },
            )


def _open(ctx: SpecContext, approvals: bool = False) -> Iterator[tuple[Module, Transition]]:
    """Each transition the reader could take on some record (`approvals`: approvals only)."""
    for module in ctx.modules:
        answer = ctx.answer(module)
        for transition in module.workflow.transitions if module.workflow else ():
            step = answer.step(transition.id)
            if step is None or not step.available:
                continue
            if approvals and transition.approval is None:
                continue
            yield module, transition


def _fire(ctx: SpecContext) -> Iterator[Placed]:
    for module, transition in _open(ctx):
        yield (
            {"module_id": module.id, "transition_id": transition.id},
            _transition(ctx, module, transition),
        )


def _transition(ctx: SpecContext, module: Module, transition: Transition) -> dict[str, Any]:
    comment: dict[str, Any] = OPTIONAL_COMMENT
    if transition.comment == "required":
        comment = {"type": "string", "minLength": 1, "maxLength": MAX_COMMENT}
    body_properties: dict[str, Any] = {"version": {"type": "integer", "minimum": 1}}
    if transition.comment != "none":
        body_properties["comment"] = comment
    body = {
        "type": "object",
        "properties": body_properties,
        "required": ["comment"] if transition.comment == "required" else [],
        "additionalProperties": False,
    }
    vote = " An approval: each call is one vote; it fires at the quorum."
    return {
        "operationId": f"{module.id}.transition.{transition.id}",
        "summary": f"{ctx.text(transition.title)}: {', '.join(transition.sources)} → {transition.target}",
        "description": (
            f"Roles: {', '.join(transition.roles) or '-'}. Comment: {transition.comment}."
            + (vote if transition.approval else "")
        ),
        "tags": ctx.tag(module),
        "parameters": [record_id(module)],
        "x-formwork-transition": {
            "from": list(transition.sources),
            "to": transition.target,
            "roles": list(transition.roles),
            "approval": transition.approval is not None,
        },
        "requestBody": request_body(body, required=transition.comment == "required"),
        "responses": responses(200, transition_result(module.id), WRITE_ERRORS),
    }


def _vote_body(key: str, description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [key],
        "properties": {
            key: {"type": "string", "minLength": 1, "maxLength": 64, "description": description},
            "comment": OPTIONAL_COMMENT,
        },
        "additionalProperties": False,
    }


def _delegate(ctx: SpecContext) -> Iterator[Placed]:
    body = _vote_body("to", "the user who votes instead of the caller")
    for module, transition in _open(ctx, approvals=True):
        yield (
            {"module_id": module.id, "transition_id": transition.id},
            {
                "operationId": f"{module.id}.delegate.{transition.id}",
                "summary": f"Hand the caller's vote on {ctx.text(transition.title)} to another user",
                "tags": ctx.tag(module),
                "parameters": [record_id(module)],
                "requestBody": request_body(body),
                "responses": responses(200, PROGRESS_ANSWER, WRITE_ERRORS),
            },
        )


def _approvers(ctx: SpecContext) -> Iterator[Placed]:
    body = _vote_body("user", "the user who becomes one more approver")
    for module, transition in _open(ctx, approvals=True):
        yield (
            {"module_id": module.id, "transition_id": transition.id},
            {
                "operationId": f"{module.id}.approvers.{transition.id}",
                "summary": f"Add one more approver to {ctx.text(transition.title)}",
                "tags": ctx.tag(module),
                "parameters": [record_id(module)],
                "requestBody": request_body(body),
                "responses": responses(201, PROGRESS_ANSWER, WRITE_ERRORS),
            },
        )


TRANSITION_OPERATIONS: dict[str, Builder] = {
    "transitions.options": _options,
    "transitions.fire": _fire,
    "transitions.delegate": _delegate,
    "transitions.approvers": _approvers,
}
