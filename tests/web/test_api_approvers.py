"""Through the API: 转交 moves one vote, and 加签 is no way round `self_approval: false`.

The bundled pack's payment approval (fund → finance_approve: 60% of the accountants, the
record's owner excluded) is the case in point: an accountant must not choose who approves
the payment they entered, and a vote handed round a circle must not come back doubled.
"""

from __future__ import annotations

from typing import Any

from engine import accounts
from engine.db import transaction
from tests.web.helpers import PASSWORD, Api, body, errors

APPROVAL = "transitions/finance_approve"


def _submitted_payment(api: Api) -> str:
    project = str(api.first("project")["id"])
    data = {
        "project": project,
        "direction": "out",
        "category": "labour",
        "counterparty": "Crew 3",
        "amount": "100.00",
        "date": "2026-03-02",
    }
    created = api.post("/modules/fund/records", as_="accountant", json={"data": data})
    assert created.status_code == 201, created.text
    record_id = body(created)["id"]
    submitted = api.post(f"/modules/fund/records/{record_id}/transitions/submit", as_="accountant")
    assert submitted.status_code == 200, submitted.text
    return str(record_id)


def _more_accountants(api: Api, *names: str) -> None:
    with transaction(api.session_factory) as session:
        for name in names:
            accounts.create_user(session, name, PASSWORD, roles=["accountant"])
            api.tokens[name] = accounts.create_token(session, name, "tests")


def _record(api: Api, record_id: str) -> dict[str, Any]:
    return body(api.get(f"/modules/fund/records/{record_id}"))  # type: ignore[no-any-return]


def test_the_owner_cannot_choose_who_approves_their_payment(api: Api) -> None:
    record_id = _submitted_payment(api)
    url = f"/modules/fund/records/{record_id}/{APPROVAL}"
    added = api.post(f"{url}/approvers", as_="accountant", json={"user": "admin"})
    assert added.status_code == 403
    assert "may not approve their own record" in errors(added)[0]["message"]
    vote = api.post(url, as_="admin")
    assert vote.status_code == 403  # the admin was not made an approver
    assert _record(api, record_id)["state"] == "finance_review"
    history = body(api.get(f"/modules/fund/records/{record_id}/history"))["items"]
    assert "add_approver" not in {item["action"] for item in history}


def test_a_vote_handed_round_a_circle_is_still_one_vote(api: Api) -> None:
    _more_accountants(api, "acc2", "acc3")
    record_id = _submitted_payment(api)
    url = f"/modules/fund/records/{record_id}/{APPROVAL}"
    for who, to in (("acc2", "admin"), ("admin", "acc2"), ("acc2", "manager")):
        handed = api.post(f"{url}/delegate", as_=who, json={"to": to})
        assert handed.status_code == 200, handed.text
    progress = body(handed)["progress"]
    assert progress["eligible"] == ["acc3", "manager"] and progress["needed"] == 2
    for former in ("acc2", "admin"):
        refused = api.post(url, as_=former)
        assert refused.status_code == 403, refused.text
    assert body(api.post(url, as_="manager"))["fired"] is False
    assert body(api.post(url, as_="acc3"))["fired"] is True
    assert _record(api, record_id)["state"] == "manager_review"


def test_the_owner_cannot_be_handed_a_vote(api: Api) -> None:
    _more_accountants(api, "acc2")
    record_id = _submitted_payment(api)
    url = f"/modules/fund/records/{record_id}/{APPROVAL}"
    handed = api.post(f"{url}/delegate", as_="acc2", json={"to": "accountant"})
    assert handed.status_code == 403
    assert "may not approve their own record" in errors(handed)[0]["message"]
    assert api.post(url, as_="acc2").status_code == 200  # acc2 kept the vote
