"""The builder's workflow edits: states and transitions of a draft's module, each refused
with a coded reason when the admin's input cannot be taken."""

from __future__ import annotations

import pytest

from engine.builder import workflow_edits as wf
from engine.builder.diagram import draw_workflow
from engine.builder.edits import new_pack, start_module
from engine.errors import ValidationFailed


def _pack() -> dict:
    pack = new_pack("demo", "Demo", "")
    pack["roles"] = [{"id": "checker", "title": {"en": "Checker"}}]
    return wf.start_workflow(start_module(pack, "claims", {"en": "Claims"}), "claims")


def _workflow(pack: dict) -> dict:
    return pack["modules"][0]["workflow"]


def _code(refused: pytest.ExceptionInfo[ValidationFailed]) -> str:
    return refused.value.problems[0].code


def test_a_new_workflow_runs_from_draft_to_approved() -> None:
    workflow = _workflow(_pack())
    assert workflow["initial"] == "draft"
    assert list(workflow["states"]) == ["draft", "submitted", "approved"]
    assert [t["id"] for t in workflow["transitions"]] == ["submit", "approve"]
    with pytest.raises(ValidationFailed) as refused:
        wf.start_workflow(_pack(), "claims")
    assert _code(refused) == "builder_workflow_exists"


def test_a_state_gets_its_id_from_the_title_and_a_taken_id_is_refused() -> None:
    pack, name = wf.add_state(_pack(), "claims", {"en": "On hold", "zh-CN": "暂停"})
    assert name == "on_hold"
    assert _workflow(pack)["states"]["on_hold"] == {"title": {"en": "On hold", "zh-CN": "暂停"}}
    with pytest.raises(ValidationFailed) as refused:
        wf.add_state(pack, "claims", {"en": "x"}, "draft")
    assert _code(refused) == "builder_state_taken"
    with pytest.raises(ValidationFailed) as refused:
        wf.add_state(pack, "claims", {"en": "x"}, "<b>")
    assert _code(refused) == "builder_id_invalid"


def test_flags_and_the_initial_state_are_set() -> None:
    pack = wf.set_state(_pack(), "claims", "submitted", {"en": "Sent"}, final=True, initial=True)
    state = _workflow(pack)["states"]["submitted"]
    assert state == {"title": {"en": "Sent"}, "final": True}
    assert _workflow(pack)["initial"] == "submitted"


def test_a_state_a_transition_uses_is_not_removed_and_the_reason_names_it() -> None:
    with pytest.raises(ValidationFailed) as refused:
        wf.remove_state(_pack(), "claims", "submitted")
    assert _code(refused) == "builder_state_in_use"
    assert refused.value.problems[0].params["transitions"] == "submit, approve"
    pack, _ = wf.add_state(_pack(), "claims", {"en": "Spare"})
    assert "spare" not in _workflow(wf.remove_state(pack, "claims", "spare"))["states"]


def test_a_transition_with_roles_and_a_quorum_is_added_then_changed_then_removed() -> None:
    pack, _ = wf.add_state(_pack(), "claims", {"en": "Rejected"})
    pack, name = wf.set_transition(
        pack, "claims", "", {"en": "Send back"}, ["submitted"], "rejected",
        roles=["checker"], comment="required", approval=("60%", "role", "checker"),
    )  # fmt: skip
    assert name == "send_back"
    added = _workflow(pack)["transitions"][-1]
    assert added == {
        "id": "send_back", "title": {"en": "Send back"}, "from": ["submitted"],
        "to": "rejected", "roles": ["checker"], "comment": "required",
        "approval": {"quorum": "60%", "approvers": {"role": "checker"}},
    }  # fmt: skip
    pack, _ = wf.set_transition(
        pack, "claims", "send_back", {"en": "Send back"}, ["submitted"], "draft",
        approval=("2", "field", "reviewer"),
    )  # fmt: skip
    changed = _workflow(pack)["transitions"][-1]
    assert changed["to"] == "draft" and "roles" not in changed and "comment" not in changed
    assert changed["approval"] == {"quorum": 2, "approvers": {"field": "reviewer"}}
    pack = wf.remove_transition(pack, "claims", "send_back")
    assert [t["id"] for t in _workflow(pack)["transitions"]] == ["submit", "approve"]


