"""What the workflow tells people, on the bundled packs: a foreman submits a tally and the
site manager of its project is told it waits for him (the one of another project is not);
he approves and the foreman hears the decision with his comment, the accountants a copy;
a contract approved copies the accountants with the pack's message, its values as text."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine import webhooks
from engine.accounts import actor_of
from engine.actor import SYSTEM, Actor
from engine.attachments import LocalFolder
from engine.catalog import load_catalog
from engine.db import transaction
from engine.errors import ProblemsError, TransitionRefused
from engine.grants import add_grant
from engine.imports.jobs_run import interrupt_stale, run_job
from engine.models import Task, User, utcnow
from engine.models_imports import ImportJob
from engine.models_notifications import Notification
from engine.notifications.triggers import outcome
from engine.packs import import_pack
from engine.records import create_record, list_records
from engine.workflow import apply_transition, delegate_vote
from tests.engine.people import make_user
from tests.receiver import running_receiver

MODULES = Path(__file__).resolve().parents[2] / "modules"


def notes(session: Session, name: str, event: str | None = None) -> list[Notification]:
    statement = select(Notification).where(Notification.user_name == name)
    if event is not None:
        statement = statement.where(Notification.event == event)
    return list(session.scalars(statement.order_by(Notification.id)))


def project_id(session: Session, code: str) -> str:
    (found,) = [p for p in list_records(session, "project", SYSTEM).items if p.data["code"] == code]
    return found.id


def scoped(session: Session, name: str, role: str, project: str) -> Actor:
    """A user of `role` granted one project (a site manager's row scope)."""
    make_user(session, name, role)
    add_grant(session, name, "project", project)
    user = session.scalar(select(User).where(User.name == name))
    return actor_of(user)


@pytest.fixture
def site(session: Session) -> dict[str, Any]:
    import_pack(session, (MODULES / "construction.json").read_text(encoding="utf-8"))
    one, two = project_id(session, "PRJ-2026-001"), project_id(session, "PRJ-2026-002")
    return {
        "project": one,
        "lee": make_user(session, "lee", "foreman"),
        "zhao": scoped(session, "zhao", "site_manager", one),
        "qian": scoped(session, "qian", "site_manager", two),
        "acc": make_user(session, "acc", "accountant"),
    }


def tally(session: Session, site: dict[str, Any], worker: str = "王伟") -> str:
    data = {
        "project": site["project"],
        "date": "2026-03-02",
        "worker": worker,
        "trade": "rebar",
        "items": [{"content": "Tie slab rebar", "hours": 8, "rate": "38.50"}],
    }
    return create_record(session, "labour_tally", data, site["lee"]).id


def test_submitting_tells_the_approver_in_scope_and_nobody_else(session, site) -> None:
    record_id = tally(session, site)
    apply_transition(session, "labour_tally", record_id, "submit", site["lee"])
    (note,) = notes(session, "zhao")
    (item,) = session.scalars(select(Task).where(Task.record_id == record_id, Task.kind == "vote"))
    assert (note.event, note.key, note.module, note.record_id) == (
        "task",
        f"task:{item.id}",
        "labour_tally",
        record_id,
    )
    assert note.actor == "lee"
    params = note.params
    assert params["kind"] == "vote" and params["transition"] == "approve"
    assert params["transition_label"]["zh-CN"] and params["transition_label"]["en"]
    assert params["state_label"] == {"en": "Submitted", "zh-CN": "已提交"}
    assert params["title"].startswith("LT-") and params["title"].endswith("王伟")
    assert params["module_title"]["en"] and params["module_title"]["zh-CN"]
    assert params["due_at"].startswith(item.due_at.isoformat()[:16])  # P2D after submitting
    assert notes(session, "qian") == []  # another project's site manager may not read it
    assert notes(session, "lee") == []  # nobody is told of what they did themselves
    assert notes(session, "acc") == []  # nothing waits for the accountant yet


def test_approving_tells_the_owner_with_the_comment_and_copies_the_accountants(
    session, site
) -> None:
    record_id = tally(session, site)
    apply_transition(session, "labour_tally", record_id, "submit", site["lee"])
    result = apply_transition(
        session,
        "labour_tally",
        record_id,
        "approve",
        site["zhao"],
        comment="工时核对无误 <b>OK</b>",
    )
    assert result.fired and result.notified == ["acc"]
    (decision,) = notes(session, "lee", "decision")
    assert decision.actor == "zhao" and decision.key.startswith(
        f"decision:labour_tally:{record_id}:"
    )
    assert decision.params["outcome"] == "approved"
    assert decision.params["comment"] == "工时核对无误 <b>OK</b>"  # as written: worded later
    assert decision.params["state_label"]["en"] == "Approved"
    (copied,) = notes(session, "acc", "copied")
    assert copied.params["message"] is None  # the pack gives no message: worded from the rest
    assert copied.params["transition"] == "approve" and copied.params["comment"]
    assert [n.event for n in notes(session, "zhao")] == ["task"]  # the approver: only his item


def test_a_rejection_and_a_withdrawal(session, site) -> None:
    record_id = tally(session, site)
    apply_transition(session, "labour_tally", record_id, "submit", site["lee"])
    apply_transition(session, "labour_tally", record_id, "withdraw", site["lee"])
    assert notes(session, "lee") == []  # the owner withdrew it himself
    apply_transition(session, "labour_tally", record_id, "submit", site["lee"])
    apply_transition(
        session, "labour_tally", record_id, "reject", site["zhao"], comment="缺考勤照片"
    )
    (decision,) = notes(session, "lee", "decision")
    assert (decision.params["outcome"], decision.params["comment"]) == ("rejected", "缺考勤照片")
    assert len(notes(session, "zhao", "task")) == 2  # one for each time it waited for him


def test_a_vote_handed_on_tells_the_one_who_now_has_it(session, site) -> None:
    sun = scoped(session, "sun", "site_manager", site["project"])
    record_id = tally(session, site)
    apply_transition(session, "labour_tally", record_id, "submit", site["lee"])
    assert [n.event for n in notes(session, "sun")] == ["task"]  # a second site manager
    with pytest.raises(TransitionRefused), session.begin_nested():  # may not read it: refused
        delegate_vote(session, "labour_tally", record_id, "approve", site["zhao"], "qian")
    assert notes(session, "qian") == []
    told = len(notes(session, "sun"))
    delegate_vote(session, "labour_tally", record_id, "approve", site["zhao"], "acc")
    (note,) = notes(session, "acc", "task")
    assert note.actor == "zhao" and note.params["kind"] == "vote"
    assert len(notes(session, "sun")) == told and sun.name == "sun"


def test_what_a_move_means_to_the_owner(session) -> None:
    import_pack(session, (MODULES / "construction.json").read_text(encoding="utf-8"))
    import_pack(session, (MODULES / "contracts.json").read_text(encoding="utf-8"))
    catalog = load_catalog(session)

    def meaning(module_id: str, transition_id: str, source: str) -> str:
        module = catalog.modules[module_id]
        assert module.workflow is not None
        transition = module.workflow.transition(transition_id)
        assert transition is not None
        return outcome(module, transition, source)

    assert meaning("contract", "approve_settlement", "settlement_review") == "approved"  # votes
    assert meaning("contract", "reject", "review") == "rejected"  # submitted again from there
    assert meaning("contract", "return_settlement", "settlement_review") == "returned"  # earlier
    assert meaning("fund", "send_back", "manager_review") == "returned"
    assert meaning("contract", "approve", "review") == "moved"  # no vote: a move forward
    assert meaning("contract", "release_retention", "settled") == "moved"


@pytest.fixture
def contracts(session: Session) -> dict[str, Any]:
    for name in ("construction", "contracts"):
        import_pack(session, (MODULES / f"{name}.json").read_text(encoding="utf-8"))
    return {
        "chen": make_user(session, "chen", "commercial"),
        "zhao": make_user(session, "zhao", "site_manager"),
        "hu": make_user(session, "hu", "accountant"),
        "sun": make_user(session, "sun", "viewer"),
    }


def test_a_copied_accountant_reads_the_packs_message_with_the_values_as_text(
    session, contracts
) -> None:
    hostile = "<script>x</script> {name} {{signed_amount}}"
    data = {
        "project": project_id(session, "PRJ-2026-001"),
        "name": "幕墙专业分包 Façade subcontract",
        "contract_type": "subcontract",
        "counterparty": hostile,
        "signed_amount": "850000.00",
        "signed_on": "2026-03-01",
    }
    record = create_record(session, "contract", data, contracts["chen"])
    apply_transition(session, "contract", record.id, "submit", contracts["chen"])
    apply_transition(session, "contract", record.id, "approve", contracts["zhao"])
    (copied,) = notes(session, "hu", "copied")
    number = copied.params["title"].split()[0]
    assert number.startswith("PRJ-2026-001-HT-")
    assert copied.params["message"] == {
        "en": f"Contract {number} with {hostile} for 850000.00 is in force: "
        "enter it in the funds plan",
        "zh-CN": f"合同 {number}（{hostile}，签约额 850000.00 元）已生效，请纳入资金计划",
    }
    assert notes(session, "sun") == []  # a viewer is not copied
    (decision,) = notes(session, "chen", "decision")
    assert decision.params["outcome"] == "moved" and decision.params["state_label"]["en"]


def _contracts_pack() -> dict[str, Any]:
    return json.loads((MODULES / "contracts.json").read_text(encoding="utf-8"))


def _approve_index(pack: dict[str, Any]) -> int:
    transitions = pack["modules"][0]["workflow"]["transitions"]
    return next(i for i, t in enumerate(transitions) if t["id"] == "approve")


def test_a_misspelt_placeholder_is_refused_at_import_at_its_place(session) -> None:
    import_pack(session, (MODULES / "construction.json").read_text(encoding="utf-8"))
    pack = _contracts_pack()
    index = _approve_index(pack)
    notify = pack["modules"][0]["workflow"]["transitions"][index]["notify"]
    notify["message"]["en"] = "Contract {$number} of {signed_amout} ({items})"
    with pytest.raises(ProblemsError) as refused:
        import_pack(session, copy.deepcopy(pack))
    problems = {(p.path, p.code): p for p in refused.value.problems}
    where = f"/modules/0/workflow/transitions/{index}/notify/message/en"
    unknown = problems[(where, "notify_message_unknown")]
    assert unknown.params["token"] == "signed_amout"
    assert "did you mean 'signed_amount'" in unknown.message
    assert len(problems) == 1  # {$number} is the record's number
    assert "contract" not in load_catalog(session).modules  # nothing installed


def test_a_message_needs_both_languages_and_a_printable_value(session) -> None:
    import_pack(session, (MODULES / "construction.json").read_text(encoding="utf-8"))
    pack = _contracts_pack()
    index = _approve_index(pack)
    notify = pack["modules"][0]["workflow"]["transitions"][index]["notify"]
    del notify["message"]["zh-CN"]
    with pytest.raises(ProblemsError) as refused:
        import_pack(session, copy.deepcopy(pack))
    paths = [p.path for p in refused.value.problems]
    assert any(p.startswith(f"/modules/0/workflow/transitions/{index}/notify") for p in paths)
    notify["message"]["zh-CN"] = "合同 {project} 已生效"  # a link prints a record id
    with pytest.raises(ProblemsError) as refused:
        import_pack(session, copy.deepcopy(pack))
    (problem,) = refused.value.problems
    assert problem.path.endswith("/notify/message/zh-CN")
    assert problem.code == "notify_message_not_a_value"


def _job(session: Session, by: str | None, **values: Any) -> int:
    user = session.scalar(select(User).where(User.name == by)) if by else None
    job = ImportJob(
        module="labour_tally",
        file_id="f" * 32,
        file_name="考勤 <b>March</b>.csv",
        user_id=user.id if user else None,
        by=by,
        options={"mode": "all"},
        status="running",
        **values,
    )
    session.add(job)
    session.flush()
    return job.id


def test_a_failed_or_interrupted_import_tells_the_admins_and_who_started_it(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    with transaction(session_factory) as session:
        import_pack(session, (MODULES / "construction.json").read_text(encoding="utf-8"))
        make_user(session, "root", "admin")
        make_user(session, "clerk", "accountant")
        make_user(session, "lee", "foreman")
        missing = _job(session, "clerk")  # its file is not in the store
        stale = _job(session, None, heartbeat_at=utcnow() - dt.timedelta(minutes=5))
    run_job(session_factory, LocalFolder(tmp_path), missing)
    assert interrupt_stale(session_factory) == [stale]
    with session_factory() as session:
        told = {(n.user_name, n.key) for n in session.scalars(select(Notification))}
        assert told == {
            ("root", f"import_failed:{missing}"),
            ("clerk", f"import_failed:{missing}"),
            ("root", f"import_failed:{stale}"),  # queued from the command line: admins only
        }
        (note,) = notes(session, "clerk")
        assert (note.event, note.module, note.record_id) == ("import_failed", "labour_tally", None)
        assert note.params["file_name"] == "考勤 <b>March</b>.csv"
        assert note.params["job_id"] == missing and note.params["error"]
        assert note.params["module_title"] == {"en": "Labour tally", "zh-CN": "点工汇总"}
        (interrupted,) = [n for n in notes(session, "root") if n.params["job_id"] == stale]
        assert interrupted.params["status"] == "interrupted"
    assert interrupt_stale(session_factory) == []  # marked once, told once


def test_a_webhook_given_up_after_its_last_attempt_tells_the_admins(
    session_factory: sessionmaker[Session],
) -> None:
    with running_receiver() as receiver:
        receiver.statuses = [503] * webhooks.MAX_ATTEMPTS
        with transaction(session_factory) as session:
            import_pack(session, (MODULES / "construction.json").read_text(encoding="utf-8"))
            make_user(session, "root", "admin")
            lee = make_user(session, "lee", "foreman")
            hook = webhooks.add_webhook(session, receiver.url, ["created"], allow_private=True)
            record_id = tally(session, {"project": project_id(session, "PRJ-2026-001"), "lee": lee})
            hook_id = hook.id
        now = utcnow()
        for attempt in range(1, webhooks.MAX_ATTEMPTS + 1):
            report = webhooks.deliver_due(session_factory, now=now)
            with session_factory() as session:
                told = notes(session, "root")
            last = attempt == webhooks.MAX_ATTEMPTS
            assert (len(told), len(report.failed)) == ((1, 1) if last else (0, 0))
            now += webhooks.backoff(attempt)
    assert len(receiver.received) == webhooks.MAX_ATTEMPTS
    (note,) = told
    assert (note.event, note.module, note.record_id) == (
        "webhook_failed",
        "labour_tally",
        record_id,
    )
    assert note.key == f"webhook_failed:{report.failed[0]}"
    assert note.params["webhook_id"] == hook_id and note.params["event"] == "created"
    assert "503" in note.params["error"] and note.params["url"] == receiver.url


def test_a_value_the_copied_role_may_not_see_is_left_out_of_the_message(session) -> None:
    pack = json.loads((MODULES / "construction.json").read_text(encoding="utf-8"))
    tally_module = next(m for m in pack["modules"] if m["id"] == "labour_tally")
    approve = next(t for t in tally_module["workflow"]["transitions"] if t["id"] == "approve")
    approve["notify"] = {
        "role": "viewer",  # the viewer's rule hides amount
        "message": {"en": "{worker}: {amount}", "zh-CN": "{worker}：{amount} 元"},
    }
    import_pack(session, pack)
    project = project_id(session, "PRJ-2026-001")
    site = {
        "project": project,
        "lee": make_user(session, "lee", "foreman"),
        "zhao": scoped(session, "zhao", "site_manager", project),
    }
    make_user(session, "vic", "viewer")
    record_id = tally(session, site)
    apply_transition(session, "labour_tally", record_id, "submit", site["lee"])
    apply_transition(session, "labour_tally", record_id, "approve", site["zhao"])
    (copied,) = notes(session, "vic", "copied")
    assert copied.params["message"] == {"en": "王伟: —", "zh-CN": "王伟：— 元"}
