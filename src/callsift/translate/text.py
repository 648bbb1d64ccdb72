"""Text translation back ends, for teams with a better engine than Whisper's.

Whisper's speech translation needs nothing extra; a text engine translates the
transcript as corrected by people and can be stronger for Russian. Two are
supported: Argos Translate (offline, when its ru→en / uk→en packages are
installed on the machine) and a LibreTranslate server the team runs
(``--translate-url``). Each names itself as ``engine`` and ``version`` so a
stored translation says what made it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from importlib import metadata
from typing import Any, Protocol

from callsift.errors import CallsiftError
from callsift.store import CaseStore
from callsift.store.analysis import calls_to_translate, save_translations, stored_segments
from callsift.translate.verify import check_call

__all__ = [
    "ArgosTranslator",
    "LibreTranslateTranslator",
    "TextTranslator",
    "TranslateError",
    "translate_case",
]


class TranslateError(CallsiftError):
    """A text translation back end is missing or failed."""


class TextTranslator(Protocol):
    engine: str
    version: str

    def translate(self, texts: list[str], source: str) -> list[str]:
        """English for each of ``texts``, written in ``source`` (``ru``, ``uk``)."""
        ...


class ArgosTranslator:
    """Argos Translate, offline, with whichever →en packages are installed."""

    engine = "argos-translate"

    def __init__(self) -> None:
        try:
            import argostranslate.translate as argos
        except ImportError as error:
            raise TranslateError(
                "argos-translate is not installed (pip install argostranslate)"
            ) from error
        self._argos: Any = argos
        self.version = metadata.version("argostranslate")

    def translate(self, texts: list[str], source: str) -> list[str]:
        languages = {language.code: language for language in self._argos.get_installed_languages()}
        if source not in languages or "en" not in languages:
            raise TranslateError(f"no Argos Translate {source}→en package is installed")
        translation = languages[source].get_translation(languages["en"])
        if translation is None:
            raise TranslateError(f"no Argos Translate {source}→en package is installed")
        return [translation.translate(text) for text in texts]


class LibreTranslateTranslator:
    """A LibreTranslate server (``POST /translate`` with a batch of texts)."""

    engine = "libretranslate"

    def __init__(self, url: str, api_key: str | None = None, timeout_s: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.version = self.url

    def translate(self, texts: list[str], source: str) -> list[str]:
        if not texts:
            return []
        body: dict[str, Any] = {"q": texts, "source": source, "target": "en", "format": "text"}
        if self.api_key:
            body["api_key"] = self.api_key
        request = urllib.request.Request(
            self.url + "/translate",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                answer = json.load(response)
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise TranslateError(f"LibreTranslate at {self.url} failed: {error}") from error
        translated = answer.get("translatedText") if isinstance(answer, dict) else None
        if not isinstance(translated, list) or len(translated) != len(texts):
            raise TranslateError(f"LibreTranslate at {self.url} gave an unexpected answer")
        return [str(text) for text in translated]


def translate_case(store: CaseStore, translator: TextTranslator) -> int:
    """Translate every segment not yet translated by this engine; returns calls done."""
    engine = f"{translator.engine} {translator.version}"
    calls = calls_to_translate(store, engine)
    for call_id in calls:
        by_language: dict[str, list[tuple[int, str]]] = {}
        for segment_id, segment in stored_segments(store, call_id):
            by_language.setdefault(segment.language, []).append((segment_id, segment.text))
        english: dict[int, str] = {}
        for language, items in by_language.items():
            texts = [text for _, text in items]
            done = texts if language == "en" else translator.translate(texts, language)
            english.update(zip((segment_id for segment_id, _ in items), done, strict=True))
        save_translations(store, call_id, engine, english)
        check_call(store, call_id)
    return len(calls)
