"""Russian or Ukrainian: decide a channel's language from its whole transcript.

Whisper picks the language from the first 30 seconds of audio and often hears
Ukrainian as Russian or the reverse, and then writes the whole call in the
wrong spelling. The transcript itself is better evidence: lingua's character
models over all of it, and the letters only one alphabet has (і ї є ґ are
Ukrainian; ы э ъ ё are Russian). When the text disagrees with Whisper clearly
enough, the pipeline transcribes the channel again in the decided language.

Thresholds (chosen on the demo calls and hand-written surzhyk, documented so a
reviewer can weigh a decision):

* ``MIN_WORDS`` (4): fewer words than this say nothing reliable; Whisper's
  guess, made on the audio, stands.
* ``OVERRIDE`` (0.65): the text must favour the other language with at least
  this share before Whisper is overruled, since that costs a second pass.
* ``MIXED_SHARE`` (0.2): speech is mixed (surzhyk) when the minority language
  has at least this share of the words spelled in only one alphabet (and at
  least ``MIXED_WORDS`` of them), or of the sentences lingua is sure of.

Belarusian is in lingua's set only so that its mass does not fall on either
language; texts in Latin letters are English when Whisper said Russian or
Ukrainian, and otherwise left to Whisper, whose languages lingua does not cover.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

__all__ = [
    "MIN_WORDS",
    "MIXED_SHARE",
    "OVERRIDE",
    "LanguageDecision",
    "decide_language",
    "detector",
]

MIN_WORDS = 4
OVERRIDE = 0.65
MIXED_SHARE = 0.2
MIXED_WORDS = 2
SURE_SENTENCE = 0.7  # lingua confidence that makes a sentence count as one language
SENTENCE_WORDS = 3  # shorter sentences are too short to label

_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ-][^\W\d_]+)*")
_UKRAINIAN = re.compile("[іїєґ]", re.IGNORECASE)
_RUSSIAN = re.compile("[ыэъё]", re.IGNORECASE)
_CYRILLIC = re.compile("[а-яёіїєґў]", re.IGNORECASE)
_LATIN = re.compile("[a-z]", re.IGNORECASE)
_SENTENCES = re.compile(r"(?<=[.!?…])\s+")


@dataclass(frozen=True)
class LanguageDecision:
    """The language a channel is in.

    Attributes:
        language: ISO 639-1 code (``ru``, ``uk``, ``en``…).
        mixed: Russian and Ukrainian both spoken (surzhyk); ``language`` is the dominant one.
        confidence: 0–1, the share of the evidence for ``language`` (below 0.5
            where weak evidence against Whisper's choice left it standing).
        reason: the evidence, in words, for the reviewer.
    """

    language: str
    mixed: bool
    confidence: float
    reason: str


@cache
def detector() -> Any:
    """lingua's detector for Russian, Ukrainian, Belarusian and English, built once.

    High-accuracy mode with those four models preloaded: 0.5 to 1.3 s and 130 MB.
    (Low-accuracy mode takes 15 MB but misjudges more short sentences.)
    """
    from lingua import Language, LanguageDetectorBuilder

    languages = (Language.RUSSIAN, Language.UKRAINIAN, Language.BELARUSIAN, Language.ENGLISH)
    return (
        LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()
    )


def _confidences(text: str) -> dict[str, float]:
    values = detector().compute_language_confidence_values(text)
    return {str(value.language.iso_code_639_1.name).lower(): value.value for value in values}


def _share_uk(confidences: dict[str, float]) -> float | None:
    """Ukrainian's share of lingua's Russian-or-Ukrainian confidence."""
    total = confidences.get("ru", 0.0) + confidences.get("uk", 0.0)
    return confidences.get("uk", 0.0) / total if total > 0 else None


def _sentence_votes(text: str) -> tuple[int, int]:
    """How many sentences lingua is sure are Russian, and how many Ukrainian."""
    votes = {"ru": 0, "uk": 0}
    for sentence in _SENTENCES.split(text):
        if len(_WORD.findall(sentence)) < SENTENCE_WORDS:
            continue
        confidences = _confidences(sentence)
        best = max(confidences, key=lambda code: confidences[code])
        if best in votes and confidences[best] >= SURE_SENTENCE:
            votes[best] += 1
    return votes["ru"], votes["uk"]


def _latin(text: str, whisper_language: str | None, probability: float) -> LanguageDecision:
    if whisper_language not in ("ru", "uk", "be", None):
        return LanguageDecision(
            whisper_language,
            False,
            probability,
            f"Latin letters: kept Whisper's {whisper_language}",
        )
    english = round(_confidences(text).get("en", 0.0), 3)
    return LanguageDecision("en", False, english, f"Latin letters; lingua en {english:.2f}")


def decide_language(
    text: str, whisper_language: str | None, whisper_probability: float
) -> LanguageDecision:
    """The language of a channel's whole transcript, with Whisper's first guess as a prior."""
    words = _WORD.findall(text)
    said = f"Whisper said {whisper_language} ({whisper_probability:.2f})"
    if whisper_language is not None and len(words) < MIN_WORDS:
        reason = f"{len(words)} words, too few to judge: {said}"
        return LanguageDecision(whisper_language, False, whisper_probability, reason)
    if len(_LATIN.findall(text)) > len(_CYRILLIC.findall(text)):
        return _latin(text, whisper_language, whisper_probability)

    uk_words = sum(1 for word in words if _UKRAINIAN.search(word))
    ru_words = sum(1 for word in words if _RUSSIAN.search(word))
    lingua = _share_uk(_confidences(text))
    evidence = [share for share in (lingua,) if share is not None]
    if uk_words + ru_words >= MIXED_WORDS:
        evidence.append(uk_words / (uk_words + ru_words))
    share_uk = sum(evidence) / len(evidence) if evidence else 0.5
    language = "uk" if share_uk > 0.5 else "ru"
    confidence = max(share_uk, 1 - share_uk)

    ru_sentences, uk_sentences = _sentence_votes(text)
    mixed = _minority(uk_words, ru_words) or _minority(uk_sentences, ru_sentences)
    lingua_text = "none" if lingua is None else f"uk {lingua:.2f}"
    reason = (
        f"text {language} {confidence:.2f} over {len(words)} words (lingua {lingua_text}; "
        f"і/ї/є/ґ in {uk_words}, ы/э/ъ/ё in {ru_words} words; "
        f"sentences ru {ru_sentences}, uk {uk_sentences}); {said}"
    )
    if mixed:
        reason += "; mixed"
    if language != whisper_language and whisper_language in ("ru", "uk") and confidence < OVERRIDE:
        reason += f"; below {OVERRIDE}: kept Whisper's"
        return LanguageDecision(whisper_language, mixed, round(1 - confidence, 3), reason)
    return LanguageDecision(language, mixed, round(confidence, 3), reason)


def _minority(one: int, other: int) -> bool:
    """Whether both counts are real and the smaller has at least ``MIXED_SHARE`` of them."""
    smaller = min(one, other)
    return smaller >= MIXED_WORDS and smaller / (one + other) >= MIXED_SHARE
