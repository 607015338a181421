"""Printing a record: the pack's print template rendered in Jinja's sandbox.

A template is pack data written by an admin, so it runs with nothing but plain values:
`record` (number, state title, owner name, created), `data` (each field the reader may read,
as shown to people; hidden fields are absent), `values` (the same fields' plain values, for
sums), `t()` (the reader's language), `money_in_words()` (大写金额) and `approvals()` (the
approval history as signature blocks). Everything is autoescaped. Python attributes are out
of reach (an unsafe attribute is an error, not a blank), `range`, calls and string arguments
are counted against a budget, and output and time are bounded, so a hostile template ends
in a coded problem (`print_failed`, `print_too_large`), never a 500 or a hung worker.
How values read (dates, choices, users, times in the reader's zone) is the caller's: the
engine takes those formatters in a `PrintLocale` and knows nothing of the web.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from markupsafe import Markup
from sqlalchemy.orm import Session

from engine.abilities import abilities
from engine.actor import Actor
from engine.audit import visible_history
from engine.definitions.model import Field, Module
from engine.errors import NotFound, Problem, ValidationFailed
from engine.i18n import localize
from engine.money_words import money_in_words
from engine.records.model import Record

MAX_OUTPUT = 1_000_000  # characters of HTML
MAX_STEPS = 200_000  # range steps and calls together
MAX_SECONDS = 2.0
UNSAFE_FILTERS = ("center", "indent", "format", "wordwrap", "pprint", "xmlattr", "urlize")


@dataclass(frozen=True)
class PrintLocale:
    """How the reader reads values: the caller's formatters (language, zone, names)."""

    language: str
    value: Callable[[Field, Any], str]  # a field's value as shown to people
    moment: Callable[[Any], str]  # a time in the reader's zone
    user: Callable[[str], str]  # a user name → display name
    translate: Callable[[Any], str]  # t() of the template: a sentence or a pack text
    labels: Mapping[str, str]  # texts of the signature blocks: step, by, decision, at, approved


@dataclass(frozen=True)
class Printed:
    """A rendered print: its title, paper (A4/A5) and the HTML of its body."""

    id: str
    title: str
    paper: str
    html: Markup


class _Budget:
    """Steps and time one rendering may take."""

    def __init__(self) -> None:
        self.steps = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def tick(self, count: int = 1) -> None:
        self.steps += count
        if self.steps > MAX_STEPS or time.monotonic() > self.deadline:
            raise _TooLarge()


class _TooLarge(Exception):
    """The template asked for more work or output than a print may take."""


class _PrintEnvironment(SandboxedEnvironment):
    """The sandbox with unsafe attributes as errors and calls counted."""

    budget: _Budget

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        raise SecurityError(f"access to attribute {attribute!r} is not allowed")

    def getattr(self, obj: Any, attribute: str) -> Any:
        if attribute.startswith("_"):
            raise SecurityError(f"access to attribute {attribute!r} is not allowed")
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(argument, str) and argument.startswith("_"):
            raise SecurityError(f"access to attribute {argument!r} is not allowed")
        return super().getitem(obj, argument)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        __self.budget.tick()
        for arg in (*args, *kwargs.values()):
            if isinstance(arg, str) and len(arg) > MAX_OUTPUT:
                raise _TooLarge()
        return SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs)

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "%" and isinstance(left, str):
            raise SecurityError("string formatting with % is not allowed")
        if operator == "**" and isinstance(right, int) and right > 64:
            raise _TooLarge()
        if operator == "*" and _repeated_size(left, right) > MAX_OUTPUT:
            raise _TooLarge()
        return super().call_binop(context, operator, left, right)


def _repeated_size(left: Any, right: Any) -> int:
    """How long `left * right` would be when it repeats a string or a list."""
    if isinstance(left, str | list) and isinstance(right, int):
        return len(left) * right
    if isinstance(right, str | list) and isinstance(left, int):
        return len(right) * left
    return 0


def _environment(budget: _Budget) -> _PrintEnvironment:
    env = _PrintEnvironment(autoescape=True)
    env.budget = budget
    for name in UNSAFE_FILTERS:
        env.filters.pop(name, None)

    def bounded_range(*args: int) -> Iterator[int]:
        for number in range(*args):
            budget.tick()
            yield number

    env.globals["range"] = bounded_range
    return env


def _failed(print_id: str, detail: str) -> ValidationFailed:
    return ValidationFailed([Problem("", "print_failed", {"print": print_id, "detail": detail})])


