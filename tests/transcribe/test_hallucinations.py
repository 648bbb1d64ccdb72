from __future__ import annotations

from callsift.records import Segment
from callsift.transcribe import drop_hallucinations
from callsift.transcribe.hallucinations import is_known_phrase

SPEECH = [(0.0, 5.0), (20.0, 25.0)]


def seg(text: str, start: float = 1.0, end: float = 4.0, **kw: float) -> Segment:
    return Segment(0, start, end, text, "ru", **kw)


def kept(*segments: Segment) -> list[str]:
    return [s.text for s in drop_hallucinations(segments, SPEECH)]


def test_real_speech_inside_vad_regions_is_kept() -> None:
    assert kept(seg("Мама, мы в Буче."), seg("Всё хорошо.", 21, 24)) == [
        "Мама, мы в Буче.",
        "Всё хорошо.",
    ]


def test_text_over_silence_is_dropped() -> None:
    assert kept(seg("Продолжение мысли", 8.0, 16.0)) == []


def test_words_just_past_the_vad_region_are_kept() -> None:
    assert kept(seg("до конца", 5.3, 5.9)) == ["до конца"]


def test_subtitle_credits_are_dropped_in_any_spelling() -> None:
    assert is_known_phrase("Продолжение следует...")
    assert is_known_phrase("Субтитры сделал DimaTorzok")
    assert is_known_phrase("Thanks for watching!")
    # Heard on the silent end of a demo call: a credit variant not in the list.
    assert is_known_phrase("Субтитры Редактор субтитров А.Синецкая Корректор В.Сухиашвили")
    assert is_known_phrase("Субтитри зроблено спільнотою")
    assert not is_known_phrase("Thank you, mum")
    assert not is_known_phrase("Редактор газеты звонил")
    assert kept(seg("ПРОДОЛЖЕНИЕ СЛЕДУЕТ…")) == []


def test_not_speech_by_whisper_own_measure_is_dropped() -> None:
    assert kept(seg("эээ", no_speech_prob=0.9, avg_logprob=-1.5)) == []
    assert kept(seg("да", no_speech_prob=0.9, avg_logprob=-0.3)) == ["да"]


def test_loops_and_verbatim_repeats_are_dropped() -> None:
    assert kept(seg("да да да да да да да", compression_ratio=3.1)) == []
    assert kept(seg("Мы в Буче.", 1, 2), seg("Мы в Буче", 2, 3), seg("Мы ушли.", 3, 4)) == [
        "Мы в Буче.",
        "Мы ушли.",
    ]
