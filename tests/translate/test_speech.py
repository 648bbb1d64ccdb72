from __future__ import annotations

from pathlib import Path
from typing import Any

from callsift.pipeline import ProcessOptions, process_call
from callsift.records import Segment
from callsift.translate import assign_by_time


def seg(start: float, end: float) -> Segment:
    return Segment(0, start, end, "x", "ru")


def test_each_english_piece_goes_to_the_segment_holding_its_midpoint() -> None:
    segments = [seg(0, 2), seg(2, 5), seg(6, 8)]
    pieces = [(0.1, 1.9, "One."), (2.0, 3.0, "Two"), (3.0, 4.8, "and three."), (5.2, 5.6, "Four.")]
    assert assign_by_time(segments, pieces) == ["One.", "Two and three.", "Four."]
    assert assign_by_time([], pieces) == []


def test_a_long_english_piece_is_shared_by_sentence_then_by_clause() -> None:
    segments = [
        Segment(0, 0, 3, "Маша, привет.", "ru"),
        Segment(0, 3, 6, "Нас окружили.", "ru"),
        Segment(0, 6, 12, "Мы отступаем к границе, солдаты отказываются идти в бой.", "ru"),
    ]
    english = "Masha, hello. We are surrounded. We retreat to the border, soldiers refuse."
    assert assign_by_time(segments, [(0, 12, english)]) == [
        "Masha, hello.",
        "We are surrounded.",
        "We retreat to the border, soldiers refuse.",
    ]
    one_sentence = "Masha, hello, we are surrounded, we retreat to the border, soldiers refuse."
    assert assign_by_time(segments, [(0, 12, one_sentence)]) == [
        "Masha, hello,",
        "we are surrounded,",
        "we retreat to the border, soldiers refuse.",
    ]


def test_russian_speech_gets_an_english_translation(real_dir: Path, model: Any) -> None:
    outcome = process_call(
        real_dir / "ru_pisets_test_sound_ru.wav", 1, "a.wav", ProcessOptions(), model
    )
    (channel,) = outcome.channels
    assert channel.translation_engine == "whisper-translate"
    english = " ".join(s.translation or "" for s in channel.segments).lower()
    assert "good" in english and "network" in english
    assert english.isascii()
