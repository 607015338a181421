"""The builder's workflow section: an admin adds a workflow to a draft module, states and a
transition with a role and an approval quorum, sees them in the drawing (an unreachable
state flagged), and the publish dry run lists what was added; refusals speak Chinese too."""

from __future__ import annotations

import html
from collections.abc import Callable

from flask.testing import FlaskClient

from tests.web.helpers import post
from tests.web.test_admin_builder import ZH, add, start_blank

SignIn = Callable[[str], FlaskClient]


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
    svg = page[page.index("<svg") : page.index("</svg>")]
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


def test_the_workflow_section_speaks_chinese(sign_in: SignIn):
    client = sign_in("admin")
    url = _with_workflow(client)
    page = client.get(f"{url}/workflow", headers=ZH).text
    assert "草稿" in page and "已提交" in page and "添加流转" in page
    refused = post(client, f"{url}/workflow/states/draft/remove", headers=ZH)
    assert refused.status_code == 422
    assert "状态 draft 被流转 submit 使用" in html.unescape(refused.text)
