"""JSON in and out of the web app: exact decimals, ISO dates, the record shape of DESIGN.md.

`ExactJSONProvider` replaces Flask's JSON provider, so `jsonify` and every JSON response
write Decimals as numbers at their scale (`342.00`), dates and times in ISO 8601 (UTC,
`Z`), and keep the order of keys as built (a record reads `id, module, number, ...`). It
also reads JSON with floats as Decimals, so money sent to the API stays exact. The writer
itself is `engine.exactjson`, shared with webhook payloads.
"""

from __future__ import annotations

from typing import Any

from flask.json.provider import JSONProvider

from engine.definitions.model import Module
from engine.exactjson import dumps, loads, record_document
from engine.records.model import Record


class ExactJSONProvider(JSONProvider):
    """Flask's JSON provider with exact decimals (see the module docstring)."""

    mimetype = "application/json"

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return dumps(obj, indent=kwargs.get("indent"))

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s)


def record_json(module: Module, record: Record) -> dict[str, Any]:
    """A record (already masked for its reader) as the API writes it."""
    return record_document(module, record)
