"""The sound key and approximate matching, one kind of mishearing at a time."""

from __future__ import annotations

import pytest

from callsift.analyze.morph import tokenize
from callsift.search.sounds import chunks, find, index_text, segment_key, skeleton, stem_key


def heard(query: str, text: str) -> str | None:
    """What of ``text`` approximately matched ``query``, or None."""
    words = tuple(word for word, _, _ in tokenize(query))
    match = find(words, segment_key(text))
    return None if match is None else text[match.start : match.end]


def test_the_key_folds_spelling_voicing_and_the_two_languages() -> None:
    assert stem_key(("Изюм",)) == stem_key(("Ізюм",))
    assert stem_key(("батальон",)) == stem_key(("бодальон",))
    assert segment_key("Стёпа").key == segment_key("Степа").key
    assert segment_key("Хостомель").key == segment_key("Гостомелль").key
    assert skeleton(segment_key("Мелитополь").key) == "млтпл"


@pytest.mark.parametrize(
    ("query", "text", "found"),
    [
        # a compound heard as two words, or split in the wrong place
        ("бронетранспортёр", "сгорел броне транспортёр вчера", "броне транспортёр"),
        ("бронетранспортёр", "сгорел бронит рансп ортёра вчера", "бронит рансп ортёра"),
        ("беспилотник", "сбили Без пилотник ночью", "Без пилотник"),
        # merged with a preposition
        ("Изюм", "Мы стоим визюме уже неделю", "визюме"),
        ("Купянск", "Мы подкупенск отошли", "подкупенск"),
        ("Херсон", "Мы стоим вхерсоне", "вхерсоне"),
        # one or two letters off
        ("батальон", "Второй Патальюн почти весь погиб", "Патальюн"),
        ("Искандер", "прилетел оскандер", "оскандер"),
        ("Торнадо", "работали Тарнады", "Тарнады"),
        ("Волноваха", "мы в Валонавыке", "Валонавыке"),
        ("Гостомель", "ранило под кастомелем", "кастомелем"),
        # short words: only as a word of their own
        ("Оля", "Привет, Аля!", "Аля"),
        ("Толя", "Мама, это таля", "таля"),
        ("Гриша", "Это Гореша", "Гореша"),
        ("Игорь", "позови Игаря", "Игаря"),
        ("Изюм", "стоим по бизюмам", "бизюмам"),
        # a phrase, heard with two letters off
        (
            '"комитет солдатских матерей"',
            "в комитет солдарских макерей",
            "комитет солдарских макерей",
        ),
    ],
)
def test_a_garbled_form_is_found(query: str, text: str, found: str) -> None:
    assert heard(query, text) == found


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("мир", "Много мирных погибло"),  # a short word inside a longer one
        ("Харьков", "Сколько вас осталось"),  # a slip that crosses a word boundary
        ("Чернигов", "нам ничего не говорят"),
        ("подвал", "Второй Патальюн почти весь погиб"),  # a consonant off in six letters
        ("Федя", "Ведь это Витя"),  # three letters: only a word of its own, same first letter
        ("Оля", "Коля, привет"),
        ("Стёпа", "нам приказали наступать"),
        ("Киев", "кинули всех"),
    ],
)
def test_a_different_word_is_not_found(query: str, text: str) -> None:
    assert heard(query, text) is None


def test_every_garbled_form_holds_a_piece_of_the_query_for_the_index() -> None:
    for query, text in [
        ("Джавелин", "попал отживлен"),
        ("Мелитополь", "в милые тыпыли"),
        ("Гриша", "Гореша"),
        ("Оля", "Аля"),
    ]:
        key = stem_key((query,))
        assert heard(query, text), query
        assert any(piece in index_text(text) for piece in chunks(key)), query
