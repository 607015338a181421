"""Building blocks of the OpenAPI document: references, responses, parameters, bodies."""

from __future__ import annotations

from typing import Any

ERRORS = {
    400: "The body is not valid JSON (the message says where parsing stopped)",
    401: "No API token, or an unknown or revoked one",
    403: "The caller may not do this",
    404: "Unknown, or outside the caller's scope",
    405: "The method is not allowed on this path",
    409: "A stale version, or the record is in another state",
    413: "The body is larger than the limit",
    415: "The body is not application/json",
    422: "Invalid data or parameters, or a failed guard; each problem names its path",
}
# Any request can be refused for its length before it reaches the app's routes: by the app
# (JSON, past MAX_REQUEST_LINE) or by gunicorn itself (plain text, past 8190 bytes).
URI_TOO_LONG = {
    "description": "The address with its query string is longer than the server accepts "
    "(8,000 bytes); send fewer or shorter filters"
}
READ_ERRORS = (401, 404, 422)
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422)


# A record id as the engine makes them (engine/records/service.py): 32 lower-case hex digits.
RECORD_ID = {"type": "string", "pattern": "^[0-9a-f]{32}$", "minLength": 32, "maxLength": 32}


def ref(name: str) -> dict[str, str]:
    """A reference to a schema of components.schemas."""
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def responses(ok: int, schema: dict[str, Any] | None, errors: tuple[int, ...]) -> dict[str, Any]:
    """The success answer (`schema` None: no body) and the error answers `errors`."""
    answers: dict[str, Any] = {}
    if schema is None:
        answers[str(ok)] = {"description": "Done"}
    else:
        answers[str(ok)] = {"description": "Done", "content": json_content(schema)}
    for code in errors:
        response: dict[str, Any] = {
            "description": ERRORS[code],
            "content": json_content(ref("Errors")),
        }
        if code == 401:
            response["headers"] = {
                "WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}
            }
        answers[str(code)] = response
    answers["414"] = URI_TOO_LONG
    return answers


def request_body(schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": json_content(schema)}


def path_param(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema or {"type": "string", "minLength": 1, "maxLength": 64},
    }


def query_param(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    param: dict[str, Any] = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        param["description"] = description
    return param


def operation(
    operation_id: str,
    summary: str,
    tags: list[str],
    answers: dict[str, Any],
    parameters: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One operation object: its id, summary, tags, parameters, body and answers."""
    op: dict[str, Any] = {"operationId": operation_id, "summary": summary, "tags": tags}
    if parameters:
        op["parameters"] = parameters
    if body is not None:
        op["requestBody"] = body
    op["responses"] = answers
    return op


def items_of(schema: dict[str, Any]) -> dict[str, Any]:
    """An answer holding a list: `{"items": [schema, ...]}`."""
    return {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": schema}},
    }
