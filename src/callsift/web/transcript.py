"""The call page's transcript: each segment cut into timed words with their highlights.

The page lets a reviewer follow the recording word by word and jump to a
word by clicking it, so each word carries its Whisper timestamps; entities
and watchlist hits are marked on the words they cover. A segment a reviewer
corrected shows the corrected text, which no longer lines up with the
recogniser's words, as one untimed piece (clicking it plays the segment).
Words heard with a probability under the threshold carry the ``unsure``
mark, and the probability in their tooltip (a word a reviewer typed is sure).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from callsift.analyze.confidence import is_low, word_spans
from callsift.dossier import CallDossier
from callsift.records import Segment
from callsift.store.review import SegmentVersion
from callsift.store.translations import ShownEnglish, TranslationVersion
from callsift.web.i18n import gettext_

__all__ = ["Piece", "SegmentView", "segment_views"]


@dataclass(frozen=True)
class Piece:
    """Characters of a segment's text.

    Attributes:
        text: the characters.
        start: when the word was said (seconds), if the piece is a timed word.
        end: when it ended.
        marks: CSS classes of what covers it (``ent-LOC``, ``flag``…).
        title: what the marks say, for the tooltip.
    """

    text: str
    start: float | None = None
    end: float | None = None
    marks: tuple[str, ...] = ()
    title: str = ""


@dataclass(frozen=True)
class SegmentView:
    segment: Segment
    pieces: list[Piece]
    versions: list[SegmentVersion]
    english: ShownEnglish | None = None
    english_versions: list[TranslationVersion] = field(default_factory=list)


def _word_spans(segment: Segment) -> list[tuple[int, int, float, float]] | None:
    """``(start_char, end_char, start_s, end_s)`` per word, if the words spell the text."""
    joined = "".join(word.word for word in segment.words)
    if not segment.words or joined.strip() != segment.text:
        return None
    position = -(len(joined) - len(joined.lstrip()))
    spans = []
    for word in segment.words:
        begin = position + (len(word.word) - len(word.word.lstrip()))
        position += len(word.word)
        if position > begin:
            spans.append((max(begin, 0), position, word.start, word.end))
    return spans


def _cuts(length: int, bounds: list[tuple[int, int]]) -> list[tuple[int, int]]:
    points = sorted({0, length, *(p for span in bounds for p in span if 0 <= p <= length)})
    return [(a, b) for a, b in zip(points[:-1], points[1:], strict=True) if b > a]


def _unsure(segment: Segment) -> list[tuple[int, int, str, str]]:
    """A mark on each word heard with a low probability."""
    return [
        (
            w.start_char,
            w.end_char,
            "unsure",
            gettext_("uncertain: heard with probability %(p)s") % {"p": f"{w.probability:.2f}"},
        )
        for w in word_spans(segment)
        if is_low(w.probability)
    ]


def _pieces(segment: Segment, marks: list[tuple[int, int, str, str]]) -> list[Piece]:
    text = segment.text
    marks = marks + _unsure(segment)
    words = _word_spans(segment) if segment.version == 1 else None
    bounds = [(a, b) for a, b, _, _ in words or []] + [(a, b) for a, b, _, _ in marks]
    pieces = []
    for a, b in _cuts(len(text), bounds):
        covering = [(cls, title) for s, e, cls, title in marks if s < b and e > a]
        timed = next(((s, e) for ws, we, s, e in words or [] if ws <= a and b <= we), None)
        pieces.append(
            Piece(
                text[a:b],
                timed[0] if timed else None,
                timed[1] if timed else None,
                tuple(dict.fromkeys(cls for cls, _ in covering)),
                "; ".join(dict.fromkeys(title for _, title in covering)),
            )
        )
    return pieces


def segment_views(
    dossier: CallDossier,
    english: list[ShownEnglish] | None = None,
    english_versions: dict[int, list[TranslationVersion]] | None = None,
) -> list[SegmentView]:
    """Every segment of the call, in time order, ready to render, with its checked English."""
    shown = {row.segment_id: row for row in english or []}
    marks: dict[int, list[tuple[int, int, str, str]]] = {}
    for mention in dossier.mentions:
        if mention.segment_id is not None:
            english = mention.attrs.get("english")
            title = f"{mention.type}: {mention.normal}" + (f" ({english})" if english else "")
            marks.setdefault(mention.segment_id, []).append(
                (mention.start_char, mention.end_char, f"ent-{mention.type}", title)
            )
    for flag in dossier.flags:
        if flag.segment_id is not None:
            marks.setdefault(flag.segment_id, []).append(
                (flag.start_char, flag.end_char, "flag", f"flag: {flag.topic} ({flag.term})")
            )
    return [
        SegmentView(
            segment,
            _pieces(segment, marks.get(segment.id or -1, [])),
            dossier.versions.get(segment.id or -1, []),
            shown.get(segment.id or -1),
            (english_versions or {}).get(segment.id or -1, []),
        )
        for segment in dossier.segments
    ]
