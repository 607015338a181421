"""OpenAPI links between a module's record operations (OpenAPI 3.1, Link Object).

A record that one answer returns can be the subject of the next call: create → read,
change, delete, history, transitions; a list's first item → the same; a changed record or
a fired transition → the record again. The links say where the id (and the version a
change must carry) sits in each answer, so a client generator — or schemathesis's stateful
phase — can walk from one operation to the next on real records instead of made-up ids.

Links are attached after the paths are built, from the operation ids alone
(`<module>.create`, `<module>.read`, ...), so they follow exactly the operations the caller
may use: a link never points at an operation missing from the caller's document.
"""

from __future__ import annotations

from typing import Any

# Answers that hold a record, and where its object sits in them (a JSON Pointer).
SOURCES = {
    "create": ("201", ""),
    "read": ("200", ""),
    "update": ("200", ""),
    "list": ("200", "/items/0"),
    "transition": ("200", "/record"),
}
# Operations on one record: the link name and whether the body carries its version.
TARGETS = {
    "read": False,
    "update": True,
    "delete": False,
    "history": False,
    "transitions": False,
}


def _operations(paths: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """operationId → (method, operation) for the record operations of every module."""
    found = {}
    for path, methods in paths.items():
        for method, operation in methods.items():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            module = operation["operationId"].partition(".")[0]
            if path.startswith(f"/modules/{module}/records"):
                found[operation["operationId"]] = (method, operation)
    return found


def _link(operation_id: str, at: str, version: bool, method: str) -> dict[str, Any]:
    link: dict[str, Any] = {
        "operationId": operation_id,
        "parameters": {"path.id": f"$response.body#{at}/id"},
    }
    if version and method == "patch":
        link["requestBody"] = {"version": f"$response.body#{at}/version"}
    elif version:
        link["parameters"]["query.version"] = f"$response.body#{at}/version"
    return link


def _targets(
    module: str, operations: dict[str, tuple[str, dict[str, Any]]]
) -> list[tuple[str, str, bool, str]]:
    """(link name, operationId, carries the version, method) for each operation on a record."""
    found = []
    for kind, version in TARGETS.items():
        operation_id = f"{module}.{kind}"
        if operation_id in operations:
            found.append((kind, operation_id, version, operations[operation_id][0]))
    prefix = f"{module}.transition."
    for operation_id, (method, _operation) in operations.items():
        if operation_id.startswith(prefix):
            name = f"transition_{operation_id[len(prefix) :]}"
            found.append((name, operation_id, False, method))
    return found


def add_links(paths: dict[str, Any]) -> None:
    """Attach the links of every module's record operations to their answers, in place."""
    operations = _operations(paths)
    for operation_id, (_method, operation) in operations.items():
        module, _dot, kind = operation_id.partition(".")
        kind = "transition" if kind.startswith("transition.") else kind
        if kind not in SOURCES:
            continue
        status, at = SOURCES[kind]
        answer = operation.get("responses", {}).get(status)
        if answer is None:
            continue
        links = {
            name: _link(target, at, version, method)
            for name, target, version, method in _targets(module, operations)
        }
        if links:
            answer["links"] = links