def _display(
    module: Module, record: Record, visible: frozenset[str], locale: PrintLocale
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields the reader may read: as shown, and as plain values (child rows as lists)."""
    shown: dict[str, Any] = {}
    plain: dict[str, Any] = {}
    for f in module.fields:
        if f.name not in visible or f.name in record.restricted:
            continue
        value = record.data.get(f.name)
        if f.children:
            rows = value if isinstance(value, list) else []
            shown[f.name] = [_row(f, row, locale) for row in rows]
            plain[f.name] = [dict(row) for row in rows if isinstance(row, Mapping)]
            continue
        plain[f.name] = value
        if record.titles.get(f.name):  # a link's title, or a row link's number · key · title
            shown[f.name] = record.titles[f.name]
        else:
            shown[f.name] = "" if value is None else locale.value(f, value)
    return shown, plain


def _row(table: Field, row: Any, locale: PrintLocale) -> dict[str, str]:
    if not isinstance(row, Mapping):
        return {}
    return {
        c.name: "" if row.get(c.name) is None else locale.value(c, row.get(c.name))
        for c in table.children
    }


def _record_facts(module: Module, record: Record, locale: PrintLocale) -> dict[str, Any]:
    state = module.workflow.states.get(record.state) if module.workflow and record.state else None
    return {
        "number": record.number or record.id,
        "state": localize(state.title, locale.language) if state is not None else "",
        "owner": locale.user(record.owner) if record.owner else "",
        "created": locale.moment(record.created_at),
        "module": localize(module.title, locale.language),
    }


def _approvals(
    session: Session, module: Module, record: Record, actor: Actor, locale: PrintLocale
) -> Markup:
    """Each vote and step of the record's history as a signature block (who, what, when)."""
    blocks = []
    for entry in visible_history(session, module.id, record.id, actor, in_scope=True):
        if entry["action"] not in ("transition", "vote") or not entry["transition"]:
            continue
        step = module.workflow.transition(entry["transition"]) if module.workflow else None
        title = localize(step.title, locale.language) if step is not None else entry["transition"]
        state = module.workflow.states.get(entry["from"] or "") if module.workflow else None
        stage = localize(state.title, locale.language) if state is not None else ""
        decision = locale.labels["approved"] if entry["action"] == "vote" else title
        blocks.append(
            Markup(
                '<div class="signature"><p class="signature-step">{}</p>'
                '<p class="signature-name"><span>{}</span> {}</p>'
                '<p class="signature-decision"><span>{}</span> {}</p>'
                '<p class="signature-at"><span>{}</span> <time>{}</time></p>{}</div>'
            ).format(
                stage or title,
                locale.labels["by"],
                locale.user(entry["actor"] or ""),
                locale.labels["decision"],
                decision,
                locale.labels["at"],
                locale.moment(entry["at"]),
                Markup('<p class="signature-comment">{}</p>').format(entry["comment"])
                if entry["comment"]
                else "",
            )
        )
    return Markup('<div class="signatures-grid">{}</div>').format(Markup("").join(blocks))


def find_print(module: Module, print_id: str) -> Mapping[str, Any]:
    """The module's print template `print_id`; NotFound when it declares none by that id."""
    for template in module.prints:
        if template.get("id") == print_id:
            return template
    raise NotFound(code="unknown_print", module=module.id, print=print_id)


def render_print(
    session: Session,
    module: Module,
    record: Record,
    actor: Actor,
    print_id: str,
    locale: PrintLocale,
) -> Printed:
    """Render `print_id` of `module` for `record` as `actor` reads it.

    `record` comes from `get_record` as `actor` (in scope, hidden fields masked); the
    visible fields are asked again here so a caller cannot hand in more than the reader sees.
    """
    template = find_print(module, print_id)
    may = abilities(actor, module)
    may.require_read()
    shown, plain = _display(module, record, may.visible, locale)
    budget = _Budget()
    env = _environment(budget)

    def approvals() -> Markup:
        return _approvals(session, module, record, actor, locale)

    context = {
        "record": _record_facts(module, record, locale),
        "data": shown,
        "values": plain,
        "t": locale.translate,
        "money_in_words": money_in_words,
        "approvals": approvals,
    }
    html = _render(env, budget, print_id, str(template.get("template", "")), context)
    title = localize(template.get("title"), locale.language) or print_id
    return Printed(print_id, title, str(template.get("paper") or "A4"), html)


def _render(
    env: _PrintEnvironment, budget: _Budget, print_id: str, source: str, context: dict[str, Any]
) -> Markup:
    parts: list[str] = []
    size = 0
    try:
        for chunk in env.from_string(source).generate(context):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise _TooLarge()
            budget.tick(0)
            parts.append(chunk)
    except _TooLarge:
        problem = Problem("", "print_too_large", {"print": print_id, "steps": MAX_STEPS})
        raise ValidationFailed([problem]) from None
    except (TemplateError, SecurityError) as exc:
        raise _failed(print_id, exc.message or type(exc).__name__) from None
    except (ArithmeticError, TypeError, ValueError, LookupError, RecursionError) as exc:
        raise _failed(print_id, f"{type(exc).__name__}: {exc}") from None
    return Markup("".join(parts))
