"""English for every segment, from the audio itself, with the same model.

Whisper's ``translate`` task reads the speech again and writes English; it
needs no extra model, so it works offline out of the box, and with the shared
encoder (``callsift.transcribe.whisper``) it costs only a decoder pass. Its
segments do not line up with the transcript's: one English segment often
covers two or three source sentences. Sharing such a segment out by sentence
length moved content into the wrong segment (a call's last segment was left
empty, its words printed under the one before), so each English *word* is
placed by its own time (Whisper's word timestamps on the translation): a word
goes to the transcript segment it was said in. The times of translated words
are approximate (up to two seconds early on the demo calls), and a sentence is
rarely split across a pause, so a cut between two segments is moved onto the
sentence end (or clause end) nearest the pause between them.

Translating each segment's own span instead (``clip_timestamps``) aligns by
construction but costs an encoder pass per segment: 27 s against 6 s for four
demo calls on two cores, and the short context made the English worse
("В городе Буча" became "Bucca"). Word timestamps cost no measurable extra.

A translation that loops ("I'm sorry, I'm sorry, …") is cut out of the
English and kept aside as ``dropped``, so that it is shown as dropped and
never printed as what someone said; the channel is then translated again
(see ``translate_channel``). Whatever the English, ``callsift.translate.checks``
checks it once the call is analysed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from callsift.records import ChannelAudio, Segment
from callsift.transcribe.hallucinations import is_known_phrase
from callsift.transcribe.run import TranscribeOptions, speech_span
from callsift.translate.checks import collapse_loops, loop_spans

__all__ = [
    "ENGINE",
    "PAD_S",
    "EnglishWord",
    "Translation",
    "assign_words",
    "english_pieces",
    "translate_channel",
]

ENGINE = "whisper-translate"

# A cut between two segments moves onto a sentence end this close to the pause
# between them (s), or onto a clause end (a comma) this close: the translation's
# word times run up to two seconds early on the demo calls.
_SENTENCE_SNAP_S = 2.0
_CLAUSE_SNAP_S = 1.0
# Repeated word runs this long are forbidden to the decoder (a loop's unit).
BAN_NGRAM = 4
# Tokens one 30 s window's English may take: about 140 words, faster than anyone
# speaks. A loop runs to Whisper's 448 and cost most of a looping call's time.
MAX_TOKENS = 192
# Audio kept either side of a segment translated from its own stretch alone.
PAD_S = 0.2


@dataclass(frozen=True)
class EnglishWord:
    """One word of the English, its time, its piece's log-probability, its loop if any."""

    start: float
    end: float
    word: str
    logprob: float
    looped: str | None = None


@dataclass
class Translation:
    """One segment's English: ``text`` to show, what was ``dropped``, the model's confidence."""

    text: str
    logprob: float | None = None
    dropped: str | None = None


def _home(segments: list[Segment], moment: float) -> int:
    """The segment ``moment`` lies in, or the nearest one."""

    def distance(i: int) -> float:
        s = segments[i]
        return (
            0.0 if s.start <= moment <= s.end else min(abs(moment - s.start), abs(moment - s.end))
        )

    return min(range(len(segments)), key=distance)


def _cost(words: list[EnglishWord], k: int, pause: list[float]) -> tuple[int, float] | None:
    """How good a cut before word ``k`` is: a sentence end beats a clause end, then nearness."""
    mark = words[k - 1].word.rstrip()[-1:]
    moment = (words[k - 1].end + words[k].start) / 2
    distance = max(0.0, pause[0] - moment, moment - pause[1])
    if mark in ".?!" and distance <= _SENTENCE_SNAP_S:
        return (0, distance)
    if mark in ",;:" and distance <= _CLAUSE_SNAP_S:
        return (1, distance)
    return None


def _snap(words: list[EnglishWord], homes: list[int], segments: list[Segment]) -> list[int]:
    """Move each cut between two segments onto the sentence or clause end nearest their pause."""
    homes = list(homes)
    for cut in range(1, len(words)):
        before, after = homes[cut - 1], homes[cut]
        if before == after:
            continue
        pause = sorted((segments[before].end, segments[after].start))
        ends = [
            (rank, k)
            for k in range(1, len(words))
            if homes[k - 1] in (before, after)
            and homes[k] in (before, after)
            and (rank := _cost(words, k, pause)) is not None
        ]
        if not ends:
            continue
        best = min(ends)[1]
        for k in range(min(best, cut), max(best, cut)):
            homes[k] = before if k < best else after
    return homes


