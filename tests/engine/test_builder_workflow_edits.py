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
