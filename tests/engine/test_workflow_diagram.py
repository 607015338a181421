"""The drawing of a workflow: every bundled flow draws; states stand in columns by their
distance from the initial state; unreachable states and dead ends are flagged with their
codes; labels carry roles and quorums; hostile titles come out as text; same input, same SVG."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from engine.builder.diagram import Words, build_graph, draw_workflow, read_workflow_text
from engine.builder.diagram_graph import Context
from engine.errors import DefinitionError

PACK = json.loads(
    (Path(__file__).resolve().parents[2] / "modules" / "construction.json").read_text()
)
ROLES = {r["id"]: r["title"] for r in PACK["roles"]}
FLOWS = {m["id"]: m["workflow"] for m in PACK["modules"] if m.get("workflow")}
SVG = "{http://www.w3.org/2000/svg}"


def graph_of(workflow: Any) -> Any:
    return build_graph(workflow, Context(ROLES, {}, "en", Words()))


def states(svg: str) -> dict[str, str]:
    """Each drawn state's id → its class list."""
    return {m[1]: m[0] for m in re.findall(r'<g class="(wf-state[^"]*)" data-state="([^"]+)"', svg)}


def box_x(svg: str, state: str) -> float:
    """Where a state's box starts, left to right."""
    found = re.search(rf'data-state="{state}"><title>.*?</title><rect x="([\d.]+)"', svg)
    assert found, state
    return float(found.group(1))


def label_text(svg: str, transition: str) -> str:
    labels = re.findall(rf'<g class="wf-label" data-transition="{transition}">(.*?)</g>', svg)
    return " ".join(re.sub(r"<[^>]+>", " ", label) for label in labels)


@pytest.mark.parametrize("module", sorted(FLOWS))
def test_every_bundled_workflow_draws_as_well_formed_svg(module: str) -> None:
    drawing = draw_workflow(FLOWS[module], roles=ROLES, title=module)
    root = ElementTree.fromstring(drawing.svg)  # well-formed XML, or this raises
    assert (
        root.tag == f"{SVG}svg"
        and root.get("viewBox") == f"0 0 {drawing.width:g} {drawing.height:g}"
    )
    assert set(states(drawing.svg)) == set(FLOWS[module]["states"])
    assert drawing.problems == ()
    assert "style" not in drawing.svg  # the CSP forbids inline styles: classes only
    edges = re.findall(r'class="wf-edge[^"]*" data-transition="([^"]+)"', drawing.svg)
    expected = sum(
        1 if isinstance(t["from"], str) else len(t["from"]) for t in FLOWS[module]["transitions"]
    )
    assert len(edges) == expected


def test_states_stand_in_layers_by_distance_from_the_initial_state() -> None:
    graph = graph_of(FLOWS["fund"])
    layers = {key: state.layer for key, state in graph.states.items()}
    assert layers == {"draft": 0, "finance_review": 1, "manager_review": 2, "rejected": 2,
                      "approved": 3, "settled": 4}  # fmt: skip
    drawing = draw_workflow(FLOWS["fund"], roles=ROLES)
    x = {key: box_x(drawing.svg, key) for key in layers}
    assert x["draft"] < x["finance_review"] < x["manager_review"] == x["rejected"] < x["approved"]
    back = re.search(r'class="wf-edge wf-edge-lane" data-transition="send_back"', drawing.svg)
    assert back, "the way back to finance runs round the drawing, not through it"


BROKEN = {
    "initial": "draft",
    "states": {
        "draft": {"title": "Draft"},
        "done": {"title": "Done", "final": True},
        "limbo": {"title": "Limbo"},
        "orphan": {"title": "Orphan"},
    },
    "transitions": [
        {"id": "finish", "from": "draft", "to": "done", "roles": ["site_manager"],
         "approval": {"quorum": 2, "approvers": {"role": "site_manager"}}},
        {"id": "park", "from": "draft", "to": "limbo", "roles": ["foreman"], "owner_only": True},
        {"id": "revive", "from": "orphan", "to": "draft", "comment": "required"},
        {"id": "lost", "from": "draft", "to": "nowhere"},
    ],
}  # fmt: skip


def test_unreachable_states_and_dead_ends_are_flagged_with_their_codes() -> None:
    drawing = draw_workflow(BROKEN, roles=ROLES)
    found = {(p.code, p.params.get("state")) for p in drawing.problems}
    assert found == {
        ("diagram_unknown_state", "nowhere"),
        ("diagram_dead_end", "limbo"),
        ("diagram_unreachable", "orphan"),
    }
    drawn = states(drawing.svg)
    assert "wf-dead-end" in drawn["limbo"] and "wf-unreachable" in drawn["orphan"]
    assert "wf-dead-end" not in drawn["done"]  # final: no way out is right
    assert "wf-unreachable" not in drawn["draft"] and "wf-dead-end" not in drawn["draft"]
    numbers = [p.code for p in drawing.problems]
    badge = numbers.index("diagram_dead_end") + 1
    assert re.search(rf'data-state="limbo">.*?<g class="wf-badge">.*?>{badge}</text>', drawing.svg)


