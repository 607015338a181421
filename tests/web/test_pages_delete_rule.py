"""The record page follows the delete rule: no Delete button where the engine would refuse,
and a forged delete of a submitted record answers 409 saying why, leaving the record."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from tests.web.helpers import post
from tests.web.test_pages_record import new_tally


def test_a_submitted_record_offers_no_delete_and_refuses_a_forged_one(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    record_id = new_tally(app)
    sign_in("foreman")
    url = f"/m/labour_tally/r/{record_id}"
    assert ">Delete<" in client.get(url).text  # a draft may be deleted by its owner
    assert post(client, f"{url}/t/submit", {"_version": "1"}).status_code == 303
    page = client.get(url)
    assert ">Submitted<" in page.text and ">Delete<" not in page.text
    refused = post(client, f"{url}/delete", {"_version": "2"})
    assert refused.status_code == 409
    assert "cannot be deleted in its current state" in refused.text
    assert client.get(url).status_code == 200
    post(client, "/language", {"language": "zh-CN"})
    chinese = post(client, f"{url}/delete", {"_version": "2"})
    assert chinese.status_code == 409 and "记录处于当前状态，不能删除。" in chinese.text
