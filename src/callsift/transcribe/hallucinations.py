"""Keep text Whisper invents out of the transcript.

Whisper was trained on subtitled video; on silence, hum and line noise it
writes what subtitles say when nobody speaks ("Продолжение следует…",
"Субтитры сделал DimaTorzok", "Thanks for watching!") or loops one phrase.
Investigators must never quote words nobody said, so a segment is dropped when
any of these holds (after voice activity detection has already skipped
channels with no speech at all):

- it lies mostly outside the regions the VAD heard as speech;
- Whisper itself says it is probably not speech (high ``no_speech_prob`` with a
  low average log-probability, the thresholds OpenAI's decoder uses);
- its text compresses too well (a looped phrase);
- its text is one of the known subtitle phrases below, or names subtitles or
  their makers at all (the credits come in many variants: "Субтитры
  Редактор субтитров А.Синецкая Корректор В.Сухиашвили" was heard on a demo
  call's silent end; nobody on a phone line speaks of subtitles);
- it repeats the previous segment of the same channel word for word.

Only phrases from subtitle credits are listed: a caller may well say "thank
you", and such short words are left to the VAD overlap check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from callsift.records import Segment

__all__ = ["FilterOptions", "drop_hallucinations", "is_known_phrase"]

_KNOWN_PHRASES = {
    "продолжение следует",
    "субтитры сделал dimatorzok",
    "субтитры создавал dimatorzok",
    "субтитры делал dimatorzok",
    "субтитры подогнал симон",
    "редактор субтитров а синецкая корректор а егорова",
    "спасибо за просмотр",
    "подписывайтесь на канал",
    "дякую за перегляд",
    "підписуйтесь на канал",
    "thank you for watching",
    "thanks for watching",
    "subtitles by the amara org community",
    "please subscribe",
}


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower().replace("ё", "е")).split())


# Words only subtitle credits hold, in any form: "субтитры", "субтитрів", "subtitles by",
# the credit names Whisper learnt.
_CREDITS = re.compile(r"\b(субтитр\w*|dimatorzok|subtitles by|amara org)\b")


def is_known_phrase(text: str) -> bool:
    normal = _normal(text)
    return normal in _KNOWN_PHRASES or _CREDITS.search(normal) is not None


@dataclass(frozen=True)
class FilterOptions:
    """Thresholds of the hallucination filter.

    Attributes:
        min_speech_overlap: share of a segment's time that must lie in VAD speech.
        speech_margin_s: VAD regions are widened by this much first: the VAD
            misses the quiet ends of phrases (a demo call lost "до конца"),
            and a real word dropped is worse than a stray one kept.
        no_speech_prob: above this, with ``avg_logprob`` below ``low_logprob``,
            the segment is taken as not speech.
        low_logprob: see ``no_speech_prob``.
        max_compression_ratio: gzip ratio above which text is a loop.
    """

    min_speech_overlap: float = 0.15
    speech_margin_s: float = 1.0
    no_speech_prob: float = 0.6
    low_logprob: float = -1.0
    max_compression_ratio: float = 2.4


def _overlap(start: float, end: float, regions: Iterable[tuple[float, float]]) -> float:
    return sum(max(0.0, min(end, b) - max(start, a)) for a, b in regions)


def drop_hallucinations(
    segments: Iterable[Segment],
    speech: list[tuple[float, float]],
    options: FilterOptions = FilterOptions(),
) -> Iterator[Segment]:
    """Yield only the segments that pass every check in the module docstring."""
    previous = ""
    margin = options.speech_margin_s
    speech = [(start - margin, end + margin) for start, end in speech]
    for segment in segments:
        text = _normal(segment.text)
        duration = max(segment.end - segment.start, 1e-3)
        if (
            not text
            or _overlap(segment.start, segment.end, speech) / duration < options.min_speech_overlap
            or (
                segment.no_speech_prob > options.no_speech_prob
                and segment.avg_logprob < options.low_logprob
            )
            or segment.compression_ratio > options.max_compression_ratio
            or is_known_phrase(text)
            or text == previous
        ):
            continue
        previous = text
        yield segment
