"""Find keys written twice in one JSON object of a pack's text.

JSON decoders keep the last of two equal keys without a word, so a pack with two states
called `approved`, or two fields called `hours`, would lose one silently. Only the text shows
it; `duplicate_keys` reads the text once more and names every repeated key by its pointer.
The loader calls it next to `json.loads`; on text that is not JSON it finds nothing (the
loader reports that error).
"""

from __future__ import annotations

import json
from typing import Any

from engine.definitions.context import pointer
from engine.errors import Problem


class _Object(dict[str, Any]):
    """A decoded JSON object that remembers which of its keys were written more than once."""

    repeated: list[str]


def _remember_repeats(pairs: list[tuple[str, Any]]) -> _Object:
    decoded = _Object()
    decoded.repeated = []
    for key, value in pairs:
        if key in decoded and key not in decoded.repeated:
            decoded.repeated.append(key)
        decoded[key] = value
    return decoded


def duplicate_keys(text: str | bytes) -> list[Problem]:
    """A problem for every key that one JSON object of `text` holds twice."""
    try:
        document = json.loads(text, object_pairs_hook=_remember_repeats)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        return []
    problems = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(document, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, _Object):
            for key in value.repeated:
                problems.append(Problem(pointer((*path, key)), "duplicate_key", {"key": key}))
            stack.extend((item, (*path, key)) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(value))
    return sorted(problems, key=lambda p: p.path)