def test_labels_carry_roles_quorum_approvers_and_marks() -> None:
    svg = draw_workflow(BROKEN, roles=ROLES).svg
    assert "Site manager" in label_text(svg, "finish") and "2 votes of Site manager" in label_text(
        svg, "finish"
    )
    assert "owner only" in label_text(svg, "park") and "Foreman" in label_text(svg, "park")
    assert "comment required" in label_text(svg, "revive")
    fund = draw_workflow(FLOWS["fund"], roles=ROLES, fields={"handler": "Handler"}).svg
    assert "60% of Accountant" in label_text(fund, "finance_approve")
    assert "not the owner" in label_text(fund, "finance_approve")
    tally = draw_workflow(FLOWS["labour_tally"], roles=ROLES, language="zh-CN",
                          words=Words(quorum_any="或签：{who}")).svg  # fmt: skip
    assert "或签：项目经理" in label_text(tally, "approve") and "驳回" in label_text(
        tally, "reject"
    )
    by_field = {**BROKEN, "transitions": [{"id": "ok", "from": "draft", "to": "done",
                "approval": {"quorum": "all", "approvers": {"field": "handler"}}}]}  # fmt: skip
    assert "all of user in Handler" in label_text(
        draw_workflow(by_field, fields={"handler": "Handler"}).svg, "ok"
    )


def test_hostile_titles_come_out_as_text() -> None:
    hostile = {
        "initial": "a",
        "states": {"a": {"title": '<script>alert("x")</script>'}, "b": {"title": "B & <b>", "final": True}},
        "transitions": [{"id": "go", "from": "a", "to": "b", "title": "</text><script>1</script>",
                         "roles": ["<img src=x onerror=alert(1)>"]}],
    }  # fmt: skip
    svg = draw_workflow(hostile, title="<svg onload=alert(1)>").svg
    ElementTree.fromstring(svg)
    assert "<script" not in svg and "<img" not in svg and "<svg onload" not in svg
    assert "&lt;script&gt;" in svg and "B &amp; &lt;b&gt;" in svg


def test_the_same_workflow_always_draws_the_same_svg() -> None:
    first = draw_workflow(FLOWS["fund"], roles=ROLES).svg
    again = draw_workflow(json.loads(json.dumps(FLOWS["fund"])), roles=ROLES).svg
    assert first == again


def test_fifteen_states_stay_readable_and_a_loop_draws() -> None:
    chain: dict[str, dict[str, Any]] = {f"s{i}": {"title": f"Step {i}"} for i in range(15)}
    chain["s14"]["final"] = True
    transitions = [{"id": f"t{i}", "from": f"s{i}", "to": f"s{i + 1}"} for i in range(14)]
    transitions.append({"id": "again", "from": "s3", "to": "s3", "title": "Comment"})
    drawing = draw_workflow({"initial": "s0", "states": chain, "transitions": transitions})
    assert drawing.problems == () and len(states(drawing.svg)) == 15
    assert 'class="wf-edge wf-edge-loop"' in drawing.svg
    assert (
        'class="wf-svg wf-svg-wide"' in drawing.svg
    )  # scrolls in its frame, never shrinks to specks
    assert 'class="wf-svg"' in draw_workflow(FLOWS["labour_tally"]).svg


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ([], ""),
        ({"initial": "a", "states": [], "transitions": []}, "/states"),
        ({"initial": "a", "states": {"a": 1}, "transitions": []}, "/states/a"),
        ({"initial": "a", "states": {"a": {}}, "transitions": {}}, "/transitions"),
        (
            {"initial": "a", "states": {"a": {}}, "transitions": [{"from": 1, "to": "a"}]},
            "/transitions/0/from",
        ),
        (
            {"initial": "a", "states": {f"s{i}": {} for i in range(41)}, "transitions": []},
            "/states",
        ),
    ],
)
def test_a_shape_it_cannot_read_is_refused_with_its_place(raw: Any, path: str) -> None:
    with pytest.raises(DefinitionError) as refused:
        draw_workflow(raw)
    assert [p.path for p in refused.value.problems] == [path]
    assert refused.value.problems[0].code in ("diagram_shape", "diagram_too_large")


def test_text_that_is_not_json_is_refused() -> None:
    with pytest.raises(DefinitionError) as refused:
        read_workflow_text("{oops")
    assert refused.value.problems[0].code == "diagram_not_json"
    with pytest.raises(DefinitionError):
        read_workflow_text("[" * 50_000 + "]" * 50_000)


def test_arrows_round_the_drawing_never_run_through_a_state() -> None:
    steps: dict[str, dict[str, Any]] = {f"s{i}": {"title": f"Step {i}"} for i in range(9)}
    steps["s8"]["final"] = True
    transitions: list[dict[str, Any]] = [
        {"id": f"t{i}", "from": f"s{i}", "to": f"s{i + 1}"} for i in range(8)
    ]
    transitions += [
        {"id": "fast", "from": "s1", "to": "s5"},  # s5 stands under s2 in the same column
        {"id": "back", "from": "s6", "to": "s5"},  # so going back into s5 from above crosses s2
        {"id": "again", "from": "s7", "to": "s2"},
    ]
    drawing = draw_workflow({"initial": "s0", "states": steps, "transitions": transitions})
    boxes = {
        key: tuple(map(float, found))
        for key, *found in re.findall(
            r'data-state="([^"]+)"><title>.*?</title><rect x="([\d.]+)" y="([\d.]+)" '
            r'width="([\d.]+)" height="([\d.]+)"',
            drawing.svg,
        )
    }
    lanes = re.findall(
        r'class="wf-edge wf-edge-lane" data-transition="[^"]+" data-from="([^"]+)" '
        r'data-to="([^"]+)"><title>.*?</title><path d="([^"]+)"',
        drawing.svg,
    )
    assert len(lanes) >= 2
    for source, target, d in lanes:
        points = [tuple(map(float, p)) for p in re.findall(r"([\d.]+) ([\d.]+)", d)]
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            for t in (i / 20 for i in range(21)):
                x, y = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
                for key, (bx, by, bw, bh) in boxes.items():
                    if key not in (source, target):
                        inside = bx + 1 < x < bx + bw - 1 and by + 1 < y < by + bh - 1
                        assert not inside, f"{source}→{target} runs through {key}"
