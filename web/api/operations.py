"""Each API route names its operation in the OpenAPI document, next to the route itself.

`@operation("records.list")` above a view marks it; the document's builder (web/api/spec.py)
walks the API blueprint's rules in the app's URL map and asks the builder registered for that
name (spec_records, spec_general, spec_admin) for the operation, once per module, transition,
file field or report the path names. So a route added to the API is in the document as soon as
its operation has a builder, a path in the document is always a real rule, and a test
(tests/web/test_openapi_routes.py) finds a route that names no operation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask

from web.api.common import PREFIX

View = TypeVar("View", bound=Callable[..., object])
MARK = "openapi_operation"
API = "api."
CATCH_ALL = "api._no_route"  # the JSON 404/405 for any other path: not an operation
VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def operation(name: str) -> Callable[[View], View]:
    """Mark a view as the operation `name` of the OpenAPI document."""

    def mark(view: View) -> View:
        setattr(view, MARK, name)
        return view

    return mark


@dataclass(frozen=True)
class ApiRoute:
    """One method of one API rule: its path under the API prefix and its operation's name."""

    path: str  # "/modules/<module_id>/records", converters left out
    method: str  # lower case, as the document's path items key them
    operation: str | None
    endpoint: str

    def fill(self, values: dict[str, str], names: dict[str, str]) -> str:
        """The path with `values` put in and the other variables as `{name}` (renamed)."""

        def one(match: re.Match[str]) -> str:
            variable = match.group(1)
            if variable in values:
                return values[variable]
            return "{" + names.get(variable, variable) + "}"

        return VARIABLE.sub(one, self.path)


def api_routes(app: Flask) -> Iterator[ApiRoute]:
    """Every method of every rule of the API blueprint, in the URL map's order."""
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(API) or rule.endpoint == CATCH_ALL:
            continue
        view = app.view_functions[rule.endpoint]
        path = rule.rule.removeprefix(PREFIX)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield ApiRoute(path, method.lower(), getattr(view, MARK, None), rule.endpoint)
