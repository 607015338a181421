"""No engine error is raised with an English sentence in place of a code.

A problem is `(path, code, params)` and its sentence is made from the code in the reader's
language (engine/codes.py, web/problems.py). A sentence passed where the code belongs
(`ExpressionError("...")`, `NotFound(f"...")`, `Problem(path, "a sentence")`) still works,
under the code `invalid`, but reaches a Chinese reader in English; a code that is misspelt
does the same. This walks the syntax of every file of engine/ and web/ and lists both.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import engine.errors
from engine.codes import MESSAGES
from engine.codes_expressions import CHECKS

ROOT = Path(__file__).resolve().parent.parent
ERRORS = frozenset(
    name
    for name, value in vars(engine.errors).items()
    if isinstance(value, type) and issubclass(value, engine.errors.FormworkError)
)
# An f-string made only of code characters and values builds a code (`upload_{code}`).
CODE_PART = re.compile(r"[a-z0-9_]*")


def _called(node: ast.Call) -> str | None:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _sentence(arg: ast.expr) -> bool:
    """True for a literal that is a sentence rather than a code."""
    if isinstance(arg, ast.Constant):
        return isinstance(arg.value, str) and arg.value not in MESSAGES
    if isinstance(arg, ast.JoinedStr):
        parts = [v.value for v in arg.values if isinstance(v, ast.Constant)]
        return not all(CODE_PART.fullmatch(str(part)) for part in parts)
    return False


def literal_problems(source: str, where: str) -> Iterator[str]:
    """`file:line: what` for each sentence given instead of a code, and each unknown code."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _called(node)
        if name == "Problem" and len(node.args) >= 2 and _sentence(node.args[1]):
            yield f"{where}:{node.lineno}: Problem with a sentence for its code"
        elif name in ERRORS:
            code = next((k.value for k in node.keywords if k.arg == "code"), None)
            if code is None and node.args and _sentence(node.args[0]):
                yield f"{where}:{node.lineno}: {name} with a sentence and no code"
            if isinstance(code, ast.Constant) and code.value not in MESSAGES:
                yield f"{where}:{node.lineno}: {name} with the unknown code {code.value!r}"


def test_engine_and_web_raise_codes_not_sentences() -> None:
    found = [
        problem
        for folder in ("engine", "web")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for problem in literal_problems(
            path.read_text(encoding="utf-8"), str(path.relative_to(ROOT))
        )
    ]
    assert found == [], "give each a code in engine/codes*.py:\n" + "\n".join(found)


def test_the_scan_sees_sentences_and_unknown_codes_but_not_codes() -> None:
    source = """
Problem("/a", "not a code")
Problem("/a", f"use one of {formats}")
ExpressionError("division by zero")
NotFound(f"no role {role!r}")
ExpressionError(code="expr_divison_by_zero")
Problem("/a", "required", {"field": "a"})
Problem("/a", f"upload_{code}", params)
ExpressionError(code="expr_division_by_zero", position=3)
NotFound(code="unknown_role", role="boss")
Conflict(message)
"""
    assert [line.split(": ", 1)[0] for line in literal_problems(source, "x")] == [
        f"x:{n}" for n in (2, 3, 4, 5, 6)
    ]


def test_every_expression_code_has_its_sentence_among_the_engines_codes() -> None:
    assert set(CHECKS) <= set(MESSAGES)
    assert all(code.startswith("expr_") for code in CHECKS)
