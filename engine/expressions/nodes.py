"""The expression tree: small frozen nodes that the parser builds from Python's `ast`.

Python's own AST is only the parser's raw material. Once an expression has passed the
allowlist it is turned into these nodes, which hold exactly what the language has (decimal
literals, dotted paths, the function names of the registry) and the place of each node in
the source. The evaluator, the SQL translator and the type checker all walk this tree, so
none of them ever sees a Python construct that the language does not allow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Node:
    """Base of every node: `start`/`end` are character offsets into the source."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Literal(Node):
    """A number (int or Decimal), a text, true, false or null."""

    value: Any


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A field, a system value (`$state`) or a path into a link or child row (`a.b.c`)."""

    path: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Unary(Node):
    """`-x`, `+x` or `not x`."""

    op: str
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    """`+ - * / %`."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Compare(Node):
    """A comparison chain: `a < b <= c` has ops ('<', '<=') and operands (a, b, c)."""

    ops: tuple[str, ...]
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Logic(Node):
    """`and` / `or` over two or more values."""

    op: str
    values: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class ListOf(Node):
    """A list literal `[a, b]` (or a parenthesised tuple `(a, b)`)."""

    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Choose(Node):
    """`body if test else orelse`."""

    test: Node
    body: Node
    orelse: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    """A call of one of the language's functions, positional arguments only."""

    name: str
    args: tuple[Node, ...]


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-nodes of `node`, in source order."""
    match node:
        case Unary(operand=operand):
            return (operand,)
        case Binary(left=left, right=right):
            return (left, right)
        case Compare(operands=operands):
            return operands
        case Logic(values=values):
            return values
        case ListOf(items=items):
            return items
        case Choose(test=test, body=body, orelse=orelse):
            return (body, test, orelse)
        case Call(args=args):
            return args
    return ()


def walk(node: Node) -> list[Node]:
    """Every node of the tree, parents before children (iterative, no recursion)."""
    found: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(reversed(children(current)))
    return found
