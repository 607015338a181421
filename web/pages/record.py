"""The record page: its data, number and state, the steps open to the user, votes, history.

Every button (edit, delete, each step, 转交, 加签) reads one answer, the record's
abilities (`engine.workflow.abilities.record_abilities`), so a button is shown exactly
when the engine would take the action; a transition that needs a comment asks for it in
a dialog. On an open approval the page shows the progress ("2 of 3 approved") and who voted, and lets an
approver delegate their vote (转交) or a holder of the role add an approver (加签). The
history is the engine's, with the values of fields hidden from the reader masked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy.orm import Session

from engine.abilities import Abilities
from engine.actor import Actor
from engine.audit import visible_history
from engine.catalog import load_catalog
from engine.definitions.model import Module
from engine.errors import (
    Conflict,
    FormworkError,
    StateLocked,
    TransitionRefused,
    ValidationFailed,
)
from engine.records import delete_record, get_record
from engine.records.create_from import offers
from engine.records.model import Record
from engine.related import related_links
from engine.workflow import (
    add_approver,
    apply_transition,
    delegate_vote,
    mark_read,
)
from engine.workflow.abilities import record_abilities
from engine.workflow.approvals import Progress
from web import errors
from web.i18n import text
from web.pages.context import actor, db, forget_tasks, request_tasks
from web.pages.formviews import form_context, sections
from web.pages.messages import message_text, reason_text
from web.pages.pickers import user_options
from web.params import whole_number

bp = Blueprint("record", __name__)


@dataclass
class Step:
    """A transition as the record page offers it."""

    id: str
    title: str
    comment: str  # none | optional | required
    vote: bool
    available: bool
    reason: str | None
    progress: Progress | None
    may_delegate: bool = False
    may_add: bool = False


def _steps(module: Module, answer: Abilities) -> list[Step]:
    """The record's transitions as its abilities answer them, with titles to show."""
    steps = []
    for option in answer.transitions:
        transition = module.workflow.transition(option.id) if module.workflow else None
        steps.append(
            Step(
                option.id,
                (text(transition.title) if transition is not None else "") or option.id,
                transition.comment if transition is not None else "optional",
                transition is not None and transition.approval is not None,
                option.available,
                reason_text(option.reason) if option.reason else None,
                option.progress,
                option.delegate,
                option.add_approver,
            )
        )
    return steps


def _done(progress: Progress) -> int:
    """Votes cast, or with several approver groups the groups that have approved."""
    return sum(g.reached for g in progress.groups) if progress.groups else len(progress.voted)


def _history(session: Session, module: Module, item: Record, who: Actor) -> list[dict[str, Any]]:
    entries = visible_history(session, module.id, item.id, who, in_scope=True)  # item was read
    entries.reverse()  # newest first
    return entries


def _mark_copies_read(session: Session, module: Module, item: Record, who: Actor) -> None:
    """Opening a record copied to the user (抄送) marks that inbox item read."""
    now = dt.datetime.now(dt.UTC)
    mine = [t for t in request_tasks(session) if (t.module, t.record_id) == (module.id, item.id)]
    kinds = {t.kind for t in mine}
    if who.name and "copied" in kinds and not kinds & {"vote", "transition"}:  # nothing else waits
        for task in mine:
            mark_read(session, who.name, task.id, now)
        forget_tasks()


def render_record(
    session: Session,
    module: Module,
    item: Record,
    who: Actor,
    status: int = 200,
    notice: str | None = None,
) -> ResponseReturnValue:
    answer = record_abilities(session, module, item, who)
    steps = _steps(module, answer)
    ctx = form_context(session, module, who, item, data={}, answer=answer)
    views = sections(session, ctx, read_only=True)
    approvers = any(s.may_delegate or s.may_add for s in steps)
    return render_template(
        "records/record.html",
        module=module,
        active_module=module.id,
        record=item,
        sections=views,
        steps=steps,
        open_steps=[s for s in steps if s.available],
        votes=[s for s in steps if s.progress is not None],
        history=_history(session, module, item, who),
        may_edit=answer.edit,
        may_delete=answer.delete,
        users=user_options(session) if approvers else [],
        notice=notice,
        related=related_links(load_catalog(session), module, who),
        create_from=offers(load_catalog(session), module, item, who),
    ), status


