"""The approximate pass's first look at a candidate turns away only what the check would.

A query's first run checks up to 200 candidates, most of which fail. The
stored sound key, the vowels' lower bound and a per-word look at the exact
words turn them away before the text is cut into words; a first look that
turned away a segment the check (``verify``) accepts would lose a hit.
"""

from __future__ import annotations

import random

import pytest
import tantivy

from callsift.records import SearchFilters
from callsift.search import search
from callsift.search.approximate import _may_say, verify
from callsift.search.bounds import _distance, _vowels_too, skeleton
from callsift.search.index_query import index_query, sound_query
from callsift.search.query import parse_query
from callsift.search.sounds import KEY_VERSION, _best_substring, budget, segment_key, stem_key
from callsift.store import CaseStore
from callsift.store.index_search import _first_ids, index_sound_candidates
from callsift.store.search_index import current_index

from .conftest import add_call

WORDS = ["приказали", "стрелять", "отходить", "полк", "плохо", "батальон", "Изюм", "убитых"]
FILLER = ["мама", "мы", "в", "не", "сказали", "запретили", "связь", "домой", "рота"]
LETTERS = "абвгдежзийклмнопрстуфхцчшщыэюя"
TEXTS = [
    "Мама, мы стоим визюме уже неделю.",
    "Второй батальон отошёл под Изюм.",
    "Связь плохая, мы в Исюме.",
    "Много мирных погибло.",
]


@pytest.fixture
def calls(case: CaseStore) -> CaseStore:
    """Four calls of one segment each, keyed and indexed by a first search."""
    for number, text in enumerate(TEXTS):
        add_call(case, number, text)
    search(case, "Изюм")
    return case


def _garbled(rng: random.Random, word: str) -> str:
    letters = list(word)
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        at = rng.randrange(len(letters) + 1)
        choice = rng.random()
        if choice < 0.4 and letters:
            letters[min(at, len(letters) - 1)] = rng.choice(LETTERS)
        elif choice < 0.7:
            letters.insert(at, rng.choice(LETTERS))
        elif letters:
            del letters[min(at, len(letters) - 1)]
    return "".join(letters) or "а"


def _revoweled(rng: random.Random, word: str) -> str:
    """The word with some vowels heard as others: each a quarter edit, all in the budget."""
    return "".join(
        rng.choice("аоуиеэы") if ch in "аоуиеэыя" and rng.random() < 0.6 else ch for ch in word
    )


def _plain_distance(pattern: str, text: str) -> int:
    """Edit distance from ``pattern`` to the best substring of ``text``, cell by cell."""
    row = [0] * (len(text) + 1)
    for i, letter in enumerate(pattern, 1):
        new = [i] + [0] * len(text)
        for j, other in enumerate(text, 1):
            new[j] = min(row[j - 1] + (letter != other), row[j] + 1, new[j - 1] + 1)
        row = new
    return min(row)


def test_distance_is_the_plain_substring_distance() -> None:
    rng = random.Random(11)
    for _ in range(2000):
        pattern = "".join(rng.choice("пркслт") for _ in range(rng.randint(1, 9)))
        text = "".join(rng.choice("пркслтм") for _ in range(rng.randint(0, 20)))
        assert _distance(pattern, text, -1.0) == _plain_distance(pattern, text)
        assert _distance(pattern, text, 2.0) <= 2 or _plain_distance(pattern, text) > 2


def test_the_vowels_bound_never_exceeds_the_alignment() -> None:
    rng = random.Random(12)
    turned = 0
    for _ in range(3000):
        words = tuple(_garbled(rng, rng.choice(WORDS)) for _ in range(rng.choice([1, 2])))
        heard = _revoweled if rng.random() < 0.5 else _garbled
        said = [heard(rng, w) for w in words] if rng.random() < 0.8 else []
        text = " ".join([rng.choice(FILLER), *said, rng.choice(FILLER)])
        query, key = stem_key(words), segment_key(text).key
        limit = budget(query)
        off = _distance(skeleton(query), skeleton(key), -1.0)
        if limit < 1 or off > limit or not _vowels_too(query, key, off, limit):
            continue
        turned += 1
        assert _best_substring(query, key, limit) == [], (words, text)
    assert turned > 50, "the bound was put to the test"
    query, key = stem_key(("приказали", "стрелять")), segment_key("рота запретили стрелять").key
    off = _distance(skeleton(query), skeleton(key), -1.0)
    assert off <= budget(query) and _vowels_too(query, key, off, budget(query))


def test_the_first_look_keeps_every_candidate_the_check_accepts() -> None:
    rng = random.Random(13)
    shapes = ["{0}", '"{0} {1}"', "{0} {1}", "{0} OR {1}", "{0} -{1}", "{0}*"]
    turned = 0
    for _ in range(3000):
        first, second = (_garbled(rng, rng.choice(WORDS)) for _ in range(2))
        terms = parse_query(rng.choice(shapes).format(first, second))
        said = [rng.choice([w, _garbled(rng, w)]) for t in terms for w in t.words]
        text = " ".join(rng.sample(FILLER, 3) + said[: rng.randint(0, len(said))]) + "."
        looked = _may_say(text, "ru", tuple(terms), segment_key(text).key)
        turned += not looked
        if verify(text, "ru", terms) is not None:
            assert looked, (terms, text)
    assert turned > 300, "the first look turned candidates away"


def test_the_stored_key_is_the_texts_own(calls: CaseStore) -> None:
    index = current_index(calls)
    assert index is not None
    sounds = sound_query([[["сум"]]], index.schema)  # "Изюм" is "исум"
    words = index_query(parse_query("Изюм"), None, index.schema)

    def candidates() -> list[tuple[int, str, str, str | None]]:
        return index_sound_candidates(
            calls, index, sounds, words, SearchFilters(), 200, KEY_VERSION
        )

    found = candidates()
    assert found and all(key == segment_key(text).key for _, text, _, key in found)
    segment = found[0][0]
    calls.conn.execute("UPDATE segments SET text = 'Мы уже дома.' WHERE id = ?", (segment,))
    again = {row[0]: row for row in candidates()}  # the same ids: the choice is kept
    assert again[segment][1:] == ("Мы уже дома.", "ru", None), "no key for a text not keyed"


def test_the_first_window_gives_the_first_ids(calls: CaseStore) -> None:
    index = current_index(calls)
    assert index is not None
    everything = tantivy.Query.all_query()
    for limit in range(1, 6):
        windowed = _first_ids(calls, index, everything, limit, True)
        assert windowed == _first_ids(calls, index, everything, limit, False)
        assert len(windowed) == min(limit, 4)
