from __future__ import annotations

from pathlib import Path
from typing import Any

from callsift.pipeline import ProcessOptions, process_call
from callsift.records import Segment
from callsift.translate import assign_words
from callsift.translate.speech import EnglishWord


def seg(start: float, end: float) -> Segment:
    return Segment(0, start, end, "x", "ru")


def words(*timed: tuple[float, float, str]) -> list[EnglishWord]:
    return [EnglishWord(start, end, " " + word, -0.5) for start, end, word in timed]


def test_each_english_word_goes_to_the_segment_it_was_said_in() -> None:
    segments = [seg(0, 2), seg(2.5, 5), seg(6, 8)]
    english = words((0.1, 0.5, "One."), (2.6, 3.0, "Two"), (3.0, 4.8, "three."), (6.2, 7, "Four."))
    assert [t.text for t in assign_words(segments, english)] == ["One.", "Two three.", "Four."]
    assert assign_words([], english) == []


def test_the_last_segment_keeps_its_own_english() -> None:
    """The case the issue found: the last segment's words went to the one before."""
    segments = [seg(0, 4), seg(4.6, 6.5)]
    english = words(
        (0.2, 1.0, "Hello,"), (1.0, 2.0, "brother."), (4.7, 5.2, "We"), (5.2, 6.0, "stay.")
    )
    assert [t.text for t in assign_words(segments, english)] == ["Hello, brother.", "We stay."]


def test_a_cut_moves_onto_the_sentence_end_nearest_the_pause() -> None:
    """Translated words run early: "We are in the" was timed before the pause at 6.7-7.3 s."""
    segments = [seg(4.0, 6.7), seg(7.3, 9.9)]
    english = words(
        (4.1, 4.4, "Son,"), (4.6, 5.2, "where are you?"), (5.6, 5.8, "We"), (5.8, 6.0, "are"),
        (6.0, 6.2, "in"), (6.2, 7.6, "the"), (7.6, 7.8, "city"), (7.8, 8.4, "of Bucha."),
    )  # fmt: skip
    assert [t.text for t in assign_words(segments, english)] == [
        "Son, where are you?",
        "We are in the city of Bucha.",
    ]


def test_looped_words_are_set_aside_as_dropped() -> None:
    segments = [seg(0, 3), seg(3.5, 6)]
    loop = [
        EnglishWord(3.6 + i * 0.1, 3.7 + i * 0.1, " sorry,", -0.2, "sorry, ×20") for i in range(20)
    ]
    result = assign_words(segments, words((0.2, 1.0, "Hello.")) + loop)
    assert [(t.text, t.dropped) for t in result] == [("Hello.", None), ("", "sorry, ×20")]


def test_russian_speech_gets_an_english_translation(real_dir: Path, model: Any) -> None:
    outcome = process_call(
        real_dir / "ru_pisets_test_sound_ru.wav", 1, "a.wav", ProcessOptions(), model
    )
    (channel,) = outcome.channels
    assert channel.translation_engine == "whisper-translate"
    english = " ".join(s.translation or "" for s in channel.segments).lower()
    assert "good" in english and "network" in english
    assert english.isascii()


def test_a_looping_piece_marks_its_looped_words_only() -> None:
    from types import SimpleNamespace

    from callsift.translate.speech import _piece_words

    said = [" We", " wait."] + [" I'm", " sorry,"] * 10
    timed = [SimpleNamespace(start=i * 0.2, end=i * 0.2 + 0.2, word=w) for i, w in enumerate(said)]
    piece = SimpleNamespace(
        text="".join(said), words=timed, avg_logprob=-0.3, compression_ratio=3.0, start=0, end=5
    )
    words = _piece_words(piece, 10.0, 2.4)
    assert [w.looped for w in words[:2]] == [None, None] and words[0].start == 10.0
    assert all(w.looped and "I'm sorry" in w.looped for w in words[2:])
    varied = SimpleNamespace(
        text=" We will meet. We will meet you. We will meet them.",
        words=None, avg_logprob=-0.3, compression_ratio=2.6, start=0.0, end=3.0,
    )  # fmt: skip
    (whole,) = _piece_words(varied, 0.0, 2.4)
    assert whole.looped is not None and "looping translation" in whole.looped