@bp.get("/m/<module_id>/r/<record_id>")
@login_required
def show(module_id: str, record_id: str) -> ResponseReturnValue:
    who = actor()
    with db() as session:
        module = load_catalog(session).module(module_id)
        item = get_record(session, module_id, record_id, who)
        _mark_copies_read(session, module, item, who)
        return render_record(session, module, item, who)


def _version() -> int | None:
    raw = request.form.get("_version", "")
    if raw == "":
        return None
    version = whole_number(raw)
    if version is None:
        abort(400)
    return version


def _refused(module_id: str, record_id: str, error: FormworkError) -> ResponseReturnValue:
    """The record page again, saying why the step was refused, with the error's status."""
    if isinstance(error, TransitionRefused):
        notice = reason_text(error.problem)
    elif isinstance(error, StateLocked):
        notice = _("The record cannot be deleted in its current state.")
    elif isinstance(error, Conflict):
        notice = _("Someone changed this record meanwhile. Look at it again and retry.")
    elif isinstance(error, ValidationFailed):
        notice = "; ".join(message_text(p) for p in error.problems)
    else:
        raise error
    who = actor()
    with db() as session:
        module = load_catalog(session).module(module_id)
        item = get_record(session, module_id, record_id, who)
        return render_record(session, module, item, who, errors.status_of(error), notice)


@bp.post("/m/<module_id>/r/<record_id>/t/<transition_id>")
@login_required
def transition(module_id: str, record_id: str, transition_id: str) -> ResponseReturnValue:
    """Take a transition or cast a vote; back to the record saying what happened."""
    who = actor()
    comment = request.form.get("comment") or None
    try:
        with db() as session:
            result = apply_transition(
                session,
                module_id,
                record_id,
                transition_id,
                who,
                comment=comment,
                version=_version(),
            )
            module = load_catalog(session).module(module_id)
    except (TransitionRefused, Conflict, ValidationFailed) as error:
        return _refused(module_id, record_id, error)
    step = module.workflow.transition(transition_id) if module.workflow else None
    title = text(step.title) if step is not None and step.title else transition_id
    if result.fired:
        flash(_("Done: %(step)s.", step=title), "success")
    elif result.progress is not None:
        flash(
            _(
                "Your vote was recorded: %(voted)s of %(needed)s.",
                voted=_done(result.progress),
                needed=result.progress.needed,
            ),
            "success",
        )
    target = request.form.get("next")
    if target == "inbox":
        return redirect(url_for("inbox.index"), code=303)
    return redirect(url_for("record.show", module_id=module_id, record_id=record_id), code=303)


@bp.post("/m/<module_id>/r/<record_id>/approvers/<transition_id>")
@login_required
def approvers(module_id: str, record_id: str, transition_id: str) -> ResponseReturnValue:
    """转交 (`action=delegate`) or 加签 (`action=add`) on an open approval."""
    who = actor()
    user = (request.form.get("user") or "").strip()
    comment = request.form.get("comment") or None
    action = request.form.get("action")
    if action not in ("delegate", "add") or not user:
        abort(400)
    try:
        with db() as session:
            if action == "delegate":
                delegate_vote(
                    session, module_id, record_id, transition_id, who, user, comment=comment
                )
            else:
                add_approver(
                    session, module_id, record_id, transition_id, who, user, comment=comment
                )
    except (TransitionRefused, Conflict, ValidationFailed) as error:
        return _refused(module_id, record_id, error)
    if action == "delegate":
        flash(_("Your vote was handed to %(user)s.", user=user), "success")
    else:
        flash(_("%(user)s was added as an approver.", user=user), "success")
    return redirect(url_for("record.show", module_id=module_id, record_id=record_id), code=303)


@bp.post("/m/<module_id>/r/<record_id>/delete")
@login_required
def delete(module_id: str, record_id: str) -> ResponseReturnValue:
    who = actor()
    try:
        with db() as session:
            delete_record(session, module_id, record_id, who, version=_version())
    except Conflict as error:
        return _refused(module_id, record_id, error)
    flash(_("The record was deleted."), "success")
    return redirect(url_for("lists.records", module_id=module_id), code=303)
