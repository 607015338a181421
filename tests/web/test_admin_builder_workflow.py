"""The builder's workflow section: an admin adds a workflow to a draft module, states and a
transition with a role and an approval quorum, sees them in the drawing (an unreachable
state flagged), and the publish dry run lists what was added; refusals speak Chinese too."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.web.helpers import post
from tests.web.test_admin_builder import ZH, add, start_blank

SignIn = Callable[[str], FlaskClient]


def drawing(page: str) -> str:
    """The workflow's drawing: the first SVG of its class (the top bar has an icon before it)."""
    start = page.index('<svg xmlns="http://www.w3.org/2000/svg" class="wf-svg')
    return page[start : page.index("</svg>", start)]


def _with_workflow(client: FlaskClient) -> str:
    url = start_blank(client)
    add(client, url, "text", "Place")
    page = client.get(f"{url}/workflow")
    assert page.status_code == 200 and "Add a workflow" in page.text
    assert post(client, f"{url}/workflow/start").status_code == 303
    return url


def test_an_admin_edits_a_workflow_and_the_drawing_follows(sign_in: SignIn):
    client = sign_in("admin")
    url = _with_workflow(client)
    added = post(client, f"{url}/workflow/states", {"title_en": "Rejected", "title_zh": "驳回"})
    assert added.status_code == 303
    post(client, f"{url}/workflow/states", {"title_en": "Archived"})
    response = post(
        client,
        f"{url}/workflow/transitions",
        {
            "title_en": "Reject",
            "from": ["submitted"],
            "to": "rejected",
            "roles": ["admin"],
            "comment": "required",
            "approver": "role:admin",
            "quorum": "2",
        },
    )
    assert response.status_code == 303, response.text
    page = html.unescape(client.get(f"{url}/workflow").text)
    svg = drawing(page)
    for word in ("Rejected", "Archived", "Reject", "2 votes of"):
        assert word in svg, word
    assert 'data-code="diagram_unreachable" data-state="archived"' in page
    assert 'id="transition-reject"' in page
    refused = html.unescape(post(client, f"{url}/publish").text)  # archived: nothing leads there
    assert "cannot be published" in refused and "archived" in refused
    assert post(client, f"{url}/workflow/states/archived/remove").status_code == 303
    review = html.unescape(post(client, f"{url}/publish").text)
    assert "Nothing has been written yet" in review
    for word in ("rejected", "reject"):
        assert word in review, word


def test_a_state_in_use_and_a_bad_quorum_are_refused_with_the_reason(sign_in: SignIn):
    client = sign_in("admin")
    url = _with_workflow(client)
    refused = post(client, f"{url}/workflow/states/submitted/remove")
    assert refused.status_code == 422
    assert "used by the transitions submit, approve" in html.unescape(refused.text)
    bad = {"title_en": "Go", "from": ["draft"], "to": "approved", "quorum": "150%",
           "approver": "role:admin"}  # fmt: skip
    refused = post(client, f"{url}/workflow/transitions", bad)
    assert refused.status_code == 422 and "is not a quorum" in refused.text
    guard = {"title_en": "Submit", "from": ["draft"], "to": "submitted", "when.submit": "nope > 1"}
    refused = post(client, f"{url}/workflow/transitions/submit", guard)
    assert refused.status_code == 422 and "nope" in refused.text
    page = client.get(f"{url}/workflow").text
    assert 'id="transition-go"' not in page and 'id="state-submitted"' in page
    assert "nope" not in page


def test_a_foreman_cannot_reach_the_workflow_section(sign_in: SignIn):
    admin = sign_in("admin")
    url = _with_workflow(admin)
    foreman = sign_in("foreman")
    assert foreman.get(f"{url}/workflow").status_code == 403
    assert post(foreman, f"{url}/workflow/states", {"title_en": "X"}).status_code == 403
    assert post(foreman, f"{url}/workflow/draw/state", {"title_en": "X"}).status_code == 403
    unsigned = admin.post(f"{url}/workflow/draw/state", data={"title_en": "X"})  # no CSRF token
    assert unsigned.status_code == 400


def test_the_workflow_section_speaks_chinese(sign_in: SignIn):
    client = sign_in("admin")
    url = _with_workflow(client)
    page = client.get(f"{url}/workflow", headers=ZH).text
    assert "草稿" in page and "已提交" in page and "添加流转" in page
    refused = post(client, f"{url}/workflow/states/draft/remove", headers=ZH)
    assert refused.status_code == 422
    assert "状态 draft 被流转 submit 使用" in html.unescape(refused.text)


def _pack(client: FlaskClient, url: str) -> dict:
    return json.loads(client.get(f"{url}/download").data)


def _states(client: FlaskClient, url: str) -> dict:
    return _pack(client, url)["modules"][0]["workflow"]["states"]


SUBMITTED = {"title_en": "Submitted", "title_zh": "已提交", "readonly": "1"}


