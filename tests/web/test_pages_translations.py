"""The Chinese catalogue of the pages is complete and its compiled form is current."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

FOLDER = Path(__file__).resolve().parents[2] / "web" / "translations" / "zh_Hans_CN" / "LC_MESSAGES"


def test_every_message_has_a_chinese_translation_and_the_mo_matches_the_po() -> None:
    with open(FOLDER / "messages.po", "rb") as f:
        po = read_po(f)
    with open(FOLDER / "messages.mo", "rb") as f:
        mo = read_mo(f)
    untranslated = [
        m.id
        for m in po
        if m.id and not any(m.string if isinstance(m.string, tuple) else [m.string])
    ]
    assert untranslated == []
    assert not [m.id for m in po if m.id and m.fuzzy]
    compiled = {_key(m.id): _key(m.string) for m in mo if m.id}
    written = {_key(m.id): _key(m.string) for m in po if m.id}
    assert compiled == written, "run `pybabel compile -d web/translations` (see babel.cfg)"


def _key(value: object) -> object:
    return tuple(value) if isinstance(value, (list, tuple)) else value
