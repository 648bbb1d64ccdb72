"""How sure the recogniser was of each word, and of what rests on those words.

Whisper gives each word a probability; a reader must see which words were
guesses, and a finding (a place, a flag, a casualty figure) is only as sure as
the words it was read from. This module maps the probabilities onto character
spans of a segment's text, so that any span the analysers return can be given
the probability of the weakest word under it.

A reviewer's correction changes the text but not the recogniser's words. The
corrected text is aligned with the recogniser's words token by token: a token
the reviewer left as it was keeps the recogniser's probability (nobody
confirmed it), a token the reviewer typed or changed counts as certain (1.0),
because a person wrote it on purpose after listening.

The threshold ``LOW_CONFIDENCE`` was chosen by measurement on the demo corpus
(``benchmarks/confidence.py``): see the README's Accuracy section.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from callsift.records import Segment, Word

__all__ = [
    "LOW_CONFIDENCE",
    "TYPED",
    "CallCertainty",
    "WordSpan",
    "call_certainty",
    "is_low",
    "span_confidence",
    "spans_of",
    "word_spans",
]

LOW_CONFIDENCE = 0.6
"""A word heard with a probability under this is marked as uncertain."""

TYPED = 1.0
"""The probability of a word a reviewer typed."""

_TOKEN = re.compile(r"\S+")
_EDGE = re.compile(r"^\W+|\W+$")


@dataclass(frozen=True)
class WordSpan:
    """One word of a segment's text: ``text[start_char:end_char]`` and its probability.

    Attributes:
        typed: a reviewer wrote this word (its probability is ``TYPED``).
    """

    start_char: int
    end_char: int
    probability: float
    typed: bool = False


def is_low(probability: float | None) -> bool:
    """Whether a probability (of a word or a finding) is under the threshold."""
    return probability is not None and probability < LOW_CONFIDENCE


def _heard_spans(text: str, words: Sequence[Word]) -> list[WordSpan] | None:
    """The recogniser's words as spans of the text, if they still spell it."""
    joined = "".join(word.word for word in words)
    if not words or joined.strip() != text:
        return None
    position = -(len(joined) - len(joined.lstrip()))
    spans = []
    for word in words:
        begin = position + (len(word.word) - len(word.word.lstrip()))
        position += len(word.word)
        if position > begin:
            spans.append(WordSpan(max(begin, 0), position, word.probability))
    return spans


def _key(token: str) -> str:
    return _EDGE.sub("", token.lower().replace("ё", "е"))


def _aligned_spans(text: str, words: Sequence[Word]) -> list[WordSpan]:
    """Tokens of a corrected text, with the probability of the heard token each keeps."""
    heard: list[tuple[str, float]] = []
    for word in words:
        # A word without a leading space continues the previous token ("наконец" "-то").
        if heard and not word.word[:1].isspace():
            token, probability = heard[-1]
            heard[-1] = (token + word.word, min(probability, word.probability))
        else:
            heard.append((word.word.strip(), word.probability))
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    matcher = difflib.SequenceMatcher(
        None,
        [_key(token) for token, _ in heard],
        [_key(text[a:b]) for a, b in tokens],
        autojunk=False,
    )
    spans = [WordSpan(a, b, TYPED, typed=True) for a, b in tokens]
    for block in matcher.get_matching_blocks():
        for i in range(block.size):
            a, b = tokens[block.b + i]
            spans[block.b + i] = WordSpan(a, b, heard[block.a + i][1])
    return spans


def word_spans(segment: Segment) -> list[WordSpan]:
    """Every word of the segment's current text with its probability, in order.

    The recogniser's text maps word for word; a corrected text is aligned
    token by token (see the module's docstring). A segment without word
    timings has no spans.
    """
    return spans_of(segment.text, segment.words)


def spans_of(text: str, words: Sequence[Word]) -> list[WordSpan]:
    """:func:`word_spans` of a segment's ``text`` and recogniser's ``words``."""
    if not words:
        return []
    heard = _heard_spans(text, words)
    return heard if heard is not None else _aligned_spans(text, words)


def span_confidence(spans: Sequence[WordSpan], start_char: int, end_char: int) -> float | None:
    """The lowest probability of the words that ``[start_char, end_char)`` touches.

    A finding rests on every word it covers, so it is as sure as the least sure
    of them. None when no word lies under the span (no word timings).
    """
    under = [s.probability for s in spans if s.start_char < end_char and s.end_char > start_char]
    return min(under) if under else None


@dataclass(frozen=True)
class CallCertainty:
    """How surely a call's words were heard, for sorting the review queue.

    Attributes:
        words: words with a probability (typed words included).
        low_words: those under ``LOW_CONFIDENCE``.
        score: the mean probability of the call's words; 0.0 for a call with
            speech but no words kept (nothing of it could be read), 1.0 for a
            call without speech (nothing to review). Of the scores measured on
            the demo corpus (README, "Accuracy") it follows the call's word
            error rate most closely; weighting it by the channel's language
            probability helped only while the demo's Ukrainian was heard as
            Norwegian, and costs Ukrainian calls heard right but whose
            language the model hesitates over.
    """

    words: int
    low_words: int
    score: float


def call_certainty(segments: Iterable[Segment], speech_s: float = 0.0) -> CallCertainty:
    """Count a call's words and its uncertain ones, and score it, over every party.

    ``speech_s`` is the speech the voice detector found in the call.
    """
    probabilities = [span.probability for segment in segments for span in word_spans(segment)]
    if not probabilities:
        return CallCertainty(0, 0, 0.0 if speech_s > 0 else 1.0)
    low = sum(1 for p in probabilities if is_low(p))
    return CallCertainty(len(probabilities), low, round(sum(probabilities) / len(probabilities), 4))
