"""Localized text of packs: a plain string, or language tag → string.

The UI asks for the user's language, then English, then the first language given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LocalizedText = str | Mapping[str, str]


def localize(text: Any, language: str = "en") -> str:
    """Pick the text for `language`, falling back to its base language, English, then the first."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if not isinstance(text, Mapping) or not text:
        return str(text)
    if language in text:
        return text[language]
    base = language.split("-")[0]
    for tag, value in text.items():
        if tag.split("-")[0] == base:
            return value
    if "en" in text:
        return text["en"]
    return next(iter(text.values()))
