"""The form names every problem at once: a wrong scale, a broken bound and a missing field."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from tests.web.helpers import post
from tests.web.test_pages_forms import errors_of, tally_form


def test_the_form_shows_every_problem_beside_its_field_in_one_answer(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    sign_in("foreman")
    form = tally_form(app, **{"d.items.0.hours": "4.555", "d.items.1.rate": "-3", "d.worker": ""})
    response = post(client, "/m/labour_tally/new", form)
    assert response.status_code == 422
    found = errors_of(response.text)
    assert {"fld-items-0-hours", "fld-items-1-rate", "worker"} <= set(found)
    assert 'value="tying beams"' in response.text  # what the user typed stays
