"""Check the literals an expression compares with `$state` or a choice field.

`$state == 'aproved'` parses, type-checks and runs: it is simply never true, so a guard never
lets a record through and a report counts nothing. Every comparison of `$state` with a text
(`==`, `!=`, `in [...]`, `not in [...]`) must name a state of the module's workflow, and every
comparison of a choice field (also through a link, or a multi-choice field with `'x' in tags`)
one of its choices; otherwise it is an import problem at the expression, with the closest
name ("did you mean 'approved'?"). `check_expression` runs this on every expression of a pack.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from engine.definitions.context import PackContext, Path, listing
from engine.definitions.model import Field
from engine.definitions.scope import ModuleInfo, RecordScope, RowScope, Scope, suggest
from engine.expressions import Expression
from engine.expressions.nodes import Compare, ListOf, Literal, Name, walk

EQUALITY = frozenset({"==", "!="})
MEMBERSHIP = frozenset({"in", "not in"})


@dataclass(frozen=True)
class _Values:
    """What a name may hold: the states of a module or the choices of a field."""

    name: str
    values: tuple[Any, ...]
    state: bool
    module: str = ""


def check_literals(
    ctx: PackContext, path: Path, text: str, expression: Expression, scope: Scope
) -> None:
    """Report each literal compared with `$state` or a choice field that it can never equal."""
    for name, literal in _compared(expression):
        known = _values_of(scope, name.path)
        if known is None or not _same_family(literal, known.values):
            continue
        if any(literal == v and type(literal) is type(v) for v in known.values):
            continue
        shown = [str(v) for v in known.values]
        close = difflib.get_close_matches(str(literal), shown, n=1, cutoff=0.75)
        params = {
            "text": text,
            "value": literal,
            "hint": suggest(str(literal), shown),
            "closest": close[0] if close else "",
        }
        if known.state:
            params |= {"module": known.module, "states": listing(sorted(shown))}
            ctx.add_problem(path, "expression_unknown_state", params)
        else:
            params |= {"field": known.name, "choices": listing(shown)}
            ctx.add_problem(path, "expression_unknown_choice", params)


def _compared(expression: Expression) -> Iterator[tuple[Name, Any]]:
    """(name, literal) for each literal a name is compared with, as the author wrote them."""
    for node in walk(expression.tree):
        if not isinstance(node, Compare):
            continue
        pairs = zip(node.ops, node.operands, node.operands[1:], strict=False)
        for op, left, right in pairs:
            if op in EQUALITY:
                if isinstance(left, Name) and isinstance(right, Literal):
                    yield left, right.value
                elif isinstance(right, Name) and isinstance(left, Literal):
                    yield right, left.value
            elif op in MEMBERSHIP:
                if isinstance(left, Name) and isinstance(right, ListOf):
                    for item in right.items:
                        if isinstance(item, Literal):
                            yield left, item.value
                elif isinstance(left, Literal) and isinstance(right, Name):
                    yield right, left.value  # 'night' in tags: a choice of a multi-choice


def _same_family(literal: Any, values: tuple[Any, ...]) -> bool:
    """Only a text against text choices, a number against number choices: a literal of
    another kind is the type checker's to report."""
    if isinstance(literal, bool) or literal is None or literal == "":
        return False  # `trade != ''` asks whether a value is set: not a choice misspelled
    if isinstance(literal, str):
        return all(isinstance(v, str) for v in values)
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def _values_of(scope: Scope, path: tuple[str, ...]) -> _Values | None:
    """The states or choices `path` holds in `scope`, or None when it has no fixed set."""
    source, parent = getattr(scope, "source", None), getattr(scope, "parent", None)
    if isinstance(source, ModuleInfo) and isinstance(parent, ModuleInfo):
        # a rollup's `where` (engine/definitions/rollup_scope.py): `parent.x` is the parent's
        if path[0] == "parent" and len(path) == 2:
            return _choices(parent.fields.get(path[1]))
        scope = RecordScope(getattr(scope, "catalogue", {}), source)
    if isinstance(scope, RowScope):
        column = scope.table.columns.get(path[0]) if len(path) == 1 else None
        return _choices(column)
    if not isinstance(scope, RecordScope):
        return None
    module = scope.module
    if path == ("$state",):
        states = tuple(sorted(module.states)) if module.states else None
        return _Values("$state", states, True, module.id) if states else None
    info = module.fields.get(path[0])
    if info is not None and len(path) == 2 and info.kind_type.links:
        target = scope.catalogue.get(info.ref or "")
        return _choices(target.fields.get(path[1]) if target is not None else None)
    if info is not None and len(path) == 2 and info.kind_type.rows:
        return _choices(info.columns.get(path[1]))
    return _choices(info) if len(path) == 1 else None


def _choices(info: Field | None) -> _Values | None:
    if info is None or not (info.kind_type.one_of or info.kind_type.many):
        return None
    values: Any = info.enum
    items = info.schema.get("items")
    if info.kind_type.many and isinstance(items, Mapping):
        values = items.get("enum")
    if not isinstance(values, list | tuple) or not values:
        return None
    return _Values(info.name, tuple(values), False)
