"""A field kind is asked, never named: no code outside engine/kinds/ compares a kind's name.

Adding a kind must touch its own file and the registry only. A test like
`field.kind == "link"` in a page or a service is a place the new kind would have to be
added by hand, so every such comparison is a question the kind object answers instead
(`field.kind_type.links`, `.rows`, `.holds_files`...). engine/expressions/ is left out: its
`.kind` is the type of an expression value (text, number, list), another vocabulary.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from engine.kinds import KINDS, REGISTERED, detect

ROOT = Path(__file__).resolve().parent.parent
SKIPPED = ("engine/kinds", "engine/expressions")


def _names(node: ast.expr) -> set[str]:
    """The kind names a comparison's operand spells out (a string or a literal collection)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value} & KINDS.keys()
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return set().union(*(_names(e) for e in node.elts)) if node.elts else set()
    if isinstance(node, ast.Call) and ast.unparse(node.func) in ("frozenset", "set", "tuple"):
        return set().union(*(_names(a) for a in node.args)) if node.args else set()
    return set()


def _is_kind(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "kind"


def _kind_comparisons(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, text) of every `x.kind <op> "name"` and every `KINDS["name"]`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_is_kind(o) for o in operands) and any(_names(o) for o in operands):
                yield node.lineno, ast.unparse(node)
        elif (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "KINDS"
            and _names(node.slice)
        ):
            yield node.lineno, ast.unparse(node)


def _offences(folders: tuple[str, ...]) -> list[str]:
    found = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            where = path.relative_to(ROOT).as_posix()
            if where.startswith(SKIPPED):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found += [f"{where}:{line}: {text}" for line, text in _kind_comparisons(tree)]
    return found


def test_no_kind_name_is_compared_outside_the_kinds() -> None:
    assert _offences(("engine", "web")) == []


def test_the_walk_finds_a_comparison_by_name() -> None:
    """The check itself: each spelling of a name test is caught, a question is not."""
    caught = ast.parse(
        'a = f.kind == "link"\nb = f.kind in ("user", "link")\n'
        'c = "table" != f.kind\nd = KINDS["file"]\ne = f.kind in frozenset({"multichoice"})'
    )
    assert [line for line, _ in _kind_comparisons(caught)] == [1, 2, 3, 4, 5]
    clean = ast.parse('a = f.kind_type.links\nb = t.kind == "vote"\nc = KINDS[f.kind]')
    assert list(_kind_comparisons(clean)) == []


def _filled(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A builder's starting schema with its questions answered (a link's module)."""
    return {k: ("projects" if v == "" else v) for k, v in schema.items()}


def test_every_kind_offers_the_builder_a_schema_detected_as_itself() -> None:
    """A field the builder starts from a kind's defaults is a field of that kind."""
    for kind in REGISTERED:
        assert kind.widget_options, kind.name
        assert detect(_filled(kind.widget_options)) is kind, kind.name