@pytest.mark.parametrize(
    ("sources", "target", "extra", "code"),
    [
        (["nowhere"], "draft", {}, "builder_unknown_state"),
        ([], "draft", {}, "builder_transition_from_missing"),
        (["draft"], "approved", {"comment": "maybe"}, "builder_comment_rule"),
        (
            ["draft"],
            "approved",
            {"approval": ("150%", "role", "checker")},
            "builder_quorum_invalid",
        ),
        (["draft"], "approved", {"approval": ("all", "code", "x")}, "builder_approvers_invalid"),
    ],
)
def test_bad_transitions_are_refused_with_their_reason(
    sources: list[str], target: str, extra: dict, code: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        wf.set_transition(_pack(), "claims", "", {"en": "Go"}, sources, target, **extra)
    assert _code(refused) == code


def test_an_added_state_no_transition_reaches_is_flagged_in_the_drawing() -> None:
    pack, _ = wf.add_state(_pack(), "claims", {"en": "Limbo"})
    drawing = draw_workflow(_workflow(pack))
    assert "Limbo" in drawing.svg
    assert any(
        p.code == "diagram_unreachable" and p.params.get("state") == "limbo"
        for p in drawing.problems
    )


def test_a_guard_is_checked_like_the_expression_editor_checks_it() -> None:
    pack = start_module(new_pack("demo", "Demo", ""), "claims", {"en": "Claims"})
    pack["modules"][0]["schema"]["properties"]["amount"] = {"type": "number"}
    pack = wf.start_workflow(pack, "claims")
    done, _ = wf.set_transition(
        pack, "claims", "submit", {"en": "Submit"}, ["draft"], "submitted", when="amount > 0"
    )
    assert _workflow(done)["transitions"][0]["when"] == "amount > 0"
    for bad in ("nothing > 0", "__import__('os')", "amount > 'x'"):
        with pytest.raises(ValidationFailed):
            wf.set_transition(
                pack, "claims", "submit", {"en": "Submit"}, ["draft"], "submitted", when=bad
            )


@pytest.mark.parametrize(
    ("amount", "unit", "written"),
    [("2", "days", "P2D"), ("4", "hours", "PT4H"), ("1", "weeks", "P1W"), ("", "days", None)],
)
def test_a_due_time_is_written_as_iso_8601_and_shown_back_the_same_way(
    amount: str, unit: str, written: str | None
) -> None:
    assert wf.duration(amount, unit) == written
    if written:
        assert wf.due_parts(written) == (amount, unit)


def test_a_hand_written_due_is_shown_in_the_largest_whole_unit_or_as_written() -> None:
    assert wf.due_parts("P1DT12H") == ("36", "hours")
    assert wf.due_parts("P14D") == ("2", "weeks")
    assert wf.due_parts("P1M") == ("P1M", "iso")
    assert wf.duration("P1M", "iso") == "P1M"


@pytest.mark.parametrize(
    ("due", "on_due", "code"),
    [
        (("0", "days"), "", "builder_due_invalid"),
        (("1.5", "days"), "", "builder_due_invalid"),
        (("٣", "days"), "", "builder_due_invalid"),  # a digit, but not an ASCII one
        (("10000", "hours"), "", "builder_due_invalid"),
        (("2", "months"), "", "builder_due_unit"),
        (("P2X", "iso"), "", "builder_due_invalid"),
        (("2", "days"), "submit", "builder_on_due_wrong_state"),
        (("2", "days"), "nope", "builder_unknown_transition"),
        (("", "days"), "approve", "builder_on_due_without_due"),
    ],
)
def test_a_bad_due_time_or_on_due_is_refused(due: tuple[str, str], on_due: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        wf.set_state(_pack(), "claims", "submitted", {"en": "Submitted"}, due=due, on_due=on_due)
    assert _code(refused) == code


def test_the_on_due_transition_must_keep_leaving_its_state() -> None:
    pack = wf.set_state(_pack(), "claims", "submitted", {"en": "Submitted"}, due=("2", "days"),
                        on_due="approve")  # fmt: skip
    assert wf.leaving(_workflow(pack), "submitted") == ["approve"]
    with pytest.raises(ValidationFailed) as refused:
        wf.set_transition(pack, "claims", "approve", {"en": "Approve"}, ["draft"], "approved")
    assert _code(refused) == "builder_on_due_wrong_state"
    drawing = draw_workflow(_workflow(pack))
    assert 'class="wf-edge wf-edge-forward wf-edge-auto" data-transition="approve"' in drawing.svg
    assert "automatic" in drawing.svg and 'class="wf-clock"' in drawing.svg
