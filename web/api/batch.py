"""Bulk writes: up to 1,000 records created or changed in one transaction, all or nothing.

`POST /modules/{module}/records:batch` takes `{"records": [item, ...]}` where an item is
`{"data": {...}}` (create) or `{"id": .., "version": n, "data": {...}}` (change). Every
item is checked; if any fails, nothing is written and the answer lists each problem with
the item's `index` and the `path` inside it. The creates go through the engine's bulk
`create_records` (a few multi-row statements), the changes through `update_record` one by
one, each in a savepoint so one refused item cannot disturb the next one's check.

The answer holds every written record as `GET` of it would, read back with a few
statements for the whole batch (engine/records/bulk_reads.py) and written with the fast JSON
writer (web/jsonio.py). With `Prefer: return=minimal` (RFC 7240) it holds only each
record's `id`, `version` and `number`, in request order — for an import that needs no echo.

With an `Idempotency-Key` header the answer is stored in the same transaction as the
records (engine/idempotency.py): a retry of the same request gets it again, unwritten. The
preference is part of the request: the same key with another `Prefer` is another request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from engine import idempotency
from engine.abilities import abilities
from engine.actor import Actor
from engine.definitions.model import Module
from engine.errors import BatchFailed, FormworkError, Problem, ProblemsError
from engine.records import update_record
from engine.records.bulk_reads import get_records, get_stamps
from engine.records.rollups import held_for_changes
from engine.records.service import create_records
from web.api.common import json_object, readable_module, version_of
from web.api.context import api_session
from web.api.operations import operation
from web.errors import ApiError, status_of
from web.jsonio import fast_dumps, record_json

bp = Blueprint("batch", __name__)

MAX_ITEMS = 1000
ITEM_KEYS = {"id", "version", "data"}
MINIMAL = "return=minimal"


def _item_problems(index: int, item: Any) -> list[tuple[int, Problem]]:
    if not isinstance(item, Mapping):
        return [(index, Problem("", "batch_item_shape"))]
    problems = [
        (index, Problem(f"/{k}", "unknown_key", {"key": k})) for k in item if k not in ITEM_KEYS
    ]
    if "id" in item:
        if not isinstance(item["id"], str) or not item["id"]:
            problems.append((index, Problem("/id", "record_id_invalid")))
        try:
            version_of(item.get("version"))
        except ProblemsError as error:
            problems.extend((index, p) for p in error.problems)
    elif "version" in item:
        problems.append((index, Problem("/version", "version_without_id")))
    if "data" not in item:
        problems.append((index, Problem("/data", "required", {"field": "data"})))
    return problems


def wants_minimal() -> bool:
    """Whether the request prefers `return=minimal` (RFC 7240: any case, among others)."""
    for header in request.headers.getlist("Prefer"):
        for preference in header.split(","):
            name, _, value = preference.split(";")[0].partition("=")
            if name.strip().lower() == "return" and value.strip().strip('"').lower() == "minimal":
                return True
    return False


def _answer(
    session: Session, module: Module, actor: Actor, ids: list[str], minimal: bool
) -> dict[str, Any]:
    """The written records in request order: whole, or only what identifies each.

    A record the caller may not read back (written outside their read scope) is its id.
    """
    if minimal:
        stamps = get_stamps(session, module.id, ids, actor)
        return {
            "items": [
                {"id": rid, "version": stamps[rid][1], "number": stamps[rid][0]}
                if rid in stamps
                else {"id": rid}
                for rid in ids
            ]
        }
    records = get_records(session, module.id, ids, actor)
    return {
        "items": [
            record_json(module, records[rid]) if rid in records else {"id": rid} for rid in ids
        ]
    }


def _write(
    session: Session, module: Module, actor: Actor, items: list[Mapping[str, Any]]
) -> list[str]:
    """Create and change the items; the ids in request order, or ApiError listing problems."""
    errors: list[tuple[int, Problem, int]] = []
    creates = [(i, item) for i, item in enumerate(items) if "id" not in item]
    ids: dict[int, str] = {}
    if creates:
        try:
            with session.begin_nested():
                created = create_records(
                    session, module.id, [it["data"] for _, it in creates], actor
                )
            ids.update((index, rid) for (index, _), rid in zip(creates, created, strict=True))
        except BatchFailed as failure:
            errors += [(creates[i][0], p, 422) for i, p in failure.items]
    changes = [str(item["id"]) for item in items if "id" in item]
    with held_for_changes(session, module.id, changes):  # each parent's rollups once
        for index, item in enumerate(items):
            if "id" not in item:
                continue
            try:
                with session.begin_nested():
                    version = version_of(item["version"])
                    assert version is not None
                    data = item["data"]
                    record = update_record(session, module.id, item["id"], version, data, actor)
                ids[index] = record.id
            except ProblemsError as failure:
                errors += [(index, p, 422) for p in failure.problems]
            except FormworkError as failure:
                errors += [(index, p, status_of(failure)) for p in failure.problems]
    if errors:
        statuses = {status for _, _, status in errors}
        raise ApiError(
            statuses.pop() if len(statuses) == 1 else 422,
            "batch_refused",
            items=sorted(((i, p) for i, p, _ in errors), key=lambda e: (e[0], e[1].path)),
        )
    return [ids[index] for index in range(len(items))]


@bp.post("/modules/<module_id>/records:batch")
@operation("records.batch")
def batch(module_id: str) -> ResponseReturnValue:
    """Create or change up to 1,000 records at once: 201 `{"items": [record, ...]}`."""
    minimal = wants_minimal()
    applied = {"Preference-Applied": MINIMAL} if minimal else {}
    with api_session() as (session, actor):
        module = readable_module(session, actor, module_id)
        key = request.headers.get(idempotency.HEADER)
        if key is not None:
            assert actor.user_id is not None
            path = request.full_path + (f" {MINIMAL}" if minimal else "")
            print_ = idempotency.fingerprint(request.method, path, request.get_data(cache=True))
            stored = idempotency.claim(session, actor.user_id, key, print_)
            if stored is not None:
                return Response(
                    stored.body,
                    status=stored.status,
                    mimetype="application/json",
                    headers={"Idempotent-Replayed": "true", **applied},
                )
        items = json_object({"records"}).get("records")
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
            raise ApiError(422, "batch_size", {"limit": MAX_ITEMS}, path="/records")
        problems = [p for index, item in enumerate(items) for p in _item_problems(index, item)]
        if problems:
            raise BatchFailed(problems)
        if any("id" not in item for item in items):
            abilities(actor, module).require_create()  # 403 before any item is checked
        ids = _write(session, module, actor, items)
        text = fast_dumps(_answer(session, module, actor, ids, minimal))
        if key is not None:
            assert actor.user_id is not None
            idempotency.remember(session, actor.user_id, key, 201, text)
        return Response(text, status=201, mimetype="application/json", headers=applied)
