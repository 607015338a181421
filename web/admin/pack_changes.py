"""A pack diff in words, in the reader's language, for the import review.

engine/packs/diff.py gives each added, changed or removed item as plain JSON values, before
and after. Those values in a table cell read as cut-off JSON, so each section has a
describer here: an added field reads "decimal number, required, scale 2", a changed one
"label Crew → Gang" and "required no → yes", a state "final", a transition "from submitted
to approved" and "roles site_manager", choices as lists. A text too long for a cell is
shortened; the whole of it travels along for the page to unfold (web/templates/admin/packs/
_changes.html). The words of attributes and kinds are in web/admin/pack_words.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import pgettext

from engine.packs.diff import PackChange
from web.admin.pack_words import attribute_word, change_words, kind_word, section_words
from web.i18n import text

SHORT = 70  # characters of one detail line shown before it is folded
LABEL = 48  # characters of an item's title shown under its key
SIDE = 32  # characters of each side of "old → new" in a folded line
LANGUAGES = frozenset({"en", "zh-CN"})
FLATTENED = frozenset({"constraints", "settings"})  # their keys read alone: "max length 40"

Item = Mapping[str, Any]


@dataclass(frozen=True)
class Detail:
    """One line of a change; `full` is the whole line when `text` is shortened."""

    text: str
    full: str = ""


@dataclass(frozen=True)
class ChangeRow:
    """One item of the diff; `label_full` is its whole title when `label` is shortened."""

    key: str
    label: str
    label_full: str
    change: str
    word: str
    colour: str
    details: tuple[Detail, ...]


@dataclass(frozen=True)
class ChangeSection:
    """The rows of one part of the pack (fields, states...), under its title."""

    section: str
    title: str
    rows: list[ChangeRow]


def _comma() -> str:
    """Between the items of a list: ", " in English, "、" in Chinese."""
    return pgettext("pack diff", ", ")


def _semicolon() -> str:
    """Between the parts of a line: "; " in English, "；" in Chinese."""
    return pgettext("pack diff", "; ")


def _localized(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and set(value) <= LANGUAGES


def words(value: Any) -> str:
    """A plain JSON value as a person reads it: labels in their language, lists joined."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return pgettext("pack diff", "yes") if value else pgettext("pack diff", "no")
    if _localized(value):
        return text(value)
    if isinstance(value, list):
        return _comma().join(words(v) for v in value)
    if isinstance(value, dict):
        shown = {k: v for k, v in value.items() if v not in (None, "", [], {})}
        return _semicolon().join(f"{attribute_word(str(k))} {words(v)}" for k, v in shown.items())
    return str(value)


def _cut(shown: str, limit: int) -> str:
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def detail(line: str) -> Detail:
    return Detail(line) if len(line) <= SHORT else Detail(_cut(line, SHORT), line)


def _from_to(name: str, old: str, new: str) -> Detail:
    """`name old → new`, each side shortened when the whole would not fit."""
    line = f"{name} {old} → {new}"
    if len(line) <= SHORT:
        return Detail(line)
    return Detail(f"{name} {_cut(old, SIDE)} → {_cut(new, SIDE)}", line)


def _choice_word(item: Item, value: Any) -> str:
    labels = item.get("choice_labels") or {}
    return text(labels[value]) if value in labels else str(value)


def _choice_words(item: Item) -> list[str]:
    return [_choice_word(item, c) for c in item.get("choices") or []]


def _choice_changes(before: Item, after: Item) -> list[Detail]:
    """Choices added and removed (by value, shown by label), then relabelled ones."""
    old, new = before.get("choices") or [], after.get("choices") or []
    lines = []
    if set(map(str, old)) != set(map(str, new)):
        lines.append(_list_change(attribute_word("choices"), old, new, before, after))
    elif old != new:
        lines.append(
            _from_to(
                attribute_word("choices"),
                *map(_comma().join, (_choice_words(before), _choice_words(after))),
            )
        )
    for value in (v for v in new if v in old):
        was, now = _choice_word(before, value), _choice_word(after, value)
        if was != now:
            lines.append(_from_to(pgettext("pack diff", "choice label"), was, now))
    return lines


