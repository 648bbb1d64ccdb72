"""The cheap tests that let ``find`` skip the alignment never skip a match.

Each is a lower bound on what ``_best_substring`` computes; a bound that
were ever above the true cost would silently drop an approximate hit, so
they are checked here against the alignment itself on seeded random keys
made of the letters keys hold (vowel classes, consonants, a digit).
"""

from __future__ import annotations

import random

from callsift.search.sounds import (
    _best_substring,
    _beyond,
    _vowel_gaps,
    skeleton,
    sound_key,
)

_LETTERS = "аиуаиупткслмнршч1"


def _key(rng: random.Random, longest: int) -> str:
    return "".join(rng.choice(_LETTERS) for _ in range(rng.randint(0, longest)))


def _near(rng: random.Random, query: str) -> str:
    """A text that holds ``query`` with a few letters changed, among others."""
    letters = list(query)
    for _ in range(rng.randint(0, 3)):
        at = rng.randint(0, len(letters))
        if rng.random() < 0.5 and at < len(letters):
            del letters[at]
        else:
            letters.insert(at, rng.choice(_LETTERS))
    return _key(rng, 8) + "".join(letters) + _key(rng, 8)


def _plain_distance(pattern: str, text: str) -> int:
    """Unit-cost edit distance from ``pattern`` to the best substring of ``text``."""
    previous = [0] * (len(text) + 1)
    for i, letter in enumerate(pattern, 1):
        row = [i] + [0] * len(text)
        for j, other in enumerate(text, 1):
            row[j] = min(previous[j - 1] + (letter != other), previous[j] + 1, row[j - 1] + 1)
        previous = row
    return min(previous)


def test_the_consonant_bound_is_the_plain_distance_of_the_skeletons() -> None:
    rng = random.Random(13)
    for _ in range(3000):
        query, text = skeleton(_key(rng, 12)), _key(rng, 30)
        limit = rng.choice([0.0, 0.5, 1.0, 1.5, 2.0, 3.0])
        assert _beyond(query, text, limit) == (_plain_distance(query, skeleton(text)) > limit)


def test_no_bound_exceeds_the_cost_of_the_best_alignment() -> None:
    rng = random.Random(5)
    checked = 0
    for _ in range(3000):
        query = _key(rng, 14)
        if len(query) < 3:
            continue
        text = _near(rng, query) if rng.random() < 0.8 else _key(rng, 30)
        best = min(cost for cost, _, _ in _best_substring(query, text, 100.0))
        assert not _beyond(skeleton(query), text, best), (query, text, best)
        if best < 1:
            assert _vowel_gaps(query, text) <= best, (query, text, best)
        checked += 1
    assert checked > 2000


def test_doubled_letters_count_once_in_the_key() -> None:
    assert sound_key("Ммаама") == "мама"
    assert sound_key("Аввакум") == "афакум"
    assert sound_key("") == ""
