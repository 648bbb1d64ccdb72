from __future__ import annotations

from callsift.analyze.flags import load_watchlists
from callsift.analyze.run import analyze_segment, time_at
from callsift.records import Segment, Word


def segment(text: str, language: str = "ru", channel: int = 1) -> Segment:
    words = [Word(10 + i, 10.8 + i, " " + w, 0.9) for i, w in enumerate(text.split())]
    return Segment(channel, 10, 10 + len(words), text, language, words=words)


def test_a_character_is_timed_by_the_word_that_holds_it() -> None:
    seg = segment("Мы в Буче, двенадцать убитых.")
    assert [time_at(seg, seg.text.index(w)) for w in ("Мы", "Буче", "убитых")] == [10, 12, 14]
    assert time_at(Segment(0, 3.0, 4.0, "да", "ru"), 0) == 3.0


def test_mentions_and_flags_carry_time_channel_and_their_own_words() -> None:
    seg = segment("Мама, нам приказали стрелять по мирным, у нас двенадцать убитых.")
    result = analyze_segment(seg, load_watchlists(), segment_id=7)
    assert result.segment_id == 7
    casualty = next(m for m in result.mentions if m.type == "casualty")
    assert (casualty.value, casualty.kind, casualty.channel) == (12.0, "killed", 1)
    assert casualty.start == time_at(seg, seg.text.index("двенадцать"))
    assert {f.topic for f in result.flags} >= {"orders", "casualties"}
    for found in [*result.mentions, *result.flags]:
        assert seg.text[found.start_char : found.end_char] == found.text
    assert "приказать" in result.lemmas.split()


def test_a_misheard_place_is_found_while_the_transcript_keeps_what_was_heard() -> None:
    seg = segment("Мама, мы сейчас в Быче, тут страшно.")
    result = analyze_segment(seg, load_watchlists())
    (place,) = [m for m in result.mentions if m.type == "LOC"]
    assert (place.normal, place.attrs["english"], place.attrs["heard"]) == (
        "Буча",
        "Bucha",
        "Быче",
    )
    assert seg.text[place.start_char : place.end_char] == "Быче"
    assert "буча" in result.lemmas.split()
    assert seg.text == "Мама, мы сейчас в Быче, тут страшно."
