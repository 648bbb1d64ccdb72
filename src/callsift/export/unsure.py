"""A flagged excerpt cut into pieces: the watchlist match and the words heard unsurely.

The HTML and PDF reports print a flagged segment with its match highlighted
and each low-confidence word marked (underlined, with its probability), so
that a reader of the printed page knows which words were the model's guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from callsift.analyze.confidence import is_low, spans_of
from callsift.store.export_queries import Excerpt

__all__ = ["ExcerptPiece", "excerpt_pieces"]


@dataclass(frozen=True)
class ExcerptPiece:
    """Characters of an excerpt.

    Attributes:
        text: the characters.
        matched: inside the watchlist match.
        probability: the word's probability when it is under the threshold, else None.
    """

    text: str
    matched: bool
    probability: float | None


def excerpt_pieces(item: Excerpt) -> list[ExcerptPiece]:
    """The excerpt's text in order, cut wherever the match or an unsure word begins or ends."""
    text = item.text
    unsure = [s for s in spans_of(text, item.words) if is_low(s.probability)]
    points = {0, len(text), item.start_char, item.end_char}
    points |= {p for s in unsure for p in (s.start_char, s.end_char)}
    cuts = sorted(p for p in points if 0 <= p <= len(text))
    pieces = []
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        if b <= a:
            continue
        word = next((s for s in unsure if s.start_char <= a and b <= s.end_char), None)
        pieces.append(
            ExcerptPiece(
                text[a:b],
                item.start_char <= a and b <= item.end_char,
                word.probability if word else None,
            )
        )
    return pieces
