"""Russian, Ukrainian, surzhyk or English: the whole transcript against Whisper's first guess."""

from __future__ import annotations

import pytest

from callsift.analyze.language import LanguageDecision, decide_language

RUSSIAN = (
    "Мама, привет. Это я, Серёжа. Мы в городе Буча. Город весь разбит. "
    "Я живой. Но убили двенадцать человек."
)
UKRAINIAN = (
    "Мамо, привіт. Це я, Сергій. Ми в Бучі, біля Ірпеня. Місто все розбите. Я живий, не хвилюйся."
)
SURZHYK = (
    "Мама, я тобі кажу, шо мы тут стоим уже неделю. Хлопці пішли на позиції, а нас оставили. "
    "Ну шо ты, не переживай, всё будет хорошо. Я скоро прийду додому, як тільки відпустять. "
    "Если шо, звони Сашку, він знає."
)
ENGLISH = "Hello mom, we are fine. The weather is cold and we have no food."


@pytest.mark.parametrize(
    ("text", "whisper", "probability", "expected"),
    [
        (RUSSIAN, "ru", 0.9, ("ru", False)),
        (RUSSIAN, "uk", 0.6, ("ru", False)),  # Whisper misheard: re-transcribe in Russian
        (UKRAINIAN, "uk", 0.9, ("uk", False)),
        (UKRAINIAN, "ru", 0.7, ("uk", False)),
        (UKRAINIAN, "be", 0.5, ("uk", False)),
        (UKRAINIAN, None, 0.0, ("uk", False)),
        (SURZHYK, "uk", 0.5, ("uk", True)),
        (SURZHYK, "ru", 0.5, ("uk", True)),
        (ENGLISH, "en", 0.9, ("en", False)),
        (ENGLISH, "ru", 0.4, ("en", False)),
        # Too short to judge: Whisper, who heard the audio, stands.
        ("Да, да.", "uk", 0.8, ("uk", False)),
        ("Так, мам.", "ru", 0.8, ("ru", False)),
        ("Так, мам.", "uk", 0.8, ("uk", False)),
        # Latin letters of a language lingua is not asked about: Whisper's.
        ("Hallo Mama, uns geht es gut, wirklich.", "de", 0.9, ("de", False)),
        # Weak evidence against Whisper leaves Whisper's choice.
        ("Добре, мам, все нормально, скоро будемо.", "ru", 0.7, ("ru", False)),
    ],
)
def test_decide_language(
    text: str, whisper: str | None, probability: float, expected: tuple[str, bool]
) -> None:
    decision = decide_language(text, whisper, probability)
    assert (decision.language, decision.mixed) == expected
    assert 0.0 <= decision.confidence <= 1.0
    assert decision.reason


def test_short_text_keeps_whisper_with_its_probability() -> None:
    assert decide_language("Да, да.", "uk", 0.8) == LanguageDecision(
        "uk", False, 0.8, "2 words, too few to judge: Whisper said uk (0.80)"
    )


def test_reason_shows_the_evidence() -> None:
    decision = decide_language(UKRAINIAN, "ru", 0.7)
    assert decision.confidence > 0.95
    assert decision.reason.startswith("text uk ")
    assert "і/ї/є/ґ in 6, ы/э/ъ/ё in 0 words" in decision.reason
    assert decision.reason.endswith("Whisper said ru (0.70)")


def test_weak_evidence_against_whisper_says_so() -> None:
    decision = decide_language("Добре, мам, все нормально, скоро будемо.", "ru", 0.7)
    assert decision.reason.endswith("below 0.65: kept Whisper's")
    assert decision.confidence < 0.5


def test_a_russian_name_in_a_ukrainian_call_is_not_mixed() -> None:
    text = UKRAINIAN + " Серёжа передав привіт. Ми всі тут, чекаємо на наказ і їжу."
    decision = decide_language(text, "uk", 0.9)
    assert (decision.language, decision.mixed) == ("uk", False)
