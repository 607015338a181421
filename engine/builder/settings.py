"""A field's settings as the builder's field form sends them: text in, pack keywords out.

Which settings a field has follows from what its kind answers (a number has bounds, an
exact number a scale, a text a length and pattern, a choice its choices, a link its target,
an attachment its file types and size) — never from its name. Every setting is read here
and all problems of one form are raised at once, each at the field's JSON Pointer.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from engine.builder.edits import FIELD_ID, field_pointer, holder, module_of, titles
from engine.builder.formula_checks import formula_problems
from engine.errors import Problem, ValidationFailed
from engine.kinds import FieldKind, detect
from engine.numbers import NumberRefused, read_decimal

NUMBER_LIMIT = Decimal(10) ** 15  # bounds and defaults past this are a typing slip
LENGTH_LIMIT = 1_000_000
PATTERN_LIMIT = 500
BYTES_LIMIT = 1024**3
FILE_TYPE = re.compile(r"^(\.[A-Za-z0-9]{1,16}|[a-z]+/(\*|[A-Za-z0-9.+-]+))$")


def applicable(kind: FieldKind, schema: Mapping[str, Any]) -> frozenset[str]:
    """The settings the field form shows for a field of `kind` with `schema`."""
    shown = {"title", "help", "required"}
    computed = "x-formula" in schema or "x-rollup" in schema
    if computed:
        shown -= {"required"}
        shown.add("formula") if "x-formula" in schema else None
    elif kind.scalar and not kind.holds_files:
        shown.add("default")
    if kind.expression_type in ("integer", "number") and not computed:
        shown.add("range")
    if kind.exact:
        shown |= {"scale", "money"}
    plain = not (kind.enumerated or kind.links or kind.names_user or kind.holds_files)
    if kind.expression_type == "text" and plain:
        shown |= {"length", "pattern"}
    if kind.enumerated:
        shown.add("choices")
    if kind.links:
        shown.add("ref")
    if kind.holds_files:
        shown.add("files")
    return frozenset(shown)


class _Reader:
    """Reads the form's values, keeping every problem at the field's place."""

    def __init__(self, form: Mapping[str, str], path: str):
        self.form, self.path, self.problems = form, path, list[Problem]()

    def text(self, key: str) -> str:
        return str(self.form.get(key, "")).strip()

    def fail(self, code: str, **params: Any) -> None:
        self.problems.append(Problem(self.path, code, params))

    def number(self, key: str, whole: bool = False, limit: Decimal = NUMBER_LIMIT) -> Any:
        raw = self.text(key)
        if not raw:
            return None
        try:
            value = read_decimal(raw)
        except NumberRefused:
            return self.fail("builder_not_a_number", value=raw)
        if abs(value) > limit:
            return self.fail("builder_number_too_large", value=raw, limit=str(limit))
        if value == value.to_integral_value():
            return int(value)
        if whole:
            return self.fail("builder_not_a_whole_number", value=raw)
        return float(value)

    def choices(self, key: str) -> tuple[list[str], dict[str, dict[str, str]]]:
        values: list[str] = []
        labels: dict[str, dict[str, str]] = {}
        for line_no, line in enumerate(self.text(key).splitlines(), start=1):
            parts = [p.strip() for p in line.split("|")]
            if not parts[0] and len(parts) == 1:
                continue
            if not FIELD_ID.match(parts[0]) or len(parts) > 3:
                self.fail("builder_choice_line", line=line_no)
                continue
            if parts[0] in values:
                self.fail("builder_choice_twice", value=parts[0])
                continue
            values.append(parts[0])
            shown = dict(zip(("en", "zh-CN"), parts[1:], strict=False))
            if any(shown.values()):
                labels[parts[0]] = {lang: text for lang, text in shown.items() if text}
        return values, labels


def _set(schema: dict[str, Any], key: str, value: Any) -> None:
    if value is None or (isinstance(value, str | list | dict) and not value):
        schema.pop(key, None)
    else:
        schema[key] = value


def _default(kind: FieldKind, raw: str, reader: _Reader) -> Any:
    if not raw:
        return None
    if kind.flag:
        return raw.lower() in ("true", "yes", "1", "on")
    if kind.expression_type in ("integer", "number"):
        return reader.number("default", whole=kind.expression_type == "integer")
    return raw


def _numbers(schema: dict[str, Any], r: _Reader) -> None:
    low, high = r.number("minimum"), r.number("maximum")
    if low is not None and high is not None and low > high:
        r.fail("builder_bounds_reversed", low=low, high=high)
    _set(schema, "minimum", low)
    _set(schema, "maximum", high)


def _scale(schema: dict[str, Any], r: _Reader) -> None:
    if r.text("scale"):
        _set(schema, "x-scale", r.number("scale", whole=True, limit=Decimal(6)))


def _lengths(schema: dict[str, Any], r: _Reader) -> None:
    low = r.number("min_length", whole=True, limit=Decimal(LENGTH_LIMIT))
    high = r.number("max_length", whole=True, limit=Decimal(LENGTH_LIMIT))
    if low is not None and high is not None and low > high:
        r.fail("builder_bounds_reversed", low=low, high=high)
    _set(schema, "minLength", low)
    _set(schema, "maxLength", high)


def _pattern(schema: dict[str, Any], r: _Reader) -> None:
    pattern = r.text("pattern")
    if len(pattern) > PATTERN_LIMIT:
        return r.fail("builder_text_too_long", limit=PATTERN_LIMIT)
    try:
        re.compile(pattern)
    except re.error as exc:
        return r.fail("builder_pattern_invalid", value=pattern, detail=str(exc))
    _set(schema, "pattern", pattern)


def _choices(schema: dict[str, Any], r: _Reader) -> None:
    values, labels = r.choices("choices")
    target = schema["items"] if isinstance(schema.get("items"), dict) else schema
    target["enum"] = values
    _set(schema, "x-enum-titles", labels)


def _files(schema: dict[str, Any], r: _Reader) -> None:
    kinds = [k for k in re.split(r"[\s,]+", r.text("accept")) if k]
    bad = [k for k in kinds if not FILE_TYPE.match(k)]
    if bad:
        r.fail("builder_file_type", value=bad[0])
    _set(schema, "x-accept", list(dict.fromkeys(kinds)))
    _set(schema, "x-max-bytes", r.number("max_bytes", whole=True, limit=Decimal(BYTES_LIMIT)))


def _money(schema: dict[str, Any], flag: str) -> None:
    """An amount of money or a plain number: "on" or "off" (a form without the box: as is)."""
    if flag in ("on", "off"):
        _set(schema, "x-format", "money" if flag == "on" else None)


SETTERS: Mapping[str, Callable[[dict[str, Any], _Reader], None]] = {
    "range": _numbers,
    "scale": _scale,
    "length": _lengths,
    "pattern": _pattern,
    "choices": _choices,
    "ref": lambda schema, r: _set(schema, "x-ref", r.text("ref")),
    "files": _files,
    "formula": lambda schema, r: _set(schema, "x-formula", r.text("formula") or "0"),
    "money": lambda schema, r: _money(schema, r.text("money")),
}


def set_field(
    pack: Mapping[str, Any],
    module_id: str,
    name: str,
    form: Mapping[str, str],
    table: str | None = None,
) -> dict[str, Any]:
    """The pack with the field's settings taken from the form's text (every problem at once)."""
    result = copy.deepcopy(dict(pack))
    container = holder(module_of(result, module_id), table)
    schema = container["properties"].get(name)
    if not isinstance(schema, dict):
        raise ValidationFailed([Problem("", "builder_unknown_field", {"value": name})])
    kind = detect(schema)
    r = _Reader(form, field_pointer(result, module_id, name, table))
    shown = applicable(kind, schema)
    try:
        schema["title"] = titles(r.text("label_en"), r.text("label_zh"), r.path)
    except ValidationFailed as exc:
        r.problems += exc.problems
    help_text = {k: v for k, v in (("en", r.text("help_en")), ("zh-CN", r.text("help_zh"))) if v}
    _set(schema, "description", help_text)
    for setting in sorted(shown & set(SETTERS)):
        SETTERS[setting](schema, r)
    if "default" in shown:
        _set(schema, "default", _default(kind, r.text("default"), r))
    required = [n for n in container.get("required", []) if n != name]
    if "required" in shown and r.text("required") in ("on", "true", "1"):
        required.append(name)
    _set(container, "required", required)
    if "formula" in shown and not r.problems:  # code, unknown names, a cycle: not kept
        r.problems += formula_problems(result, module_id, name, table)
    if r.problems:
        raise ValidationFailed(r.problems)
    return result


def form_values(schema: Mapping[str, Any], required: bool) -> dict[str, str]:
    """The field form's inputs for a field as the pack holds it (the reverse of set_field)."""
    title = schema.get("title")
    title = title if isinstance(title, Mapping) else {"en": title or ""}
    help_text = schema.get("description")
    help_text = help_text if isinstance(help_text, Mapping) else {"en": help_text or ""}
    items = schema.get("items")
    items = items if isinstance(items, Mapping) else {}
    enum = schema.get("enum") or items.get("enum") or []
    labels = schema.get("x-enum-titles") or {}

    def choice_line(value: Any) -> str:
        shown = labels.get(value) or {}
        shown = shown if isinstance(shown, Mapping) else {"en": shown}
        parts = [str(value), shown.get("en", ""), shown.get("zh-CN", "")]
        return " | ".join(parts).rstrip(" |")

    def text(key: str) -> str:
        value = schema.get(key)
        return (
            "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
        )

    return {
        "label_en": title.get("en", ""),
        "label_zh": title.get("zh-CN", ""),
        "help_en": help_text.get("en", ""),
        "help_zh": help_text.get("zh-CN", ""),
        "required": "on" if required else "",
        "default": text("default"),
        "minimum": text("minimum"),
        "maximum": text("maximum"),
        "scale": text("x-scale"),
        "min_length": text("minLength"),
        "max_length": text("maxLength"),
        "pattern": text("pattern"),
        "choices": "\n".join(choice_line(v) for v in enum),
        "ref": text("x-ref"),
        "accept": ", ".join(schema.get("x-accept") or []),
        "max_bytes": text("x-max-bytes"),
        "formula": text("x-formula"),
        "money": "on" if schema.get("x-format") == "money" else "",
    }
