"""A sound key for Russian and Ukrainian words, and approximate matching on it.

Whisper hears a telephone line, so the words people search for come out
garbled: voiced and voiceless consonants swapped ("Патальюн"), unstressed
vowels written as heard, a preposition glued to the name ("визюме"), a
compound split in two ("броне транспортёр"). The key keeps what survives
that: voicing is dropped (б→п, в→ф, г→к, д→т, ж→ш, з→с), vowels fall into
three classes (а о я → а; е ё и ы э й і ї є → и; у ю → у), х and ґ join к,
щ joins ш, ц joins с, signs and apostrophes go, and doubled letters count
once. Ukrainian letters fold into the same key as their Russian neighbours.

A segment's key is its words' keys joined with no space between them, so a
word split in two or glued to a preposition is still a substring; the index
also holds its consonants alone (``skeleton``), which pick the candidates.
Matching is edit distance to the best substring: a consonant costs one, a
vowel dropped or added a half, a vowel heard as another a quarter, a word
boundary inside the match that the query does not have a half. The budget
grows with the key: none below four letters, half to six, one to nine, one
and a half to thirteen, two beyond. Keys under five letters must also make
a word of their own (``_fits_word``): that keeps "мир" from "мирных" and
"Федя" from "ведь". Lower bounds on the alignment's cost (``search.bounds``)
turn most texts away before it runs.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from dataclasses import dataclass

from rapidfuzz.distance import LCSseq

from callsift.analyze.morph import tokenize
from callsift.search.bounds import VOWELS as _VOWELS
from callsift.search.bounds import _beyond, _distance, _vowel_gaps, _vowels_too, skeleton

__all__ = [
    "KEY_VERSION",
    "SoundMatch",
    "budget",
    "chunks",
    "find",
    "index_text",
    "segment_key",
    "skeleton",
    "sound_key",
    "stem_key",
    "unheard",
]

_FOLD = str.maketrans(
    {
        "б": "п", "в": "ф", "г": "к", "ґ": "к", "х": "к", "д": "т", "ж": "ш", "щ": "ш",
        "з": "с", "ц": "с", "о": "а", "я": "а", "ё": "и", "е": "и", "ы": "и", "э": "и",
        "і": "и", "ї": "и", "є": "и", "й": "и", "ю": "у", "ь": None, "ъ": None, "'": None,
        "’": None, "ʼ": None, "-": None,
    }
)  # fmt: skip
_SPELLED_VOWELS = frozenset("аоуыэяёюиеіїє")
_BUDGET = ((4, 0.0), (7, 0.5), (10, 1.0), (14, 1.5))
"""Edits allowed by key length: none below 4 letters, 0.5 below 7, 1 below 10, 1.5 below 14."""
_BOUNDARY = 0.5
"""What a word boundary inside a match costs: a word split in two is a slip too."""
_SHORT = 5
"""Keys shorter than this must make a word of their own (``_fits_word``)."""
_ENDING = 2
"""Most key letters a case ending adds after a short key."""
_REPEATS = re.compile(r"(.)\1+", re.DOTALL)
KEY_VERSION = "1"
"""Names this key: an index made with another one is made again (``store.sounds``)."""


@functools.lru_cache(maxsize=16384)
def sound_key(word: str) -> str:
    """``Изюме`` → ``исуми``: the word as it sounds, spelling and voicing folded away.

    Kept per word: a text's words are mostly words the last texts had too.
    """
    return _REPEATS.sub(r"\1", word.lower().translate(_FOLD))


@functools.lru_cache(maxsize=1024)
def stem_key(words: tuple[str, ...]) -> str:
    """The key of a query: its words' keys joined, less a final vowel (the case ending)."""
    key = sound_key("".join(words))
    return key[:-1] if len(key) > 3 and key[-1] in _VOWELS else key


def budget(key: str) -> float:
    """Edits allowed between a query's key and what was heard (a vowel counts half)."""
    for shorter_than, edits in _BUDGET:
        if len(key) < shorter_than:
            return edits
    return 2.0


@dataclass(frozen=True)
class SegmentKey:
    """A text's key, and for each word where its key starts and where it stood in the text."""

    key: str
    starts: tuple[int, ...]
    spans: tuple[tuple[int, int], ...]
    words: tuple[str, ...]

    def word_at(self, position: int) -> int:
        """Index of the word whose key holds ``position``."""
        return max(0, bisect.bisect_right(self.starts, position) - 1)

    def word_end(self, index: int) -> int:
        return self.starts[index + 1] if index + 1 < len(self.starts) else len(self.key)


