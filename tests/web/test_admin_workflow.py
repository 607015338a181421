"""The workflow drawing in the admin console: an installed module's state machine with its
flaws and a legend, and the redraw the builder asks for as the admin edits a workflow."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from flask.testing import FlaskClient

from tests.web.helpers import csrf_token

ZH = {"Accept-Language": "zh-CN"}
TWO_STATES = {
    "initial": "draft",
    "states": {
        "draft": {"title": {"en": "Draft", "zh-CN": "草稿"}},
        "done": {"title": {"en": "Done", "zh-CN": "完成"}, "final": True},
        "lost": {"title": {"en": "Lost", "zh-CN": "丢失"}},
    },
    "transitions": [
        {"id": "finish", "title": {"en": "Finish", "zh-CN": "完成"}, "from": "draft",
         "to": "done", "roles": ["boss"], "approval": {"quorum": "all", "approvers": {"role": "boss"}}},
    ],
}  # fmt: skip
ROLES = [{"id": "boss", "title": {"en": "Site boss", "zh-CN": "工地主管"}}]


def states_of(page: str) -> list[str]:
    return re.findall(r'<g class="wf-state[^"]*" data-state="([^"]+)"', page)


def draw(client: FlaskClient, workflow: str, headers: dict[str, str] | None = None,
         roles: str = "") -> tuple[int, str]:  # fmt: skip
    token = csrf_token(client, "/admin/")
    response = client.post(
        "/admin/workflow/draw",
        data={"workflow": workflow, "roles": roles},
        headers={"X-CSRFToken": token, "HX-Request": "true", **(headers or {})},
    )
    return response.status_code, response.text


def test_admin_sees_the_labour_tally_flow_with_its_roles_and_votes(
    sign_in: Callable[[str], FlaskClient],
) -> None:
    admin = sign_in("admin")
    page = admin.get("/admin/workflow/labour_tally")
    assert page.status_code == 200
    assert set(states_of(page.text)) == {"draft", "submitted", "approved", "rejected"}
    assert re.search(
        r'data-transition="approve" data-from="submitted" data-to="approved"', page.text
    )
    assert "any one of Site manager" in page.text
    assert "comment required" in page.text and "owner only" in page.text
    assert "due in 2 d" in page.text
    assert 'data-problems="0"' in page.text  # the bundled flow has no unreachable state
    assert "How to read it" in page.text


def test_the_funds_flow_reads_in_chinese(sign_in: Callable[[str], FlaskClient]) -> None:
    admin = sign_in("admin")
    page = admin.get("/admin/workflow/fund", headers=ZH)
    assert page.status_code == 200
    assert len(states_of(page.text)) == 6
    for word in ("财务会审", "项目经理审批", "已收付", "财务会审通过", "退回财务", "财务"):
        assert word in page.text
    assert "比例 60%：财务" in page.text and "或签：项目经理" in page.text
    assert "只读" in page.text and "如何阅读" in page.text


def test_the_packs_list_links_each_module_with_a_workflow(
    sign_in: Callable[[str], FlaskClient],
) -> None:
    page = sign_in("admin").get("/admin/packs/").text
    linked = set(re.findall(r'data-workflow="([^"]+)"', page))
    assert linked == {"cost_centre", "labour_tally", "fund"}  # project and schedule have none


def test_only_admins_see_the_drawing(sign_in: Callable[[str], FlaskClient]) -> None:
    foreman = sign_in("foreman")
    assert foreman.get("/admin/workflow/labour_tally").status_code == 403
    token = {"X-CSRFToken": csrf_token(foreman, "/")}
    response = foreman.post("/admin/workflow/draw", data={"workflow": "{}"}, headers=token)
    assert response.status_code == 403 and "wf-svg" not in response.text


def test_a_module_without_workflow_or_unknown_says_so(
    sign_in: Callable[[str], FlaskClient],
) -> None:
    admin = sign_in("admin")
    page = admin.get("/admin/workflow/project")
    assert page.status_code == 200 and "has no workflow" in page.text
    assert admin.get("/admin/workflow/nothing_here").status_code == 404


def test_draw_answers_the_drawing_and_flags_what_to_fix(
    sign_in: Callable[[str], FlaskClient],
) -> None:
    admin = sign_in("admin")
    status, page = draw(admin, json.dumps(TWO_STATES), roles=json.dumps(ROLES))
    assert status == 200
    assert "<html" not in page  # a fragment, for htmx to swap in
    assert set(states_of(page)) == {"draft", "done", "lost"}
    assert "all of Site boss" in page
    assert re.search(r'data-code="diagram_unreachable" data-state="lost"', page)
    assert re.search(r'data-code="diagram_dead_end" data-state="lost"', page)
    status, page = draw(admin, json.dumps(TWO_STATES), ZH, json.dumps(ROLES))
    assert status == 200 and "会签：工地主管" in page and "无法从初始状态到达" in page


def test_draw_names_field_approvers_and_keeps_hostile_titles_as_text(
    sign_in: Callable[[str], FlaskClient],
) -> None:
    admin = sign_in("admin")
    hostile = {**TWO_STATES, "transitions": [
        {"id": "finish", "title": "<script>alert(1)</script>", "from": "draft", "to": "done",
         "approval": {"quorum": "50%", "approvers": {"field": "checker"}}},
        {"id": "drop", "from": "draft", "to": "lost"},
    ]}  # fmt: skip
    fields = json.dumps({"checker": {"en": "Checker <b>", "zh-CN": "复核人"}})
    response = admin.post(
        "/admin/workflow/draw",
        data={"workflow": json.dumps(hostile), "fields": fields},
        headers={"X-CSRFToken": csrf_token(admin, "/admin/")},
    )
    assert response.status_code == 200
    assert "<script>alert" not in response.text and "<b>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "50% of user in Checker &lt;b&gt;" in response.text
    assert re.search(r'data-code="diagram_dead_end" data-state="lost"', response.text)


def test_draw_refuses_what_it_cannot_read_in_the_admins_language(
    sign_in: Callable[[str], FlaskClient],
) -> None:
    admin = sign_in("admin")
    status, page = draw(admin, "{not json")
    assert status == 422 and "not valid JSON" in page and 'data-refused="true"' in page
    status, page = draw(admin, json.dumps({"initial": "a", "states": [], "transitions": {}}), ZH)
    assert status == 422 and "必须是" in page and "wf-svg" not in page
    status, page = draw(admin, json.dumps({**TWO_STATES, "transitions": [{"from": 3, "to": "x"}]}))
    assert status == 422 and "transitions[0].from" in page
    status, page = draw(admin, " " * 300_000)
    assert status == 413 and "at most" in page
    status, page = draw(admin, json.dumps(TWO_STATES), roles='"boss"')
    assert status == 422 and "roles must be a list" in page
    status, page = draw(admin, "[" * 100_000 + "]" * 100_000)
    assert status in (413, 422)


def test_draw_needs_the_csrf_token(sign_in: Callable[[str], FlaskClient]) -> None:
    admin = sign_in("admin")
    response = admin.post("/admin/workflow/draw", data={"workflow": json.dumps(TWO_STATES)})
    assert response.status_code == 400
