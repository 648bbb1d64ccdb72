"""Words and their dictionary forms, for Russian and Ukrainian.

Search, watchlists and entity rules all compare *lemmas*, so that "в Буче",
"из Бучи" and "Буча" are one word. pymorphy3 carries the OpenCorpora (Russian)
and LanguageTool-derived (Ukrainian) dictionaries inside its packages, so this
works offline. Its first parse is taken: good enough for matching, and
ambiguous military words (``полка`` is also a shelf) get their own rules in
``military``. ``ё`` is folded to ``е`` because Whisper writes either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

__all__ = ["Token", "analyzer", "lemma_text", "lemmatize", "morph_language", "tokenize"]

# Words are letters and digits, with inner hyphens and apostrophes kept
# ("331-й", "п'ять", "кое-где"); numbers with spaces are not joined here.
_WORD = re.compile(r"\w+(?:[-'’ʼ]\w+)*", re.UNICODE)


@dataclass(frozen=True)
class Token:
    """One word: as written, its lemma, and where it stands in the text."""

    text: str
    lemma: str
    start: int
    end: int


def morph_language(language: str | None) -> str:
    """The dictionary to use: Ukrainian for ``uk``, Russian for everything else."""
    return "uk" if language == "uk" else "ru"


@cache
def analyzer(language: str) -> Any:
    """A cached pymorphy3 analyser for ``ru`` or ``uk`` (loads in ~0.1 s)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=morph_language(language))


def tokenize(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]


@cache
def _lemma(word: str, language: str) -> str:
    lowered = word.lower().replace("ё", "е").replace("’", "'").replace("ʼ", "'")
    if not any(ch.isalpha() for ch in lowered) or lowered.isascii():
        return lowered
    return str(analyzer(language).parse(lowered)[0].normal_form).replace("ё", "е")


def lemmatize(text: str, language: str | None) -> list[Token]:
    """Every word of ``text`` with its lemma (lowercase, ``ё`` → ``е``)."""
    lang = morph_language(language)
    return [Token(word, _lemma(word, lang), start, end) for word, start, end in tokenize(text)]


def lemma_text(text: str, language: str | None) -> str:
    """The lemmas of ``text`` joined by spaces: what the search index stores."""
    return " ".join(token.lemma for token in lemmatize(text, language))