def assign_words(segments: list[Segment], words: list[EnglishWord]) -> list[Translation]:
    """Each segment's English: the words said within it, looped words set aside."""
    if not segments:
        return []
    kept = [w for w in words if w.looped is None]
    homes = _snap(kept, [_home(segments, (w.start + w.end) / 2) for w in kept], segments)
    received: list[list[EnglishWord]] = [[] for _ in segments]
    dropped: list[list[str]] = [[] for _ in segments]
    for word, home in zip(kept, homes, strict=True):
        received[home].append(word)
    for word in words:
        home = _home(segments, (word.start + word.end) / 2)
        if word.looped is not None and word.looped not in dropped[home]:
            dropped[home].append(word.looped)
    result = []
    for got, loops in zip(received, dropped, strict=True):
        text = " ".join("".join(w.word for w in got).split())
        logprob = round(sum(w.logprob for w in got) / len(got), 4) if got else None
        result.append(Translation(text, logprob, "; ".join(loops) or None))
    return result


def _piece_words(piece: Any, offset: float, max_compression: float) -> list[EnglishWord]:
    """A translated piece's words, each marked with the loop it belongs to, if any.

    A piece that compresses like a loop without repeating itself word for word
    (a phrase varied at each turn) is a loop as a whole.
    """
    logprob = float(piece.avg_logprob)
    raw = piece.words or [piece]
    texts = [w.word if piece.words else piece.text for w in raw]
    joined = "".join(texts)
    spans = loop_spans(joined)
    if not spans and piece.compression_ratio > max_compression:
        spans = [(0, len(joined), f"{' '.join(joined.split()[:6])}… (a looping translation)")]
    words, at = [], 0
    for w, text in zip(raw, texts, strict=True):
        middle = at + len(text) / 2
        at += len(text)
        looped = next((what for start, end, what in spans if start <= middle < end), None)
        words.append(EnglishWord(w.start + offset, w.end + offset, text, logprob, looped))
    return words


def english_pieces(
    model: Any, samples: Any, language: str, options: TranscribeOptions, **settings: Any
) -> list[Any]:
    """Whisper's translate task with callsift's decoder settings, and ``settings`` besides.

    Every English pass (the channel's, a segment's own, a repair's) decodes
    alike; the subtitle credits that turn up in translations of silence are
    left out.
    """
    raw, _ = model.transcribe(
        samples,
        task="translate",
        language=language,
        beam_size=options.beam_size,
        no_repeat_ngram_size=BAN_NGRAM,
        max_new_tokens=MAX_TOKENS,
        condition_on_previous_text=False,
        vad_filter=False,
        temperature=list(options.temperatures),
        **settings,
    )
    return [piece for piece in raw if not is_known_phrase(piece.text)]


def _translate(
    model: Any, samples: Any, offset: float, language: str, options: TranscribeOptions
) -> list[EnglishWord]:
    words: list[EnglishWord] = []
    for piece in english_pieces(model, samples, language, options, word_timestamps=True):
        words += _piece_words(piece, offset, options.filters.max_compression_ratio)
    return words


def _own_spans(
    model: Any,
    samples: Any,
    offset: float,
    language: str,
    options: TranscribeOptions,
    segments: list[Segment],
) -> list[str]:
    """Each segment's English from its own stretch of audio alone, loops cut out."""
    clips: list[float] = []
    for segment in segments:
        clips += [max(0.0, segment.start - offset - PAD_S), segment.end - offset + PAD_S]
    pieces = english_pieces(
        model, samples, language, options, clip_timestamps=clips, without_timestamps=True
    )
    got: list[list[str]] = [[] for _ in segments]
    for piece in pieces:
        middle = (piece.start + piece.end) / 2 + offset
        got[_home(segments, middle)].append(piece.text)
    return [collapse_loops(" ".join(" ".join(texts).split()))[0] for texts in got]


def translate_channel(
    model: Any,
    audio: ChannelAudio,
    language: str,
    segments: list[Segment],
    options: TranscribeOptions,
) -> list[Translation]:
    """English for each of ``segments`` (one channel's transcript).

    Any run of ``BAN_NGRAM`` words repeated is forbidden to the decoder: a
    demo call looped "there is no such thing" 37 times over all four of its
    segments, and with the ban it gave English for each (a second pass made
    only once a loop was found cost one more looping decode: translation took
    39% of the demo corpus's processing time, against 31% with the ban). A
    loop that varies its words ("We will meet. We will meet you. …") still
    gets through: a segment whose English was all loop is translated from its
    own stretch of audio alone, an encoder pass each, so only for those. Its
    English stays marked, as the loop was dropped.
    """
    if not segments:
        return []
    if language == "en":
        return [Translation(segment.text) for segment in segments]
    offset, samples = speech_span(audio, options)
    result = assign_words(segments, _translate(model, samples, offset, language, options))
    lost = [i for i, english in enumerate(result) if not english.text and english.dropped]
    if lost:
        alone = _own_spans(model, samples, offset, language, options, [segments[i] for i in lost])
        for i, text in zip(lost, alone, strict=True):
            result[i].text = text
    return result
