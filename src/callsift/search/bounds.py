"""Lower bounds on what aligning a query's sound key with a text's costs (``search.sounds``).

The alignment is a quadratic loop in Python, and most texts the index
picks for a shared piece of a query's key are far from it: a bound that is
cheap and provably never above the alignment's cost turns them away first.
A bound above the true cost would silently drop an approximate hit, so each
carries its proof, and tests hold each against the alignment itself.
"""

from __future__ import annotations

import functools
import itertools

from rapidfuzz.distance import LCSseq

__all__ = ["VOWELS", "skeleton"]

VOWELS = frozenset("аиу")
"""The three vowel classes a sound key keeps (``search.sounds``)."""


def skeleton(key: str) -> str:
    """The consonants of a key: vowels are what a recogniser gets wrong most.

    Three ``replace`` calls, one per vowel class: ten times as fast as
    ``str.translate``, which looks each Cyrillic letter up in a dict.
    """
    return key.replace("а", "").replace("и", "").replace("у", "")


@functools.lru_cache(maxsize=256)
def _letter_masks(consonants: str) -> dict[str, int]:
    """For each letter of ``consonants``, the bits of the places it stands at."""
    masks: dict[str, int] = {}
    for i, ch in enumerate(consonants):
        masks[ch] = masks.get(ch, 0) | 1 << i
    return masks


def _beyond(consonants: str, text: str, limit: float) -> bool:
    """Whether ``_best_substring`` cannot find a query within ``limit`` anywhere in ``text``.

    ``consonants`` is the query's ``skeleton``. Take the best alignment of the
    query with a substring of ``text`` and keep only its consonants: a pair
    of consonants stays a pair, a consonant paired with a vowel, dropped or
    added stays alone. That is an alignment of the two skeletons, and each of
    its plain edits (a letter for another, one dropped or added, each 1) comes
    from an edit of the original costing 1 too, since any edit on a consonant
    does. So the cost is at least the plain edit distance from the query's
    skeleton to the best substring of the text's, computed here bit-parallel
    (Myers 1999: a query letter per bit, a text letter per step). That
    distance is in turn at least the query's consonants outside their longest
    common subsequence with the text's, which rapidfuzz counts in C: the
    cheap test goes first.
    """
    size, letters = len(consonants), skeleton(text)
    if size <= limit:
        return False  # even dropping every consonant stays within it
    if size - LCSseq.similarity(consonants, letters) > limit:
        return True
    return _distance(consonants, letters, limit) > limit


def _distance(pattern: str, text: str, stop: float) -> int:
    """The plain edit distance from ``pattern`` to the best substring of ``text``.

    Bit-parallel (Myers 1999: a pattern letter per bit, a text letter per
    step); it returns as soon as the distance is down to ``stop``, with that
    value: a caller asking whether it is over ``stop`` needs no more.
    """
    size = len(pattern)
    if size <= stop or not size:
        return size
    masks, full, top = _letter_masks(pattern), (1 << size) - 1, 1 << (size - 1)
    plus, minus, score, least = full, 0, size, size
    for ch in text:
        equal = masks.get(ch, 0)
        vertical = equal | minus
        horizontal = (((equal & plus) + plus) ^ plus) | equal
        up = minus | (~(horizontal | plus) & full)
        down = plus & horizontal
        if up & top:
            score += 1
        elif down & top:
            score -= 1
            if score < least:
                least = score
                if least <= stop:
                    return least
        up, down = (up << 1) & full, (down << 1) & full
        plus, minus = down | (~(vertical | up) & full), up & vertical
    return least


def _vowels_too(query: str, key: str, consonants: int, limit: float) -> bool:
    """Whether ``query`` is over ``limit`` everywhere in ``key``, its skeleton ``consonants`` off.

    ``consonants`` is the plain edit distance of the skeletons (``_beyond``).
    In the best alignment, say ``c`` edits touch a consonant, each costing
    1, with ``c`` at least ``consonants`` (``_beyond``'s proof), and ``n``
    touch vowels alone, each costing a quarter or a half: ``v`` in all, at
    least ``n / 4``. The plain edit distance ``u`` of the whole keys is at
    most ``c + n``, so the cost ``c + v`` is at least ``c + (u - c) / 4``,
    which grows with ``c``: at least ``consonants + (u - consonants) / 4``.
    Within ``limit``, then, ``u`` is at most ``consonants + 4 (limit -
    consonants)``: a phrase one consonant and a few vowels off its text
    ("запретили стрелять" for "приказали стрелять") is turned away here.
    """
    most = consonants + 4 * (limit - consonants)
    return _distance(query, key, most) > most


@functools.lru_cache(maxsize=1024)
def _gaps(key: str) -> tuple[str, tuple[int, ...]]:
    """A key's consonants, and how many vowels stand between each two of them."""
    where = [i for i, ch in enumerate(key) if ch not in VOWELS]
    return skeleton(key), tuple(b - a - 1 for a, b in itertools.pairwise(where))


def _vowel_gaps(query: str, key: str) -> float:
    """A lower bound on the edits of ``query`` in ``key`` when under one edit is allowed.

    Any edit that touches a consonant costs one, so an alignment that costs
    less pairs the query's consonants one for one with the same letters, and
    the substring it matches has no other consonant: its consonants are the
    query's, a run of ``key``'s. Between two paired consonants the vowels of
    the query align with the vowels of the text and nothing else, and each
    vowel one side has more than the other is dropped or added (a half).
    Returns the least of that sum over every place the query's consonants
    stand together in ``key`` (more than one edit when they stand nowhere).
    """
    consonants, wanted = _gaps(query)
    if not consonants:
        return 0.0
    text, gaps = _gaps(key)
    best = 2.0
    at = text.find(consonants)
    while at >= 0 and best:
        got = gaps[at : at + len(wanted)]
        best = min(best, 0.5 * sum(abs(a - b) for a, b in zip(wanted, got, strict=True)))
        at = text.find(consonants, at + 1)
    return best
