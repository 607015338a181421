"""The inbox: records waiting for the user's vote or step, copies sent to them, overdue ones.

Each row links to its record in one click and offers the steps that need no comment as
buttons right there (a step that needs a comment opens the record). The count in the
navigation comes from the same engine call (`engine.workflow.inbox`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from engine.catalog import load_catalog
from engine.definitions.model import Module
from engine.workflow import InboxItem
from engine.workflow import inbox as engine_inbox
from web.i18n import text
from web.pages.context import actor, db

TABS = ("waiting", "copied", "overdue")

bp = Blueprint("inbox", __name__)


@dataclass
class Row:
    item: InboxItem
    module: Module
    buttons: list[tuple[str, str]]  # (transition id, title): one click, no comment needed
    needs_comment: list[tuple[str, str]]


def _rows(items: list[InboxItem], modules: dict[str, Module]) -> list[Row]:
    rows = []
    for item in items:
        module = modules[item.record.module]
        buttons: list[tuple[str, str]] = []
        commented: list[tuple[str, str]] = []
        for transition_id in item.transitions:
            step = module.workflow.transition(transition_id) if module.workflow else None
            if step is None:
                continue
            title = text(step.title) or step.id
            (commented if step.comment == "required" else buttons).append((step.id, title))
        rows.append(Row(item, module, buttons, commented))
    return rows


def _in_tab(item: InboxItem, tab: str) -> bool:
    if tab == "copied":
        return item.reason == "copied"
    if tab == "overdue":
        return item.overdue
    return item.reason in ("vote", "transition")


@bp.get("/inbox")
@login_required
def index() -> ResponseReturnValue:
    """The user's inbox, one tab at a time (`?tab=waiting|copied|overdue`)."""
    tab = request.args.get("tab", "waiting")
    if tab not in TABS:
        tab = "waiting"
    with db() as session:
        box = engine_inbox(session, actor())
        modules = load_catalog(session).modules
        rows = _rows([i for i in box.items if _in_tab(i, tab)], modules)
        counts = {
            "waiting": box.counts.get("vote", 0) + box.counts.get("transition", 0),
            "copied": box.counts.get("copied", 0),
            "overdue": box.counts.get("overdue", 0),
        }
        return render_template("inbox/index.html", rows=rows, tab=tab, counts=counts)
