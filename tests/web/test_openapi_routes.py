"""The OpenAPI document and the API's routes cannot drift: each is checked against the other.

Every method of every rule of the API blueprint is an operation of an administrator's
document (a route added without naming its operation fails here), and every operation of
anyone's document is answered by a real route, not by the API's catch-all 404.
"""

from __future__ import annotations

import re

import pytest
from werkzeug.exceptions import HTTPException

from tests.web.helpers import Api, body
from web.api.common import PREFIX
from web.api.operations import CATCH_ALL, api_routes

# A value for each path variable the document leaves open, so its path can be matched.
SAMPLES = {
    "{id}": "0" * 32,
    "{module}": "fund",
    "{pack}": "construction",
    "{webhook}": "1",
    "{event_id}": "1",
    "{job}": "1",
    "{comment_id}": "1",
    "{file_id}": "0" * 32,
}
METHODS = {"get", "post", "put", "patch", "delete"}


def _pattern(rule: str) -> re.Pattern[str]:
    """A rule's path as a pattern: each `<variable>` one segment, whatever the document put."""
    return re.compile("[^/]+".join(re.escape(part) for part in re.split(r"<[^>]+>", rule)) + "$")


def _operations(api: Api, who: str | None) -> set[tuple[str, str]]:
    paths = body(api.get("/openapi.json", as_=who))["paths"]
    return {(path, method) for path, item in paths.items() for method in item if method in METHODS}


def test_every_route_of_the_api_is_an_operation_of_an_administrators_document(
    api: Api,
) -> None:
    documented = _operations(api, "admin")
    routes = list(api_routes(api.app))
    assert len(routes) >= 25
    for route in routes:
        assert route.operation is not None, f"{route.endpoint} names no OpenAPI operation"
        pattern = _pattern(route.path)
        found = [
            path for path, method in documented if method == route.method and pattern.match(path)
        ]
        assert found, f"{route.method.upper()} {route.path} ({route.endpoint}) is not documented"


@pytest.mark.parametrize("who", ["admin", "manager", "viewer", None])
def test_every_operation_of_the_document_is_a_real_route(api: Api, who: str | None) -> None:
    adapter = api.app.url_map.bind("localhost")
    operations = _operations(api, who)
    assert operations
    for path, method in operations:
        url = PREFIX + path
        for variable, sample in SAMPLES.items():
            url = url.replace(variable, sample)
        assert "{" not in url, f"{path}: a path variable no route has"
        try:
            endpoint, _values = adapter.match(url, method=method.upper())
        except HTTPException as error:
            raise AssertionError(f"{method.upper()} {path}: no route ({error})") from error
        assert endpoint != CATCH_ALL, f"{method.upper()} {path} is answered by no route"
