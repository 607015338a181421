"""Where a JSON Pointer points in the text a pack was written in: its line and column.

A refused pack names each problem by a JSON Pointer (`/modules/2/schema/properties/hours`);
a person reads lines. `PointerMap` walks the text once with a small scanner (json's own
number pattern and string decoding, so it reads exactly what `json.loads` reads) and keeps the
position of every member's key and every array item. A pointer to something that is not
there (a missing `required` key, a field the check looked for) points at its nearest
existing parent. `syntax_error` gives the line of text that is not JSON at all.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import json.scanner
import re
from dataclasses import dataclass

WHITESPACE = " \t\n\r"
LITERALS = ("true", "false", "null")
STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\.)*"', re.DOTALL)


@dataclass(frozen=True)
class Position:
    """A place in the text, 1-based; `pointer` is the part of the asked pointer found there."""

    line: int
    column: int
    pointer: str


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


class _Scanner:
    """Records the offset of every value (a member: its key) by pointer; stops at bad text."""

    def __init__(self, text: str):
        self.text = text
        self.offsets: dict[str, int] = {}

    def skip(self, at: int) -> int:
        while at < len(self.text) and self.text[at] in WHITESPACE:
            at += 1
        return at

    def string(self, at: int) -> tuple[str, int]:
        """The string starting at `at` (its opening quote), decoded, and the offset after it."""
        match = STRING.match(self.text, at)
        if match is None:
            raise ValueError(at)
        return json.loads(match.group()), match.end()

    def value(self, at: int, path: str, *, mark: bool = True) -> int:
        """Scan the value at `at` (whitespace skipped); the offset just after it."""
        at = self.skip(at)
        if mark:
            self.offsets.setdefault(path, at)
        char = self.text[at : at + 1]
        if char == "{":
            return self.members(at + 1, path)
        if char == "[":
            return self.items(at + 1, path)
        if char == '"':
            return self.string(at)[1]
        for literal in LITERALS:
            if self.text.startswith(literal, at):
                return at + len(literal)
        number = json.scanner.NUMBER_RE.match(self.text, at)
        if number is None:
            raise ValueError(at)
        return number.end()

    def members(self, at: int, path: str) -> int:
        at = self.skip(at)
        if self.text[at : at + 1] == "}":
            return at + 1
        while True:
            at = self.skip(at)
            start = at
            key, at = self.string(at)
            child = f"{path}/{_escape(key)}"
            self.offsets.setdefault(child, start)
            at = self.skip(at)
            if self.text[at : at + 1] != ":":
                raise ValueError(at)
            at = self.skip(self.value(at + 1, child, mark=False))
            if self.text[at : at + 1] == "}":
                return at + 1
            if self.text[at : at + 1] != ",":
                raise ValueError(at)
            at += 1

    def items(self, at: int, path: str) -> int:
        at = self.skip(at)
        if self.text[at : at + 1] == "]":
            return at + 1
        index = 0
        while True:
            at = self.skip(self.value(at, f"{path}/{index}"))
            if self.text[at : at + 1] == "]":
                return at + 1
            if self.text[at : at + 1] != ",":
                raise ValueError(at)
            at, index = at + 1, index + 1


class PointerMap:
    """The positions of every pointer of one JSON text, read once."""

    def __init__(self, text: str):
        self.text = text
        scanner = _Scanner(text)
        # on bad text, what was read before the bad part still has its places
        with contextlib.suppress(ValueError, IndexError, RecursionError):
            scanner.value(0, "")
        self.offsets = scanner.offsets
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int, pointer: str) -> Position:
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return Position(line + 1, offset - self.line_starts[line] + 1, pointer)

    def locate(self, pointer: str) -> Position | None:
        """The place of `pointer`, or of its nearest parent that the text has."""
        while True:
            if pointer in self.offsets:
                return self.position(self.offsets[pointer], pointer)
            if not pointer:
                return None
            pointer = pointer.rpartition("/")[0]


def syntax_error(text: str) -> Position | None:
    """Where `text` stops being JSON (None when it is JSON)."""
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return Position(error.lineno, error.colno, "")
    except (RecursionError, ValueError):
        return None
    return None
