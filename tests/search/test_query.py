from __future__ import annotations

import io

import pytest

from callsift.records import AudioInfo, ChannelTranscript, Segment
from callsift.search import SearchError, fts_query, search
from callsift.store import CaseStore


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Буча", '"Буча"'),
        ("в Буче", '"в" "Буче"'),
        ('"наша оборона" полк', '"наша оборона" "полк"'),
        ("мин*", '"мин"*'),
        ("танк OR БМП", '"танк" OR "БМП"'),
        ("полк -мама", '("полк") NOT "мама"'),
        ('331-й "', '"331 й"'),
        ("AND NEAR( ) ^col:x", '"AND" "NEAR" "col x"'),
    ],
)
def test_user_text_becomes_a_safe_fts5_expression(typed: str, expected: str) -> None:
    assert fts_query(typed) == expected


@pytest.mark.parametrize("typed", ["", "   ", "-мама", '""', "?!"])
def test_a_query_with_nothing_to_find_is_refused(typed: str) -> None:
    with pytest.raises(SearchError):
        fts_query(typed)


@pytest.fixture
def indexed(case: CaseStore) -> CaseStore:
    texts = [
        "Мама, мы в Буче, наша оборона стоит.",
        "Нам приказали идти на Киев.",
        "У нас двенадцать убитых, 331-й полк.",
    ]
    for number, text in enumerate(texts):
        sha, size, _ = case.originals.put(io.BytesIO(text.encode()))
        call_id, _, _ = case.add_call(sha, f"call_{number}.wav", f"/in/{number}", size)
        segment = Segment(0, 1.0, 4.0, text, "ru")
        case.save_transcript(
            call_id,
            AudioInfo(5.0, 8000, 1, "pcm_s16le", "wav"),
            [ChannelTranscript(0, "ru", 0.9, 3.0, [segment])],
            '{"m": 1}',
        )
    return case


def test_search_finds_words_phrases_and_prefixes_case_insensitively(indexed: CaseStore) -> None:
    assert [h.file for h in search(indexed, "буче")] == ["call_0.wav"]
    assert [h.file for h in search(indexed, '"наша оборона"')] == ["call_0.wav"]
    assert [h.file for h in search(indexed, '"оборона наша"')] == []
    assert [h.file for h in search(indexed, "убит*")] == ["call_2.wav"]
    assert sorted(h.file for h in search(indexed, "Киев OR полк")) == ["call_1.wav", "call_2.wav"]


def test_a_hit_carries_its_place_in_the_call_and_a_marked_snippet(indexed: CaseStore) -> None:
    (hit,) = search(indexed, "приказали")
    assert (hit.call_id, hit.channel, hit.start, hit.end, hit.language) == (2, 0, 1.0, 4.0, "ru")
    assert hit.text == "Нам приказали идти на Киев."
    assert "[приказали]" in hit.snippet