def _list_change(
    name: str, old: list[Any], new: list[Any], before: Item | None = None, after: Item | None = None
) -> Detail:
    """`name + a, b; − c` for lists whose order matters less than what is in them; choices
    are compared by value and shown by the label `before`/`after` give them."""
    added = [_choice_word(after, v) if after else words(v) for v in new if v not in old]
    removed = [_choice_word(before, v) if before else words(v) for v in old if v not in new]
    if not added and not removed:
        return _from_to(name, words(old), words(new))  # the same, reordered
    parts = ([f"+ {_comma().join(added)}"] if added else []) + (
        [f"− {_comma().join(removed)}"] if removed else []
    )
    return detail(f"{name} {_semicolon().join(parts)}")


def _differences(where: str, old: Any, new: Any) -> list[Detail]:
    """What became of one attribute of a changed item, down to the part that changed."""
    if isinstance(old, dict) and isinstance(new, dict) and not _localized(old or new):
        keys = [*old, *(k for k in new if k not in old)]
        return [
            line
            for k in keys
            if old.get(k) != new.get(k)
            for line in _differences(_inside(where, str(k)), old.get(k), new.get(k))
        ]
    if isinstance(old, list) and isinstance(new, list) and _nested(old, new):
        common = min(len(old), len(new))
        lines = [
            line
            for i in range(common)
            if old[i] != new[i]
            for line in _differences(f"{where} › #{i + 1}", old[i], new[i])
        ]
        lines += [
            detail(f"{where} › #{i + 1}: + {words(v)}") for i, v in enumerate(new[common:], common)
        ]
        lines += [
            detail(f"{where} › #{i + 1}: − {words(v)}") for i, v in enumerate(old[common:], common)
        ]
        return lines
    if isinstance(old, list) and isinstance(new, list):
        return [_list_change(where, old, new)]
    return [_from_to(where, words(old), words(new))]


def _inside(where: str, key: str) -> str:
    """The place of `key` inside `where`; a field's limits read as limits of the field."""
    word = attribute_word(key)
    return word if where in FLATTENED else f"{where} › {word}"


def _nested(*lists: list[Any]) -> bool:
    return any(isinstance(v, dict | list) for values in lists for v in values)


def changed_details(before: Item, after: Item) -> list[Detail]:
    """A line for each attribute that differs; choices with their labels."""
    names = [*before, *(k for k in after if k not in before)]
    lines: list[Detail] = []
    for name in names:
        old, new = before.get(name), after.get(name)
        if old == new or name == "choice_labels":
            continue  # with the choices
        if name == "choices":
            lines += _choice_changes(before, after)
        elif name == "kind":
            lines.append(_from_to(attribute_word(name), kind_word(old), kind_word(new)))
        else:
            where = name if name in FLATTENED else attribute_word(name)
            lines += _differences(where, old, new)
    return lines


def field_summary(item: Item) -> list[Detail]:
    """An added or removed field: its kind and the facts that matter, then longer parts."""
    facts = [kind_word(item.get("kind"))]
    if item.get("required"):
        facts.append(pgettext("pack diff", "required"))
    if item.get("money"):
        facts.append(pgettext("pack diff", "money"))
    if item.get("kind") == "decimal" and item.get("scale") is not None:
        facts.append(pgettext("pack diff", "scale %(scale)s", scale=item["scale"]))
    if item.get("read_only") and not item.get("formula"):
        facts.append(pgettext("pack diff", "read-only"))
    lines = [detail(_comma().join(facts))]
    if item.get("ref"):
        lines.append(detail(pgettext("pack diff", "links to %(module)s", module=item["ref"])))
    for name in ("children", "formula", "rollup", "default", "description"):
        if item.get(name) not in (None, "", [], {}):
            lines.append(detail(f"{attribute_word(name)}: {words(item[name])}"))
    if item.get("choices"):
        lines.append(detail(f"{attribute_word('choices')}: {_comma().join(_choice_words(item))}"))
    lines += [
        detail(f"{attribute_word(k)} {words(v)}")
        for k, v in (item.get("constraints") or {}).items()
    ]
    return lines


