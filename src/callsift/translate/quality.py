"""How far a call's English can be trusted: names, numbers, alignment, loops.

Used by ``benchmarks/translation.py`` and the tests to measure the English of
the demo corpus; each figure is defined here once.

- A *name* is a place the analysis linked to the gazetteer in a translated
  segment; it is right when the segment's shown English holds the gazetteer's
  English name, and *marked* when it is not right but the segment says so.
- A *number* is one the original holds (``source_numbers``; phone numbers
  apart); right when the English holds the same value, marked when a note on
  the segment names it.
- A segment is *misaligned* when its English is far shorter than its share
  of the channel's English (under ``SHORT`` times the channel's
  English-per-original-character ratio, empty included) while a neighbour's
  is far longer (over ``LONG`` times): its words were printed under the
  neighbour. Segments of under ``MIN_CHARS`` characters are not judged.
- A *loop shown* is a segment whose shown English still holds a phrase
  repeated three times or more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from callsift.records import Mention
from callsift.store.translations import ShownEnglish
from callsift.translate.checks import collapse_loops, english_numbers, source_numbers

__all__ = ["TranslationQuality", "measure_call", "misaligned"]

SHORT = 0.35
LONG = 1.5
MIN_CHARS = 10


@dataclass
class TranslationQuality:
    names: int = 0
    names_right: int = 0
    names_marked: int = 0
    numbers: int = 0
    numbers_right: int = 0
    numbers_marked: int = 0
    segments: int = 0
    misaligned: int = 0
    loops_shown: int = 0
    loops_dropped: int = 0
    doubtful: int = 0

    def add(self, other: TranslationQuality) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def misaligned(rows: list[ShownEnglish]) -> list[int]:
    """Segment ids whose English sits under a neighbour (see the module docstring)."""
    found: list[int] = []
    for channel in {row.channel for row in rows}:
        own = [row for row in rows if row.channel == channel and row.english is not None]
        source = sum(len(row.text) for row in own)
        english = sum(len(row.english or "") for row in own)
        if len(own) < 2 or not source or not english:
            continue
        ratio = english / source
        shares = [len(row.english or "") / (ratio * max(1, len(row.text))) for row in own]
        for i, row in enumerate(own):
            neighbours = shares[max(0, i - 1) : i] + shares[i + 1 : i + 2]
            if len(row.text) >= MIN_CHARS and shares[i] < SHORT and max(neighbours) > LONG:
                found.append(row.segment_id)
    return found


def _has_name(english: str, name: str) -> bool:
    return re.search(rf"(?i)\b{re.escape(name)}\b", english) is not None


def measure_call(rows: list[ShownEnglish], mentions: list[Mention]) -> TranslationQuality:
    """The figures of one call's English (segments in English speech are not counted)."""
    quality = TranslationQuality()
    rows = [row for row in rows if row.english is not None and row.language != "en"]
    quality.segments = len(rows)
    quality.misaligned = len(misaligned(rows))
    for row in rows:
        english = row.english or ""
        notes = " ".join(n["detail"] for n in row.notes if not n.get("fixed"))
        quality.doubtful += row.doubtful
        quality.loops_dropped += row.dropped is not None
        quality.loops_shown += collapse_loops(english)[1] is not None
        for mention in mentions:
            name = mention.attrs.get("english") if mention.type == "LOC" else None
            if mention.segment_id != row.segment_id or not name:
                continue
            quality.names += 1
            right = _has_name(english, name)
            quality.names_right += right
            quality.names_marked += not right and mention.text in notes
        said = english_numbers(english)
        phones = [
            (m.start_char, m.end_char)
            for m in mentions
            if m.type == "phone" and m.segment_id == row.segment_id
        ]
        for start, end, value in source_numbers(row.text, row.language):
            if any(a <= start < b for a, b in phones):
                continue
            quality.numbers += 1
            quality.numbers_right += value in said
            quality.numbers_marked += value not in said and row.text[start:end] in notes
    return quality
