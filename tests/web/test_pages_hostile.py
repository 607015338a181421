"""Hostile pack labels and record values render as inert text on every page."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser

from flask import Flask
from flask.testing import FlaskClient

from engine.db import transaction
from engine.packs import import_pack
from tests.web.helpers import create_record, post

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror=alert(1)> hx-on:click="alert(2)"'
TEMPLATE = "{{7*7}}"
ATTRIBUTE = '" hx-on::load="alert(3)'

HOSTILE = {
    "format": "formwork.pack/1",
    "id": "hostile",
    "version": "1.0.0",
    "title": SCRIPT,
    "roles": [{"id": "clerk", "title": IMG}],
    "modules": [
        {
            "id": "hostile",
            "title": SCRIPT,
            "description": TEMPLATE,
            "title_field": "note",
            "schema": {
                "type": "object",
                "properties": {
                    "note": {"type": "string", "title": IMG},
                    "kind": {
                        "enum": ["a", "b"],
                        "title": ATTRIBUTE,
                        "x-enum-titles": {"a": TEMPLATE},
                    },
                    "lines": {
                        "type": "array",
                        "title": SCRIPT,
                        "items": {
                            "type": "object",
                            "properties": {"what": {"type": "string", "title": IMG}},
                        },
                    },
                },
            },
            "ui": {
                "layout": [{"title": ATTRIBUTE, "fields": ["note", "kind", "lines"]}],
                "list": {"columns": ["note", "kind", "$state"], "filters": ["kind", "$state"]},
            },
            "workflow": {
                "initial": "draft",
                "states": {"draft": {"title": ATTRIBUTE}, "done": {"title": SCRIPT}},
                "transitions": [
                    {
                        "id": "finish",
                        "title": IMG,
                        "from": "draft",
                        "to": "done",
                        "roles": ["clerk"],
                    }
                ],
            },
            "permissions": {"clerk": {"create": True, "read": "all", "update": "all"}},
        }
    ],
}


class Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.names.update(name for name, _ in attrs)


def assert_inert(html: str, shown: bool = True) -> None:
    parser = Attributes()
    parser.feed(html)
    assert not [n for n in parser.names if n.startswith(("on", "hx-on"))]
    assert "img" not in parser.tags
    assert SCRIPT not in html and "<img" not in html
    assert ">49<" not in html and "&lt;/script&gt;49" not in html  # {{7*7}} never evaluated
    if shown:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or TEMPLATE in html
    if "&lt;script&gt;alert(1)&lt;/script&gt;{{" in html:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;{{7*7}}" in html


def test_hostile_labels_and_values_render_as_text_everywhere(
    app: Flask, client: FlaskClient, sign_in: Callable[[str], FlaskClient]
) -> None:
    with transaction(app.extensions["formwork"].session_factory) as session:
        import_pack(session, HOSTILE)
    record_id = create_record(
        app,
        "hostile",
        "admin",
        {"note": SCRIPT + TEMPLATE + ATTRIBUTE, "kind": "a", "lines": [{"what": IMG}]},
    )
    sign_in("admin")
    pages = [
        "/",
        "/m/hostile",
        "/m/hostile?q=" + TEMPLATE,
        "/m/hostile/new",
        f"/m/hostile/r/{record_id}",
        f"/m/hostile/r/{record_id}/edit",
        "/inbox",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.text)
    preview = post(
        client,
        "/m/hostile/preview",
        {"d.note": SCRIPT, "d.kind": "a"},
        headers={"HX-Request": "true"},
    )
    assert_inert(preview.text, shown=False)
    refused = post(client, "/m/hostile/new", {"d.kind": IMG})
    assert refused.status_code == 422
    assert_inert(refused.text)
    csv = client.get("/m/hostile/export?format=csv")
    assert csv.status_code == 200