@functools.lru_cache(maxsize=4096)
def segment_key(text: str) -> SegmentKey:
    """The key of every word of ``text``, joined without spaces: what the index stores.

    Kept for the last few thousand texts: the approximate pass keys its 200
    candidates, and the page that shows them (``hit_spans``) or the next page
    asks for the same segments again.
    """
    key, starts, spans, words = "", [], [], []
    for word, start, end in tokenize(text):
        part = sound_key(word)
        if not part:
            continue
        starts.append(len(key))
        spans.append((start, end))
        words.append(word.lower())
        key += part
    return SegmentKey(key, tuple(starts), tuple(spans), tuple(words))


def index_text(text: str) -> str:
    """What the trigram index holds for a segment: its key, then its consonants alone."""
    key = segment_key(text).key
    return f"{key} {skeleton(key)}"


def chunks(key: str, edits: float | None = None) -> list[str]:
    """Pieces that any text within ``edits`` (by default ``key``'s budget) holds intact.

    A vowel costs a fraction of an edit, so pieces are cut from the
    consonants, where each edit costs one: with ``k`` whole edits allowed,
    ``k + 1`` pieces that do not overlap leave one intact. Each is at least a
    trigram, so a short skeleton gets pieces that overlap a little; a key
    with fewer than three consonants is its own piece.
    """
    return list(_chunks(key, edits))


