"""Check the message a transition's `notify` carries: each `{name}` it fills in must be a
value of the record that prints as one line of text.

A misspelt field would reach every copied user as `{amout}` for as long as the pack is
installed, so it is refused at import, at the language and the name, with the names that
would be right. Both languages are required by the meta-schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.definitions.check_unique import storable
from engine.definitions.context import PackContext, Path, listing
from engine.definitions.notify_message import SYSTEM_NAMES, placeholders
from engine.definitions.scope import ModuleInfo, suggest


def printable(module: ModuleInfo, name: str) -> bool:
    """Whether `{name}` prints one value: a system name, or a stored plain field (no link,
    whose value is a record id)."""
    if name in SYSTEM_NAMES:
        return True
    info = module.fields.get(name)
    return info is not None and storable(info) and not info.kind_type.links


def check_notify_message(
    ctx: PackContext, module: ModuleInfo, path: Path, notify: Mapping[str, Any], tid: str
) -> None:
    """Report each placeholder of `notify.message` that is no field or prints no value."""
    message = notify.get("message")
    if not isinstance(message, Mapping):
        return
    names = [*SYSTEM_NAMES, *(n for n in module.fields if printable(module, n))]
    for language, text in message.items():
        if not isinstance(text, str):
            continue
        where = (*path, "message", language)
        for token in placeholders(text):
            if printable(module, token):
                continue
            info = module.fields.get(token)
            if info is None:
                params = {
                    "token": token,
                    "transition": tid,
                    "module": module.id,
                    "hint": suggest(token, names),
                    "names": listing(names),
                }
                ctx.add_problem(where, "notify_message_unknown", params)
            else:
                params = {"token": token, "transition": tid, "kind": info.kind_text}
                ctx.add_problem(where, "notify_message_not_a_value", params)
