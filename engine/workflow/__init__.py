"""Workflow: states, transitions, approvals (votes, 转交, 加签), the inbox and due times."""

from engine.workflow.approvals import Progress
from engine.workflow.delegation import add_approver, delegate_vote
from engine.workflow.inbox import Inbox, InboxItem, inbox
from engine.workflow.tasks import mark_read
from engine.workflow.tick import TickReport, tick
from engine.workflow.transitions import (
    TransitionOption,
    TransitionResult,
    apply_transition,
    available_transitions,
)

__all__ = [
    "Inbox",
    "InboxItem",
    "Progress",
    "TickReport",
    "TransitionOption",
    "TransitionResult",
    "add_approver",
    "apply_transition",
    "available_transitions",
    "delegate_vote",
    "inbox",
    "mark_read",
    "tick",
]
