"""Schemathesis against the generated document, once per role of the bundled pack.

For each demo user (and the administrator) the document is fetched with that user's token,
and every operation in it is called in-process (WSGI) with generated valid and invalid
requests. Each answer must not be a 5xx and must conform to the document: documented
status code, content type, headers and body schema. The run is bounded — a few examples per
operation, derandomized so CI sees the same cases every time; FORMWORK_API_FUZZ_EXAMPLES
raises it for a deeper local run.

The stateful phase then follows the document's links (create or list → read, change,
delete, history, transitions) per role, so calls land on real records in the caller's
scope; FORMWORK_API_FUZZ_SCENARIOS and FORMWORK_API_FUZZ_STEPS bound it (40 scenarios of at
most 8 calls by default, about 30 s on two cores). Every scenario starts from the same
database (tests/web/dbsnapshot.py): scenarios create, change and move records, and a
replayed scenario that met another's leftovers would draw differently and stop Hypothesis
with "inconsistent data generation" instead of testing anything.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.generation.stateful.state_machine import normalize_name
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ensure_resource_availability,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)

from tests.web.dbsnapshot import DatabaseSnapshot, database_snapshot
from tests.web.helpers import Api, body, labour_data, make_api

EXAMPLES = int(os.environ.get("FORMWORK_API_FUZZ_EXAMPLES", "4"))
TALLY = "/modules/labour_tally/records"
ROLES = ("admin", "foreman", "manager", "accountant", "planner", "viewer")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    ensure_resource_availability,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def fuzzed_api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    # Not TESTING: an error inside a view becomes the API's JSON 500, which the checks catch.
    made = make_api(database_url, tmp_path, TESTING=False)
    yield made
    made.app.extensions["formwork"].engine.dispose()


def _run_operation(  # type: ignore[no-untyped-def]
    operation, mode: schemathesis.GenerationMode, headers: dict[str, str], record_id: str | None
) -> None:
    fixed = {"id": record_id} if record_id is not None else None

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed))
    def check(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_conforms_for_each_role(fuzzed_api: Api, role: str) -> None:
    headers = {"Authorization": f"Bearer {fuzzed_api.tokens[role]}"}
    if role == "foreman":  # a foreman reads only their own tallies: give them one
        project = fuzzed_api.first("project", as_=role)["id"]
        fuzzed_api.post(
            "/modules/labour_tally/records", as_=role, json={"data": labour_data(project)}
        )
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzzed_api.app, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) >= 15  # the bundled modules' operations, not an empty document
    for operation in operations:
        # Valid requests on a record use one the caller can read, so reads, changes and
        # transitions get past "not found"; invalid ones make up their own ids.
        module = operation.path.split("/")[2] if operation.path.startswith("/modules/") else None
        record_id = _readable_record(fuzzed_api, role, module) if "{id}" in operation.path else None
        _run_operation(operation, schemathesis.GenerationMode.POSITIVE, headers, record_id)
        _run_operation(operation, schemathesis.GenerationMode.NEGATIVE, headers, None)


def _readable_record(api: Api, role: str, module: str | None) -> str | None:
    response = api.get(f"/modules/{module}/records", as_=role, query_string={"per_page": 1})
    items = body(response)["items"] if response.status_code == 200 else []
    return items[0]["id"] if items else None


STEPS = int(os.environ.get("FORMWORK_API_FUZZ_STEPS", "8"))
SCENARIOS = int(os.environ.get("FORMWORK_API_FUZZ_SCENARIOS", "40"))
STATEFUL_CHECKS = [*CHECKS, use_after_free, ensure_resource_availability]


@pytest.mark.parametrize("role", ROLES)
def test_linked_sequences_on_real_records_conform_for_each_role(fuzzed_api: Api, role: str) -> None:
    """The stateful phase: create → read / change / transition / history through the links.

    Each scenario starts from an operation that answers with a record (a create or a list)
    and follows the document's links with the id and version that answer carried, so calls
    reach real records in the caller's scope rather than "not found".
    """
    headers = {"Authorization": f"Bearer {fuzzed_api.tokens[role]}"}
    project = fuzzed_api.first("project", as_="admin")["id"]
    if role in ("foreman", "admin"):  # a record of their own to start from
        fuzzed_api.post(TALLY, as_=role, json={"data": labour_data(project)})
    document = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", fuzzed_api.app, headers=headers
    )
    # Only the record operations: the stateless test above covers the rest.
    schema = document.include(path_regex=r"^/modules/[^/]+/records")
    # The document's own links only: inferred ones join one module's list to another's records.
    schema.config.phases.stateful.inference.algorithms = []
    reached: Counter[str] = Counter()
    with database_snapshot(fuzzed_api.app.extensions["formwork"].engine) as snapshot:
        _run_scenarios(schema, headers, reached, snapshot)
    assert reached, f"no linked call reached a record as {role}"


def _run_scenarios(
    schema: BaseSchema, headers: dict[str, str], reached: Counter[str], snapshot: DatabaseSnapshot
) -> None:
    """Run the linked scenarios, each on the database as the snapshot holds it."""

    class Scenarios(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:  # once per scenario, replays and shrinking included
            snapshot.restore()

        def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
            return {"headers": headers}

        def after_call(self, response: Any, case: schemathesis.Case[Any]) -> None:
            super().after_call(response, case)
            if "{id}" in case.operation.path and response.status_code < 300:
                reached[case.operation.label] += 1

        def validate_response(
            self, response: Any, case: schemathesis.Case[Any], **kwargs: Any
        ) -> None:
            case.validate_response(
                response, checks=STATEFUL_CHECKS, recorder=getattr(self, "recorder", None)
            )

    _start_at_collections(Scenarios)
    Scenarios.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )


COLLECTION = re.compile(r"(GET|POST) /modules/[^/]+/records")


def _start_at_collections(machine: Any) -> None:
    """Let scenarios begin only where records come from: a module's create and list.

    Schemathesis also starts a scenario at any POST — here every transition — with an id it
    makes up: a "not found" that the stateless test already covers, at the cost of the
    scenario's steps. Transitions stay reachable through the links, on real records.
    """
    kept = frozenset(filter(COLLECTION.fullmatch, machine._root_labels))
    assert kept, f"no create or list operation among the roots {sorted(machine._root_labels)}"
    for label in machine._root_labels - kept:
        name = normalize_name(f"RANDOM -> {label}")
        assert name in machine.root_rules, f"no root rule {name} for {label}"
        setattr(machine, name, None)  # hides the rule: Hypothesis collects callables only
    machine._root_labels = kept
    machine.root_rules = frozenset(normalize_name(f"RANDOM -> {label}") for label in kept)


def test_a_restored_snapshot_undoes_what_a_scenario_did(fuzzed_api: Api) -> None:
    """What every scenario relies on: records created, changed or moved on are undone."""
    project = fuzzed_api.first("project", as_="admin")["id"]
    kept = body(fuzzed_api.post(TALLY, as_="foreman", json={"data": labour_data(project)}))
    with database_snapshot(fuzzed_api.app.extensions["formwork"].engine) as snapshot:
        for _scenario in range(2):
            fuzzed_api.post(TALLY, as_="foreman", json={"data": labour_data(project)})
            changed = fuzzed_api.patch(
                f"{TALLY}/{kept['id']}",
                as_="foreman",
                json={"version": kept["version"], "data": {"worker": "Li Lei"}},
            )
            assert changed.status_code == 200, changed.text
            snapshot.restore()
            listed = body(fuzzed_api.get(TALLY, as_="foreman"))
            assert [r["id"] for r in listed["items"]] == [kept["id"]]
            assert listed["items"][0]["data"]["worker"] == "Wang Wei"
            assert listed["items"][0]["version"] == kept["version"]
