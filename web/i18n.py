"""Languages of the pages: Flask-Babel, the language switch and pack text in the user's language.

Two languages are offered, English and simplified Chinese. The user's choice (the switch
in the navigation) is kept in the signed session; without one, the browser's
Accept-Language picks the first language it asks for that we offer. UI chrome goes through
gettext (`web/translations/`, the compiled .mo is committed so a fresh clone works); pack
labels are localized text picked with `engine.i18n.localize`.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, request, session
from flask_babel import Babel, get_locale

from engine.i18n import localize

# Babel locale → the language tag packs use for localized text.
LOCALES = {"en": "en", "zh_CN": "zh-CN"}
TAGS = {tag: locale for locale, tag in LOCALES.items()}
SESSION_KEY = "language"

babel = Babel()


def select_locale() -> str:
    """The Babel locale of this request: the user's switch, else Accept-Language, else English."""
    chosen = session.get(SESSION_KEY)
    if chosen in TAGS:
        return TAGS[chosen]
    best = request.accept_languages.best_match(["en", "zh-CN", "zh"], default="en")
    return "zh_CN" if best.startswith("zh") else "en"


def language() -> str:
    """The language tag of this request for pack text: "en" or "zh-CN"."""
    locale = get_locale()
    return "zh-CN" if locale is not None and locale.language == "zh" else "en"


def text(value: Any) -> str:
    """Localized pack text in the request's language (escaped later by Jinja)."""
    return localize(value, language())


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with our translations and time zone to the app."""
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", os.path.join(os.path.dirname(__file__), "translations")
    )
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", os.environ.get("FORMWORK_TIMEZONE", "UTC"))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(t=text, language=language)