@functools.lru_cache(maxsize=1024)
def _chunks(key: str, edits: float | None) -> tuple[str, ...]:
    """``chunks``, kept per query key: every candidate of a query asks again."""
    consonants = skeleton(key)
    if len(consonants) < 3:
        return (key,)
    pieces = math.floor(budget(key) if edits is None else edits) + 1
    size = max(3, len(consonants) // pieces)
    starts = [min(i * len(consonants) // pieces, len(consonants) - size) for i in range(pieces)]
    return tuple(dict.fromkeys(consonants[s : s + size] for s in starts))


@dataclass(frozen=True)
class SoundMatch:
    """Where a query's key was heard in a text: edits, and the span of the words."""

    edits: float
    start: int
    end: int


def _best_substring(query: str, text: str, limit: float) -> list[tuple[float, int, int]]:
    """(edits, start, end) of the substrings of ``text`` within ``limit`` edits of ``query``.

    Semi-global edit distance (a match may start and end anywhere in ``text``)
    where a vowel heard as another vowel costs a quarter, one dropped or added
    half. Of two alignments that cost the same, the one that starts later is
    kept. Plain lists and comparisons: this loop is the approximate pass's cost.
    A cell over ``limit`` can only lead to cells over it (costs never fall),
    so each row is computed only from its first live cell to the last one
    the row can reach, and the loop stops when a row has none.
    """
    n = len(text)
    vowel = [ch in _VOWELS for ch in text]
    gap = [0.5 if v else 1.0 for v in vowel]
    dead = limit + 1.0
    costs = [0.0] * (n + 1)
    starts = list(range(n + 1))
    low, high = 0, n  # the live cells of the previous row
    for letter in query:
        is_vowel = letter in _VOWELS
        drop = 0.5 if is_vowel else 1.0
        row, row_starts = [dead] * (n + 1), list(range(n + 1))
        if low == 0:
            row[0], row_starts[0] = costs[0] + drop, starts[0]
        first, last = n + 1, -1
        if row[0] <= limit:
            first, last = 0, 0
        for j in range(max(1, low), n + 1):
            if j > high + 1 and row[j - 1] > limit:
                break  # past the live cells above and no insertion reaches further
            other = text[j - 1]
            swap = 0.0 if letter == other else 0.25 if is_vowel and vowel[j - 1] else 1.0
            best, start = costs[j - 1] + swap, starts[j - 1]
            skipped = costs[j] + drop
            if skipped < best or (skipped == best and starts[j] > start):
                best, start = skipped, starts[j]
            inserted = row[j - 1] + gap[j - 1]
            if inserted < best or (inserted == best and row_starts[j - 1] > start):
                best, start = inserted, row_starts[j - 1]
            if best <= limit:
                row[j], row_starts[j] = best, start
                first, last = (j if first > n else first), j
        if last < 0:
            return []
        costs, starts, low, high = row, row_starts, first, last
    return [(cost, starts[end], end) for end, cost in enumerate(costs) if cost <= limit]


def _windows(query: str, key: str) -> list[tuple[int, int]]:
    """Stretches of ``key`` around each intact piece of ``query``, merged where they overlap."""
    reach = len(query) + math.ceil(2 * budget(query))
    if len(skeleton(query)) >= 3:
        where = [i for i, ch in enumerate(key) if ch not in _VOWELS]
        text = "".join(key[i] for i in where)
    else:
        where, text = list(range(len(key))), key
    spans = []
    for piece in chunks(query):
        at = text.find(piece)
        while at >= 0:
            first, last = where[at], where[at + len(piece) - 1]
            spans.append((max(0, first - reach), min(len(key), last + 1 + reach)))
            at = text.find(piece, at + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@functools.lru_cache(maxsize=4096)
def unheard(words: tuple[str, ...], key: str) -> bool:
    """Whether ``find`` cannot hear the query ``words`` anywhere in a text whose key is ``key``.

    The lower bounds of ``find`` on the whole key (``_beyond``,
    ``_vowel_gaps``, ``_vowels_too``), and keys too short to search by sound:
    they need the key alone, not the words' places, so a key stored beside
    the text (``index_text``) answers without cutting the text into words.
    False only says the bounds let it by. Kept for the last few thousand
    keys: ``find`` asks again for those let by.
    """
    query = stem_key(words)
    if len(query) < 3:
        return True
    consonants, limit = skeleton(query), budget(query)
    if limit < 1:
        bounded = consonants not in _chunks(query, None)  # else every window holds them all
        return (bounded and _beyond(consonants, key, limit)) or _vowel_gaps(query, key) > limit
    letters = skeleton(key)
    if len(consonants) - LCSseq.similarity(consonants, letters) > limit:
        return True  # as in ``_beyond``: the cheap test first
    off = _distance(consonants, letters, -1.0)
    return off > limit or _vowels_too(query, key, off, limit)


def find(words: tuple[str, ...], heard: SegmentKey) -> SoundMatch | None:
    """The best place the query ``words`` were heard in ``heard``, or None.

    One of the query's ``chunks`` survives intact wherever it was heard, so
    only the text around those pieces is aligned; before that, lower bounds
    on the alignment's cost (``unheard`` on the whole key, ``_beyond`` on each
    window) turn away most candidates the index picked for a shared piece
    alone. A bound only ever skips work: the matches are those the alignment
    alone would find.
    """
    if unheard(words, heard.key):
        return None  # no substring of the text can hold it: skip cutting and aligning
    query = stem_key(words)
    consonants, limit = skeleton(query), budget(query)
    bounded = consonants not in _chunks(query, None)  # else every window holds them all
    best: SoundMatch | None = None
    for offset, stop in _windows(query, heard.key):
        window = heard.key[offset:stop]
        if bounded and _beyond(consonants, window, limit):
            continue  # no alignment inside can cost less: skip the quadratic loop
        for cost, start, end in _best_substring(query, window, budget(query)):
            start, end = start + offset, end + offset
            if end <= start:
                continue
            first, last = heard.word_at(start), heard.word_at(end - 1)
            cost += _BOUNDARY * max(0, last - first + 1 - len(words))
            if cost > budget(query):
                continue
            if len(query) < _SHORT and not _fits_word(words[0], query, heard, start, end, first):
                continue
            match = SoundMatch(cost, heard.spans[first][0], heard.spans[last][1])
            if best is None or (cost, match.end - match.start) < (
                best.edits,
                best.end - best.start,
            ):
                best = match
    return best


def _fits_word(said: str, query: str, heard: SegmentKey, start: int, end: int, index: int) -> bool:
    """Whether a short key was heard as a word of its own, not inside another.

    Three or four letters match too much by sound alone ("Федя" sounds like
    "ведь"), so a short key must make a whole word: four letters may follow
    one stray letter (a glued "в", "к", "с"), and be followed by a case ending of
    up to two; three letters neither. A word that starts with a consonant must
    have been heard starting with that very letter.
    """
    lead = heard.key[heard.starts[index] : start]
    if len(lead) > (1 if len(query) > 3 else 0):
        return False
    if heard.word_end(index) - end > (_ENDING if len(query) > 3 else 1):
        return False
    initial = said[:1].lower()
    written = heard.words[index][len(lead) : len(lead) + 1]
    return initial in _SPELLED_VOWELS or initial == written