def state_summary(item: Item) -> list[Detail]:
    facts = [
        word
        for name, word in (
            ("final", pgettext("pack diff", "final")),
            ("readonly", pgettext("pack diff", "read-only")),
        )
        if item.get(name)
    ]
    if item.get("due"):
        facts.append(pgettext("pack diff", "due after %(due)s", due=item["due"]))
    lines = [detail(_comma().join(facts))] if facts else []
    if item.get("editable"):
        lines.append(detail(f"{attribute_word('editable')}: {words(item['editable'])}"))
    return lines


def transition_summary(item: Item) -> list[Detail]:
    """`from submitted to approved`, its roles, then what else it asks for."""
    sources = (
        words(item.get("sources")) if item.get("sources") else pgettext("pack diff", "any state")
    )
    lines = [
        detail(
            pgettext(
                "pack diff",
                "from %(from)s to %(to)s",
                **{"from": sources, "to": item.get("target")},
            )
        )
    ]
    if item.get("roles"):
        lines.append(detail(f"{attribute_word('roles')} {words(item['roles'])}"))
    facts = [
        word
        for present, word in (
            (item.get("approval"), pgettext("pack diff", "needs approval")),
            (item.get("comment") == "required", pgettext("pack diff", "comment required")),
            (item.get("owner_only"), pgettext("pack diff", "owner only")),
        )
        if present
    ]
    if facts:
        lines.append(detail(_comma().join(facts)))
    for name in ("when", "requires"):
        if item.get(name):
            lines.append(detail(f"{attribute_word(name)}: {words(item[name])}"))
    return lines


def _reach(value: str) -> str:
    """Which records an action reaches: all, or the user's own."""
    if value == "all":
        return pgettext("pack diff", "all records")
    return pgettext("pack diff", "own records") if value == "own" else value


def permission_summary(item: Item) -> list[Detail]:
    """What a role may do in a module: `create, read (all), update (own)`, its scope."""
    facts = []
    for action in ("create", "read", "update", "delete", "export", "import_"):
        value = item.get(action)
        if value is True:
            facts.append(attribute_word(action))
        elif isinstance(value, str) and value:
            facts.append(f"{attribute_word(action)} ({_reach(value)})")
    lines = [detail(_comma().join(facts) if facts else pgettext("pack diff", "nothing"))]
    if item.get("scope"):
        lines.append(detail(f"{attribute_word('scope')} {words(item['scope'])}"))
    return lines


def other_summary(item: Item) -> list[Detail]:
    """Any other part: its attributes in words, the title being the row's label already."""
    return [
        detail(f"{attribute_word(k)}: {words(v)}")
        for k, v in item.items()
        if k not in ("id", "name", "title", "label") and v not in (None, "", [], {}, False)
    ]


SUMMARIES: dict[str, Callable[[Item], list[Detail]]] = {
    "fields": field_summary,
    "states": state_summary,
    "transitions": transition_summary,
    "permissions": permission_summary,
    "roles": lambda item: [],
}


def _label(item: Item) -> str:
    for name in ("label", "title"):
        if _localized(item.get(name)) or isinstance(item.get(name), str):
            return text(item[name])
    return ""


def change_row(change: PackChange) -> ChangeRow:
    word, colour = change_words()[change.change]
    item = change.after if change.after is not None else change.before or {}
    if change.before is not None and change.after is not None:
        lines = changed_details(change.before, change.after)
    else:
        lines = SUMMARIES.get(change.section, other_summary)(item)
    label = _label(item)
    short = _cut(label, LABEL)
    return ChangeRow(
        change.key,
        short,
        label if short != label else "",
        change.change,
        word,
        colour,
        tuple(lines),
    )


def change_sections(changes: list[PackChange]) -> list[ChangeSection]:
    """The diff's rows grouped by part of the pack, in the diff's order."""
    titles = section_words()
    sections: list[ChangeSection] = []
    for change in changes:
        if not sections or sections[-1].section != change.section:
            title = titles.get(change.section, change.section)
            sections.append(ChangeSection(change.section, title, []))
        sections[-1].rows.append(change_row(change))
    return sections