def test_a_due_time_and_the_transition_it_fires_are_saved_drawn_and_published(sign_in: SignIn):
    client = sign_in("admin")
    url = _with_workflow(client)
    timed = {**SUBMITTED, "due": "2", "due_unit": "days", "on_due": "approve"}
    assert post(client, f"{url}/workflow/states/submitted", timed).status_code == 303
    assert _states(client, url)["submitted"] == {
        "title": {"en": "Submitted", "zh-CN": "已提交"},
        "readonly": True,
        "due": "P2D",
        "on_due": "approve",
    }
    page = html.unescape(client.get(f"{url}/workflow").text)
    form = page[
        page.index('id="state-submitted"') : page.index(
            "</form>", page.index('id="state-submitted"')
        )
    ]
    assert 'name="due" value="2"' in form and '<option value="days" selected>' in form
    assert '<option value="approve" selected>' in form and 'value="submit"' not in form
    svg = drawing(page)
    drawn = re.search(r'data-state="submitted">.*?</g>(?=<g class="wf-state|</g>)', svg)
    assert drawn is not None and 'class="wf-clock"' in drawn.group(0)
    assert "2 d · read-only" in drawn.group(0)  # due time first, after the clock
    auto = re.search(
        r'<g class="wf-edge[^"]*wf-edge-auto[^"]*" data-transition="([^"]+)" data-from="([^"]+)"',
        svg,
    )
    assert auto is not None and auto.groups() == ("approve", "submitted")
    assert "automatic" in svg
    weekly = {**SUBMITTED, "due": "1", "due_unit": "weeks"}
    post(client, f"{url}/workflow/states/submitted", weekly)
    assert _states(client, url)["submitted"]["due"] == "P1W"
    assert "on_due" not in _states(client, url)["submitted"]  # the select left empty
    post(client, f"{url}/workflow/states/submitted", {**timed, "due": "4", "due_unit": "hours"})
    review = html.unescape(post(client, f"{url}/publish").text)
    assert "Nothing has been written yet" in review, review


@pytest.mark.parametrize(
    ("change", "english", "chinese"),
    [
        ({"due": "0"}, "0 is not a due time", "不是有效的期限"),
        ({"due": "1.5"}, "1.5 is not a due time", "不是有效的期限"),
        (
            {"due": "2", "due_unit": "months"},
            "counted in hours, days or weeks",
            "期限以小时、天或周计",
        ),
        (
            {"due": "2", "on_due": "submit"},
            "does not leave the state submitted",
            "不从状态 submitted 出发",
        ),
        ({"on_due": "approve"}, "Give a due time before", "请先填写期限"),
    ],
)
def test_a_bad_due_time_is_refused_in_english_and_chinese_and_nothing_is_saved(
    sign_in: SignIn, change: dict, english: str, chinese: str
):
    client = sign_in("admin")
    url = _with_workflow(client)
    form = {**SUBMITTED, "due_unit": "days", **change}
    refused = post(client, f"{url}/workflow/states/submitted", form)
    assert refused.status_code == 422
    assert english in html.unescape(refused.text)
    zh = post(client, f"{url}/workflow/states/submitted", form, headers=ZH)
    assert zh.status_code == 422 and chinese in html.unescape(zh.text)
    assert "due" not in _states(client, url)["submitted"]


def test_the_drawing_follows_unsaved_values_and_nothing_is_saved(sign_in: SignIn):
    client = sign_in("admin")
    url = _with_workflow(client)
    before = _pack(client, url)
    hx = {"HX-Request": "true"}
    renamed = post(client, f"{url}/workflow/draw/state/submitted",
                   {**SUBMITTED, "title_en": "Awaiting review"}, headers=hx)  # fmt: skip
    assert renamed.status_code == 200
    assert "wf-svg" in renamed.text and "Awaiting review" in renamed.text
    assert 'data-live="1"' in renamed.text and "<html" not in renamed.text
    added = post(client, f"{url}/workflow/draw/state", {"title_en": "On hold"}, headers=hx)
    assert 'data-state="on_hold"' in added.text
    assert 'data-code="diagram_unreachable" data-state="on_hold"' in added.text
    fast = {"title_en": "Fast track", "from": ["draft"], "to": "approved"}
    drawn = post(client, f"{url}/workflow/draw/transition", fast, headers=hx)
    assert 'data-transition="fast_track" data-from="draft" data-to="approved"' in drawn.text
    timed = {**SUBMITTED, "due": "3", "due_unit": "days", "on_due": "approve"}
    drawn = post(client, f"{url}/workflow/draw/state/submitted", timed, headers=hx)
    assert "3 d · read-only" in drawn.text and "wf-edge-auto" in drawn.text
    assert _pack(client, url) == before  # none of it saved
    refused = post(client, f"{url}/workflow/draw/state/submitted", {**SUBMITTED, "due": "x"},
                   headers={**hx, **ZH})  # fmt: skip
    assert refused.status_code == 200 and "wf-svg" not in refused.text
    assert refused.headers["X-Formwork-Refused"] == "builder_due_invalid"
    assert refused.headers["HX-Retarget"] == "#wf-reason-state-submitted"
    assert "不是有效的期限" in html.unescape(refused.text)
    assert post(client, f"{url}/workflow/draw/nothing", {}, headers=hx).status_code == 404
    assert _pack(client, url) == before
