"""The interface's language: English, or Ukrainian for the teams who work in it.

Templates mark their text with ``{{ _("…") }}`` or ``{% trans %}…{% endtrans %}``
(Jinja's i18n extension); the catalogues are Babel ``.po`` files under
``locale/``, compiled in memory when the app starts, so an edited catalogue
needs no build step. ``make messages`` extracts the marked text and merges
it into each catalogue (``scripts/messages.py``).

A reader's language is the one they chose (a cookie set by ``POST /language``),
else the best of their browser's ``Accept-Language``, else English. Only the
interface is translated: transcripts, English translations, names and notes
are shown exactly as they are stored.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from fastapi import Request

__all__ = [
    "LANGUAGE_COOKIE",
    "LANGUAGES",
    "current_language",
    "gettext_",
    "in_language",
    "language_of",
    "ngettext_",
    "translations",
]

LOCALES = Path(__file__).resolve().parent / "locale"
LANGUAGES = {"en": "English", "uk": "Українська"}
"""The interface languages, by code, each named in itself."""
LANGUAGE_COOKIE = "callsift_language"

_ENGLISH = gettext.NullTranslations()
_current: ContextVar[gettext.NullTranslations | None] = ContextVar(
    "callsift_translations", default=None
)
_language: ContextVar[str] = ContextVar("callsift_language", default="en")


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``language`` (English: the text as written)."""
    po = LOCALES / language / "LC_MESSAGES" / "messages.po"
    if language not in LANGUAGES or language == "en" or not po.is_file():
        return gettext.NullTranslations()
    with open(po, "rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def language_of(request: Request) -> str:
    """The reader's interface language: their choice, else their browser's, else English."""
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    best, weight = "en", 0.0
    for part in request.headers.get("accept-language", "")[:500].split(","):
        tag, _, q = part.strip().partition(";q=")
        code = tag.split("-")[0].strip().lower()
        try:
            value = float(q) if q else 1.0
        except ValueError:
            continue
        if code in LANGUAGES and value > weight:
            best, weight = code, value
    return best


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Render in ``language`` until the block ends (each request sets its own)."""
    token = _current.set(translations(language))
    named = _language.set(language if language in LANGUAGES else "en")
    try:
        yield
    finally:
        _current.reset(token)
        _language.reset(named)


def current_language() -> str:
    """The language being rendered in (for dates and numbers written the reader's way)."""
    return _language.get()


def gettext_(message: str) -> str:
    """``message`` in the current request's language."""
    return (_current.get() or _ENGLISH).gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message, for ``n``, in the current language."""
    return (_current.get() or _ENGLISH).ngettext(singular, plural, n)
