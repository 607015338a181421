"""The code stays in small pieces that import one way: what STYLE.md asks, checked.

Files of engine/ and web/ stay under 400 lines and functions under 60, so a module is split
by concept long before it grows into a god module. The engine and the command line import
without cycles: a cycle (audit and the records service, the command line and its background
commands) means two files that cannot be read, tested or changed apart. Imports inside
functions count too; imports for type checking only do not, as they never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60


def _sources(*folders: str) -> Iterator[tuple[str, Path]]:
    """(dotted module name, path) of every Python file under the folders."""
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join(parts), path


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, leaving out the bodies of `if TYPE_CHECKING:` blocks."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _imports(name: str, path: Path, known: Mapping[str, Path]) -> set[str]:
    """The modules of `known` that `name` imports when it runs."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package[: len(package) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            for alias in node.names:
                target = f"{base}.{alias.name}"
                if target in known:
                    found.add(target)
                elif base in known:
                    found.add(base)
    found.discard(name)
    return found


def _cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or round a circle (Tarjan)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        order[node] = low[node] = len(order)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in order:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], order[target])
        if low[node] == order[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in order:
            visit(node)
    return found


def _graph(folder: str, prefix: str) -> dict[str, set[str]]:
    known = dict(_sources(folder))
    return {
        name: {t for t in _imports(name, path, known) if t.startswith(prefix)}
        for name, path in known.items()
        if name.startswith(prefix)
    }


@pytest.mark.parametrize(
    ("folder", "prefix"),
    [("engine", "engine"), ("web", "web.cli")],
    ids=["engine", "command line"],
)
def test_modules_import_one_way(folder: str, prefix: str) -> None:
    assert _cycles(_graph(folder, prefix)) == []


def test_the_cycle_finder_sees_a_circle_through_a_function_level_import(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import b\n")
    (tmp_path / "b.py").write_text("def f():\n    from a import x\n")
    (tmp_path / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import a\n"
    )
    known = {p.stem: p for p in tmp_path.glob("*.py")}
    graph = {name: _imports(name, path, known) for name, path in known.items()}
    assert _cycles(graph) == [["a", "b"]]


def test_engine_and_web_files_stay_under_400_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): count
        for _, path in _sources("engine", "web")
        if (count := len(path.read_text(encoding="utf-8").splitlines())) >= MAX_FILE_LINES
    }
    assert long == {}


def test_engine_and_web_functions_stay_under_60_lines() -> None:
    long = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({size} lines)"
        for _, path in _sources("engine", "web")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (size := (node.end_lineno or node.lineno) - node.lineno + 1) > MAX_FUNCTION_LINES
    ]
    assert long == []


# Circles of web/ not yet undone, each to leave this list when it is: none are left.
WEB_CIRCLES_LEFT: list[list[str]] = []


def test_web_gains_no_import_circle() -> None:
    """The error answers, the API helpers and the request contexts import one way (the
    refusal body and the request transaction are modules of their own); no new circle."""
    circles = _cycles(_graph("web", "web"))
    assert [c for c in circles if c not in WEB_CIRCLES_LEFT] == []
    tied = {name for circle in circles for name in circle}
    freed = {"web.errors", "web.api.common", "web.api.body", "web.pages.errors"}
    assert not tied & (freed | {"web.pages.context", "web.api.context"})


def test_field_kinds_import_nothing_of_the_compiled_model_even_for_typing() -> None:
    """The model asks its kind object; the kinds read a field through a protocol
    (engine/kinds/fieldlike.py), so the two never import each other."""
    for name, path in _sources("engine/kinds"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not {m for m in imported if m and m.startswith("engine.definitions")}, name


def test_web_and_the_services_read_permissions_only_through_abilities() -> None:
    """One permission answer (engine/abilities.py): web/ never calls the rules beside it,
    and the records service and the workflow enforce through the same object the pages read."""
    known = dict(_sources("engine", "web"))
    readers = [
        (name, path)
        for name, path in known.items()
        if name.startswith("web.")
        or name == "engine.records.service"
        or name.startswith("engine.workflow.")
    ]
    assert len(readers) > 50 and "engine.workflow.transitions" in dict(readers)
    offenders = sorted(n for n, p in readers if "engine.permissions" in _imports(n, p, known))
    assert offenders == []
