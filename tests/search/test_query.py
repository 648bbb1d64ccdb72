from __future__ import annotations

import io
import json

import pytest

from callsift.analyze.morph import lemma_text
from callsift.records import AudioInfo, ChannelTranscript, FlagHit, Mention, SearchFilters, Segment
from callsift.search import SearchError, fts_query, parse_query, search
from callsift.store import CaseStore
from callsift.store.analysis import SegmentAnalysis, save_analysis, stored_segments


@pytest.mark.parametrize(
    "typed",
    ['331-й "', "AND NEAR( ) ^col:x", 'a"b', "*", "text : x", "NOT", "\"'; DROP TABLE calls; --"],
)
def test_any_typed_text_becomes_a_valid_expression(case: CaseStore, typed: str) -> None:
    try:
        expression = fts_query(typed)
    except SearchError:
        return
    case.conn.execute("SELECT count(*) FROM segments_fts WHERE segments_fts MATCH ?", (expression,))


@pytest.mark.parametrize("typed", ["", "   ", "-мама", '""', "?!", "OR"])
def test_a_query_with_nothing_to_find_is_refused(typed: str) -> None:
    with pytest.raises(SearchError):
        fts_query(typed)


def test_query_words_are_searched_by_lemma_in_both_dictionaries() -> None:
    assert fts_query("Бучі", "uk") == '(lemmas : ("бучі" OR "буча"))'
    assert fts_query("танк OR БМП -мама", "ru") == (
        '((lemmas : ("танк") OR lemmas : ("бмп")) NOT lemmas : ("мама"))'
    )
    assert fts_query("ordered", "en") == '(translation : "ordered")'
    terms = parse_query('"приказали стрелять"~5 -мама мин* OR танк')
    assert [(t.words, t.near, t.exclude, t.prefix, t.is_or) for t in terms] == [
        (("приказали", "стрелять"), 5, False, False, False),
        (("мама",), None, True, False, False),
        (("мин",), None, False, True, False),
        ((), None, False, False, True),
        (("танк",), None, False, False, False),
    ]


CALLS = [
    # text, language, translation, metadata, flags, mentions
    (
        "Мама, мы в Буче, наша оборона стоит.",
        "ru",
        "Mom, we are in Bucha, our defence is holding.",
        {"caller": "+7 903 555 17 08", "started_at": "2022-03-04T19:12:40+03:00"},
        [],
        [Mention("LOC", "Буче", "Буча", 11, 15)],
    ),
    (
        "Нам приказали стрелять по всем, кто выходит из Бучи.",
        "ru",
        "We were ordered to shoot everyone who leaves Bucha.",
        {"caller": "79161112233", "started_at": "2022-03-10T08:00:00+03:00"},
        [FlagHit("orders", "стрелять по всем", "стрелять по всем", 14, 30)],
        [Mention("unit", "331-й полк", "331 полк", 0, 0)],
    ),
    (
        "Ми в Бучі, у нас п'ятеро поранених.",
        "uk",
        "We are in Bucha, we have five wounded.",
        {"caller": "+380 67 123 4567", "started_at": "2022-03-12T10:00:00+02:00"},
        [],
        [],
    ),
]


@pytest.fixture
def indexed(case: CaseStore) -> CaseStore:
    for number, (text, lang, english, meta, flags, mentions) in enumerate(CALLS):
        sha, size, _ = case.originals.put(io.BytesIO(text.encode()))
        call_id, _, _ = case.add_call(sha, f"call_{number}.wav", f"/in/{number}", size)
        case.conn.execute("UPDATE calls SET metadata = ? WHERE id = ?", (json.dumps(meta), call_id))
        segment = Segment(0, 1.0, 4.0, text, lang, translation=english)
        case.save_transcript(
            call_id,
            AudioInfo(5.0, 8000, 1, "pcm_s16le", "wav"),
            [ChannelTranscript(0, lang, 0.9, 3.0, [segment], translation_engine="test")],
            '{"m": 1}',
        )
        ((segment_id, _),) = stored_segments(case, call_id)
        analysis = SegmentAnalysis(segment_id, lemma_text(text, lang), mentions, flags)
        save_analysis(case, call_id, "{}", [analysis])
    return case


def files(store: CaseStore, query: str, **filters: str | bool) -> list[str]:
    result = search(store, query, SearchFilters(**filters))  # type: ignore[arg-type]
    return sorted(hit.file for hit in result.hits)


def test_every_word_form_is_found_by_any_form(indexed: CaseStore) -> None:
    assert files(indexed, "Буча") == ["call_0.wav", "call_1.wav", "call_2.wav"]
    assert files(indexed, "из Бучи") == ["call_1.wav"]
    assert files(indexed, "приказать") == ["call_1.wav"]
    # Ukrainian "поранених" is another word: found only by how it sounds.
    assert files(indexed, "раненые", exact=True) == []
    assert files(indexed, "раненые") == ["call_2.wav"]
    assert files(indexed, "поранений") == ["call_2.wav"]


def test_an_english_query_finds_a_russian_call_through_its_translation(
    indexed: CaseStore,
) -> None:
    assert files(indexed, "ordered to shoot") == ["call_1.wav"]
    assert files(indexed, '"ordered to shoot"', lang="en") == ["call_1.wav"]
    assert files(indexed, "ordered", lang="ru") == []
    assert files(indexed, "Буча", lang="en") == []


def test_phrases_proximity_exclusion_and_prefix(indexed: CaseStore) -> None:
    assert files(indexed, '"наша оборона"') == ["call_0.wav"]
    # (The words in the other order sound a little like "п'ятеро поранених":
    # only the exact search is about order.)
    assert files(indexed, '"оборона наша"', exact=True) == []
    assert files(indexed, '"приказали всем"~3') == ["call_1.wav"]
    assert files(indexed, "Буча -мама") == ["call_1.wav", "call_2.wav"]
    assert files(indexed, "оборон*") == ["call_0.wav"]


def test_filters_by_language_date_number_flag_entity_and_unit(indexed: CaseStore) -> None:
    assert files(indexed, "Буча", lang="uk") == ["call_2.wav"]
    assert files(indexed, "Буча", date_from="2022-03-05", date_to="2022-03-11") == ["call_1.wav"]
    assert files(indexed, "Буча", number="+7 (916) 111-22-33") == ["call_1.wav"]
    assert files(indexed, "Буча", number="0671234567") == ["call_2.wav"]
    assert files(indexed, "Буча", flag="orders") == ["call_1.wav"]
    assert files(indexed, "Буча", entity="буча") == ["call_0.wav"]
    assert files(indexed, "Буча", unit="331 полк") == ["call_1.wav"]


def test_hits_carry_time_snippets_and_facets(indexed: CaseStore) -> None:
    result = search(indexed, "Буча", facets=True)
    assert result.total == 3
    first = next(hit for hit in result.hits if hit.file == "call_1.wav")
    assert (first.channel, first.start, first.end, first.language) == (0, 1.0, 4.0, "ru")
    assert "[Бучи]" in first.snippet
    (english,) = search(indexed, "shooting", SearchFilters(lang="en")).hits
    assert "[shoot]" in english.translation_snippet
    assert result.facets["language"] == {"ru": 2, "uk": 1}
    assert result.facets["flag"] == {"orders": 1}
    assert result.facets["unit"] == {"331 полк": 1}
    assert result.facets["place"] == {"Буча": 1}
