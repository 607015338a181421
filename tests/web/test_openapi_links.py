"""The OpenAPI document links each answer holding a record to the operations on that record."""

from __future__ import annotations

from tests.web.helpers import Api, body


def test_a_created_record_links_to_its_read_change_history_and_transitions(api: Api) -> None:
    paths = body(api.get("/openapi.json", as_="foreman"))["paths"]
    base = "/modules/labour_tally/records"
    links = paths[base]["post"]["responses"]["201"]["links"]
    assert links["read"] == {
        "operationId": "labour_tally.read",
        "parameters": {"path.id": "$response.body#/id"},
    }
    assert links["update"]["requestBody"] == {"version": "$response.body#/version"}
    assert {"history", "transitions", "transition_submit"} <= set(links)
    first = paths[base]["get"]["responses"]["200"]["links"]["read"]
    assert first["parameters"] == {"path.id": "$response.body#/items/0/id"}
    fired = paths[f"{base}/{{id}}/transitions/submit"]["post"]["responses"]["200"]["links"]
    assert fired["history"]["parameters"] == {"path.id": "$response.body#/record/id"}
    operation_ids = {
        operation["operationId"]
        for methods in paths.values()
        for operation in methods.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    for methods in paths.values():  # every link points at an operation of this document
        for operation in methods.values():
            for answer in (
                (operation.get("responses") or {}).values() if isinstance(operation, dict) else ()
            ):
                for link in answer.get("links", {}).values():
                    assert link["operationId"] in operation_ids


def test_a_reader_gets_no_link_to_what_it_may_not_do(api: Api) -> None:
    paths = body(api.get("/openapi.json", as_="viewer"))["paths"]
    links = paths["/modules/labour_tally/records"]["get"]["responses"]["200"]["links"]
    assert "read" in links and "update" not in links and "delete" not in links
