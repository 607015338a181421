"""The text of an expression before Python parses it, and the size of the tree after.

Positions: the author's text is wrapped in brackets and `$name` rewritten to `_name` in
place, so `Places` can turn Python's (line, column) positions back into offsets in what the
author typed. `rewrite_system_names` does that rewrite with `tokenize` (never inside text
literals), refusing names that start with `_`, names not in NFKC and unknown system values;
`check_size` refuses trees with too many nodes or too deep, without recursion.
"""

from __future__ import annotations

import ast
import io
import tokenize
import unicodedata

from engine.errors import ExpressionError
from engine.expressions.limits import MAX_DEPTH, MAX_NODES

#: The record's system values, reachable as `$name`.
SYSTEM_NAMES: frozenset[str] = frozenset(
    {"$state", "$owner", "$created_at", "$updated_at", "$number", "$id"}
)

_OPEN = "([{"
_CLOSE = ")]}"
# Python's tree has nodes for operators and contexts; they are not counted as nodes.
_UNCOUNTED = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


class Places:
    """Turns Python's (line, column) positions into offsets in the author's source."""

    def __init__(self, prepared: str, source_length: int):
        self._length = source_length
        self._lines = prepared.split("\n")
        self._starts: list[int] = []
        offset = 0
        for line in self._lines:
            self._starts.append(offset)
            offset += len(line) + 1

    def of_chars(self, line: int, column: int) -> int:
        """The source offset of a 1-based line and a 0-based character column."""
        index = min(max(line, 1), len(self._lines)) - 1
        return self._clamp(self._starts[index] + column)

    def wrapped(self, line: int, column: int) -> int:
        """The offset in the wrapped text itself of a line and a character column."""
        index = min(max(line, 1), len(self._lines)) - 1
        return self._starts[index] + column

    def of_bytes(self, line: int, column: int) -> int:
        """The source offset of a 1-based line and a 0-based UTF-8 byte column (as in `ast`)."""
        index = min(max(line, 1), len(self._lines)) - 1
        chars = len(self._lines[index].encode("utf-8")[:column].decode("utf-8", "ignore"))
        return self._clamp(self._starts[index] + chars)

    def _clamp(self, wrapped_offset: int) -> int:
        return min(max(wrapped_offset - 1, 0), self._length)


def rewrite_system_names(wrapped: str, source_length: int) -> str:
    """Replace each `$name` by `_name`, refusing names that start with `_` or are not NFKC."""
    places = Places(wrapped, source_length)
    chars = list(wrapped)
    tokens: list[tokenize.TokenInfo] = []
    brackets: list[tuple[str, int]] = []
    reader = tokenize.generate_tokens(io.StringIO(wrapped).readline)
    try:
        for token in reader:
            tokens.append(token)
            _track_brackets(token, brackets, places, len(wrapped))
    except tokenize.TokenError:
        if len(brackets) > 1:
            bracket, position = brackets[-1]
            raise ExpressionError(
                code="expr_unclosed", position=position, bracket=bracket
            ) from None
        raise ExpressionError(code="expr_unfinished", position=source_length) from None
    except SyntaxError as exc:  # IndentationError and friends from the tokenizer
        raise ExpressionError(code="expr_syntax", position=0, error=exc.msg) from None
    for index, token in enumerate(tokens):
        position = places.of_chars(*token.start)
        if token.type == tokenize.NAME:
            if token.string.startswith("_"):
                raise ExpressionError(
                    code="expr_underscore_name", position=position, name=token.string
                )
            if unicodedata.normalize("NFKC", token.string) != token.string:
                raise ExpressionError(
                    code="expr_name_not_nfkc", position=position, name=token.string
                )
        elif token.string == "$":
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            previous = tokens[index - 1] if index > 0 else None
            if (
                following is None
                or following.type != tokenize.NAME
                or following.start != (token.start[0], token.start[1] + 1)
                or (
                    previous is not None
                    and previous.type in (tokenize.NAME, tokenize.NUMBER)
                    and previous.end == token.start
                )
            ):
                raise ExpressionError(code="expr_lone_dollar", position=position)
            name = "$" + following.string
            if name not in SYSTEM_NAMES:
                known = ", ".join(sorted(SYSTEM_NAMES))
                raise ExpressionError(
                    code="expr_unknown_system_value", position=position, name=name, names=known
                )
            chars[position + 1] = "_"
    return "".join(chars)


def _track_brackets(
    token: tokenize.TokenInfo, brackets: list[tuple[str, int]], places: Places, size: int
) -> None:
    """Keep the stack of open brackets; the author may not close the wrapping bracket."""
    if token.type != tokenize.OP:
        return
    if token.string in _OPEN:
        brackets.append((token.string, places.of_chars(*token.start)))
    elif token.string in _CLOSE:
        is_last = places.wrapped(*token.start) == size - 1
        if is_last and len(brackets) > 1:
            bracket, position = brackets[-1]
            raise ExpressionError(code="expr_unclosed", position=position, bracket=bracket)
        if brackets:
            brackets.pop()
        if not brackets and not is_last:
            position = places.of_chars(*token.start)
            raise ExpressionError(code="expr_unmatched", position=position, bracket=token.string)


def check_size(body: ast.AST, places: Places) -> None:
    """Refuse trees with too many nodes or too deep, without recursion."""
    count = 0
    stack: list[tuple[ast.AST, int]] = [(body, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, _UNCOUNTED):
            continue
        count += 1
        position = start_of(node, places)
        if count > MAX_NODES:
            raise ExpressionError(code="expr_too_many_parts", position=position, limit=MAX_NODES)
        if depth > MAX_DEPTH:
            raise ExpressionError(code="expr_too_deep", position=position, limit=MAX_DEPTH)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def start_of(node: ast.AST, places: Places) -> int:
    line = getattr(node, "lineno", None)
    if line is None:
        return 0
    return places.of_bytes(line, getattr(node, "col_offset", 0))
