"""From source text to the expression tree, through Python's own parser under an allowlist.

The language borrows Python's expression syntax, so Python's `ast` module does the parsing
and this module decides what of it is allowed. Three steps:

1. The text is checked (length, characters) and wrapped in brackets, so that an expression
   may span lines and start with blanks like any formula typed into a form.
2. `tokenize` rewrites `$name` (not Python) into `_name` — never inside text literals —
   after refusing every identifier the author wrote with a leading underscore, so `_name` in
   the tree can only come from `$name`. The rewrite keeps every character in place, so
   positions in Python's tree are positions in the author's text.
3. `ast.parse` builds Python's tree; its size and depth are checked without recursion, then
   each node is turned into a `nodes` node through a table of allowed node types. Anything
   not in the table is refused with its name and position.

The text steps and the size check are in `source`; this module holds the allowlist.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from engine.errors import ExpressionError
from engine.expressions.functions import FUNCTIONS
from engine.expressions.limits import (
    MAX_DIGITS,
    MAX_SOURCE_CHARS,
)
from engine.expressions.nodes import (
    Binary,
    Call,
    Choose,
    Compare,
    ListOf,
    Literal,
    Logic,
    Name,
    Node,
    Unary,
)
from engine.expressions.source import (
    Places,
    check_size,
    rewrite_system_names,
    start_of,
)
from engine.numbers import MAX_EXPONENT, MAX_NUMBER_CHARS, NumberRefused, read_decimal

_LITERAL_NAMES = {"true": True, "false": False, "null": None}
_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Mod: "%"}
_REFUSED_BINARY = {
    ast.Pow: "'**' (power)",
    ast.FloorDiv: "'//' (use round(a / b))",
    ast.MatMult: "'@'",
    ast.LShift: "'<<'",
    ast.RShift: "'>>'",
    ast.BitOr: "'|'",
    ast.BitXor: "'^'",
    ast.BitAnd: "'&'",
}
_COMPARE = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
}
_REFUSED = {
    "Subscript": "subscripts like x[0]",
    "Slice": "slices",
    "Lambda": "lambda functions",
    "ListComp": "comprehensions",
    "SetComp": "comprehensions",
    "DictComp": "comprehensions",
    "GeneratorExp": "generator expressions",
    "JoinedStr": "f-strings",
    "FormattedValue": "f-strings",
    "NamedExpr": "assignments (:=)",
    "Starred": "starred expressions (*x)",
    "Dict": "dictionaries",
    "Set": "sets",
    "Await": "await",
    "Yield": "yield",
    "YieldFrom": "yield",
}


def parse_tree(source: str) -> Node:
    """Parse `source` into an expression tree, or raise a coded ExpressionError."""
    if not isinstance(source, str):
        raise ExpressionError(code="expr_not_text", position=0, type=type(source).__name__)
    if len(source) > MAX_SOURCE_CHARS:
        raise ExpressionError(
            code="expr_too_long",
            position=MAX_SOURCE_CHARS,
            limit=MAX_SOURCE_CHARS,
            length=len(source),
        )
    if not source.strip():
        raise ExpressionError(code="expr_empty", position=0)
    for index, char in enumerate(source):
        if char == "\x00" or "\ud800" <= char <= "\udfff":
            raise ExpressionError(code="expr_bad_character", position=index, char=char)
    # Same length as the source: a position in `prepared` minus one is a position in `source`.
    text = source.replace("\r\n", " \n").replace("\r", "\n")
    prepared = rewrite_system_names("(" + text + "\n)", len(source))
    places = Places(prepared, len(source))
    try:
        tree = ast.parse(prepared, mode="eval")
    except SyntaxError as exc:
        position = None
        if exc.lineno is not None:
            position = places.of_chars(exc.lineno, max((exc.offset or 1) - 1, 0))
        raise ExpressionError(code="expr_syntax", position=position, error=exc.msg) from None
    except (RecursionError, MemoryError):
        raise ExpressionError(code="expr_nested_too_deeply", position=0) from None
    except ValueError as exc:
        raise ExpressionError(code="expr_unreadable", position=0, error=str(exc)) from None
    check_size(tree.body, places)
    return _Converter(prepared, places).top(tree.body)


class _Converter:
    """Turns an allowed Python tree into expression nodes; refuses everything else."""

    def __init__(self, prepared: str, places: Places):
        self._prepared = prepared
        self._places = places
        self._convert: dict[type[ast.AST], Callable[[Any], Node]] = {
            ast.Constant: self._constant,
            ast.Name: self._name,
            ast.Attribute: self._attribute,
            ast.UnaryOp: self._unary,
            ast.BinOp: self._binary,
            ast.BoolOp: self._logic,
            ast.Compare: self._compare,
            ast.IfExp: self._choose,
            ast.List: self._list,
            ast.Tuple: self._list,
            ast.Call: self._call,
        }

    def top(self, body: ast.expr) -> Node:
        if isinstance(body, ast.Tuple) and body.col_offset == 0 and body.lineno == 1:
            raise ExpressionError(code="expr_bare_list", position=self._span(body)[0])
        return self.convert(body)

    def convert(self, node: ast.AST) -> Node:
        converter = self._convert.get(type(node))
        if converter is None:
            what = _REFUSED.get(type(node).__name__, f"'{type(node).__name__}' expressions")
            raise ExpressionError(code="expr_not_allowed", position=self._span(node)[0], what=what)
        return converter(node)

    def _span(self, node: ast.AST) -> tuple[int, int]:
        start = start_of(node, self._places)
        end_line = getattr(node, "end_lineno", None)
        end_col = getattr(node, "end_col_offset", None)
        if end_line is None or end_col is None:
            return start, start
        return start, self._places.of_bytes(end_line, end_col)

    def _text(self, node: ast.expr) -> str:
        """The prepared text of a node (numbers are read from here, never from a float)."""
        line, col = node.lineno, node.col_offset
        end_line, end_col = node.end_lineno, node.end_col_offset
        if line != end_line or end_col is None:
            return ""
        return self._prepared.split("\n")[line - 1].encode("utf-8")[col:end_col].decode("utf-8")

    def _constant(self, node: ast.Constant) -> Node:
        start, end = self._span(node)
        value = node.value
        if isinstance(value, str) and any(
            char == "\x00" or "\ud800" <= char <= "\udfff" for char in value
        ):
            raise ExpressionError(code="expr_text_bad_character", position=start)
        if value is None or isinstance(value, bool | str):
            return Literal(start, end, value)
        if isinstance(value, int | float):
            return Literal(start, end, _number(self._text(node), start))
        if isinstance(value, complex):
            raise ExpressionError(code="expr_complex_number", position=start)
        if isinstance(value, bytes):
            raise ExpressionError(code="expr_bytes_literal", position=start)
        literal = self._text(node) or "this literal"
        raise ExpressionError(code="expr_literal_not_allowed", position=start, literal=literal)

    def _name(self, node: ast.Name) -> Node:
        start, end = self._span(node)
        if node.id in _LITERAL_NAMES:
            return Literal(start, end, _LITERAL_NAMES[node.id])
        if node.id.startswith("_"):
            return Name(start, end, ("$" + node.id[1:],))
        return Name(start, end, (node.id,))

    def _attribute(self, node: ast.Attribute) -> Node:
        start, end = self._span(node)
        parts: list[str] = []
        current: ast.expr = node
        while isinstance(current, ast.Attribute):
            parts.append(current.attr)
            current = current.value
        if not isinstance(current, ast.Name):
            raise ExpressionError(code="expr_field_of_non_name", position=start)
        base = self._name(current)
        if isinstance(base, Literal):
            raise ExpressionError(code="expr_no_fields", position=start, name=current.id)
        assert isinstance(base, Name)
        if base.path[0].startswith("$"):
            raise ExpressionError(code="expr_no_fields", position=start, name=base.path[0])
        return Name(start, end, base.path + tuple(reversed(parts)))

    def _unary(self, node: ast.UnaryOp) -> Node:
        start, end = self._span(node)
        operand = self.convert(node.operand)
        if isinstance(node.op, ast.Not):
            return Unary(start, end, "not", operand)
        if isinstance(node.op, ast.Invert):
            raise ExpressionError(code="expr_operator_not_allowed", position=start, op="'~'")
        op = "-" if isinstance(node.op, ast.USub) else "+"
        if (
            isinstance(operand, Literal)
            and isinstance(operand.value, int | Decimal)
            and not isinstance(operand.value, bool)
        ):
            value = operand.value
            if op == "-":
                value = value.copy_negate() if isinstance(value, Decimal) else -value
            return Literal(start, end, value)
        return Unary(start, end, op, operand)

    def _binary(self, node: ast.BinOp) -> Node:
        start, end = self._span(node)
        op = _BINARY.get(type(node.op))
        if op is None:
            refused = _REFUSED_BINARY[type(node.op)]
            raise ExpressionError(code="expr_operator_not_allowed", position=start, op=refused)
        return Binary(start, end, op, self.convert(node.left), self.convert(node.right))

    def _logic(self, node: ast.BoolOp) -> Node:
        start, end = self._span(node)
        op = "and" if isinstance(node.op, ast.And) else "or"
        return Logic(start, end, op, tuple(self.convert(v) for v in node.values))

    def _compare(self, node: ast.Compare) -> Node:
        start, end = self._span(node)
        ops: list[str] = []
        for op in node.ops:
            if type(op) not in _COMPARE:
                raise ExpressionError(code="expr_is_operator", position=start)
            ops.append(_COMPARE[type(op)])
        operands = (self.convert(node.left), *(self.convert(c) for c in node.comparators))
        return Compare(start, end, tuple(ops), operands)

    def _choose(self, node: ast.IfExp) -> Node:
        start, end = self._span(node)
        return Choose(
            start, end, self.convert(node.test), self.convert(node.body), self.convert(node.orelse)
        )

    def _list(self, node: ast.List | ast.Tuple) -> Node:
        start, end = self._span(node)
        return ListOf(start, end, tuple(self.convert(item) for item in node.elts))

    def _call(self, node: ast.Call) -> Node:
        start, end = self._span(node)
        if not isinstance(node.func, ast.Name) or node.func.id.startswith("_"):
            raise ExpressionError(code="expr_call_not_a_function", position=start)
        name = node.func.id
        function = FUNCTIONS.get(name)
        if function is None:
            known = ", ".join(FUNCTIONS)
            raise ExpressionError(
                code="expr_unknown_function", position=start, name=name, functions=known
            )
        if node.keywords:
            raise ExpressionError(code="expr_keyword_arguments", position=start, name=name)
        args = tuple(self.convert(arg) for arg in node.args)
        too_few = len(args) < function.min_args
        too_many = function.max_args is not None and len(args) > function.max_args
        if too_few or too_many:
            raise ExpressionError(
                code="expr_wrong_arity",
                position=start,
                name=name,
                arity=function.arity_text(),
                plural="" if function.arity_text() == "1" else "s",
                given=len(args),
                min_args=function.min_args,
                max_args=function.max_args,
            )
        return Call(start, end, name, args)


def _number(text: str, position: int) -> int | Decimal:
    """A number literal from its source text: int when whole, else an exact Decimal."""
    cleaned = text.replace("_", "")
    if cleaned[:2].lower() in ("0x", "0o", "0b"):
        raise ExpressionError(code="expr_not_decimal", position=position, literal=text)
    try:
        value = read_decimal(cleaned)  # bounded: `1e200000` is refused, never converted
    except NumberRefused as refused:
        raise _refused(refused, position) from None
    if len(value.as_tuple().digits) > MAX_DIGITS:
        raise ExpressionError(code="expr_too_many_digits", position=position, limit=MAX_DIGITS)
    if cleaned.isdigit():
        return int(cleaned)
    return value


def _refused(refused: NumberRefused, position: int) -> ExpressionError:
    """The expression error of a number literal that `read_decimal` refused."""
    if refused.code == "too_long":
        return ExpressionError(
            code="expr_number_too_long",
            position=position,
            number=refused.text,
            limit=MAX_NUMBER_CHARS,
        )
    if refused.code == "range":
        return ExpressionError(
            code="expr_number_range", position=position, number=refused.text, limit=MAX_EXPONENT
        )
    return ExpressionError(code="expr_number_invalid", position=position, number=refused.text)
