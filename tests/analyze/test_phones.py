"""Phone numbers said in a call, and the numbers that must not be taken for one."""

from __future__ import annotations

from pathlib import Path

import pytest

from callsift.analyze.flags import load_watchlists
from callsift.analyze.phones import find_phones
from callsift.analyze.run import analyze_segment, time_at
from callsift.records import Segment, Word
from callsift.store import CaseStore, list_calls
from callsift.store.analysis import stored_segments


def phones(text: str, language: str = "ru") -> list[tuple[str, str, bool]]:
    found = find_phones(text, language)
    for mention in found:
        assert text[mention.start_char : mention.end_char] == mention.text
        assert mention.type == "phone"
    return [(m.text, m.normal, m.attrs["valid"]) for m in found]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Запиши номер 8 916 555 23 41, позвони маме.", "ru", ("8 916 555 23 41", "+79165552341")),
        ("Мой новый +7 903 555 17 08.", "ru", ("+7 903 555 17 08", "+79035551708")),
        ("Дзвони на 067-123-45-67 ввечері.", "uk", ("067-123-45-67", "+380671234567")),
        ("Номер 8 (916) 555-23-41.", "ru", ("8 (916) 555-23-41", "+79165552341")),
        ("Пиши на 380501234567", "uk", ("380501234567", "+380501234567")),
        (
            "Набери восемь девятьсот шестнадцать пятьсот пятьдесят пять двадцать три сорок один.",
            "ru",
            (
                "восемь девятьсот шестнадцать пятьсот пятьдесят пять двадцать три сорок один",
                "+79165552341",
            ),
        ),
        (
            "Мій номер нуль шістдесят сім сто двадцять три сорок п'ять шістдесят сім",
            "uk",
            ("нуль шістдесят сім сто двадцять три сорок п'ять шістдесят сім", "+380671234567"),
        ),
        (
            "плюс семь девятьсот три пятьсот пятьдесят пять семнадцать ноль восемь",
            "ru",
            (
                "плюс семь девятьсот три пятьсот пятьдесят пять семнадцать ноль восемь",
                "+79035551708",
            ),
        ),
    ],
)
def test_a_dictated_number_becomes_a_phone_mention(
    text: str, language: str, expected: tuple[str, str]
) -> None:
    assert phones(text, language) == [(*expected, True)]


def test_valid_number_carries_country_carrier_and_line_type() -> None:
    (mention,) = find_phones("Мой новый +7 903 555 17 08.", "ru")
    assert mention.attrs == {
        "valid": True,
        "country": "RU",
        "carrier": "Beeline",
        "line_type": "mobile",
    }


def test_a_number_running_into_a_count_is_cut_where_it_is_valid() -> None:
    assert phones("Номер 8 916 555 23 41 12 человек там.") == [
        ("8 916 555 23 41", "+79165552341", True)
    ]
    assert phones("8-916-555-23-41 и 89035551708") == [
        ("8-916-555-23-41", "+79165552341", True),
        ("89035551708", "+79035551708", True),
    ]


def test_an_invalid_number_is_kept_and_flagged_when_said_as_a_number() -> None:
    assert phones("Запиши номер 12345 67890.") == [("12345 67890", "1234567890", False)]
    assert phones("Звонили с +44 7700 900123") == [("+44 7700 900123", "447700900123", False)]


@pytest.mark.parametrize(
    "text",
    [
        "Погибло 1 200 человек, 300 раненых, из 331 полка осталось 20.",
        "Сегодня 20.03.2022, вчера было 2022-03-19, а 24 02 2022 всё началось.",
        "Нас было 200 300 400 500 человек по разным частям.",
        "В/ч 12345, 64 ОМСБр, 1 500 000 рублей за 2 танка.",
        "двести тридцать пять убитых и сто двадцать раненых двадцать четвертого февраля",
    ],
)
def test_casualty_figures_dates_and_units_are_not_phones(text: str) -> None:
    assert phones(text) == []


def test_the_analyser_adds_timed_phone_mentions_beside_the_others() -> None:
    text = "Мама, запиши номер 8 916 555 23 41, у нас двенадцать убитых."
    words = [Word(10 + i, 10.8 + i, " " + w, 0.9) for i, w in enumerate(text.split())]
    segment = Segment(1, 10, 10 + len(words), text, "ru", words=words)
    result = analyze_segment(segment, load_watchlists())
    (phone,) = [m for m in result.mentions if m.type == "phone"]
    assert (phone.normal, phone.channel) == ("+79165552341", 1)
    assert phone.start == time_at(segment, text.index("8 916"))
    assert {m.type for m in result.mentions} >= {"phone", "casualty"}
    # The phone's digits are not read as a casualty figure or a unit.
    assert all(m.type == "phone" or not m.text[:1].isdigit() for m in result.mentions)


def test_no_phone_in_the_demo_transcripts(demo_case: Path) -> None:
    """The demo calls say casualty figures, dates and units, but no phone number."""
    with CaseStore(demo_case) as store:
        texts = [
            (segment.text, segment.language)
            for call in list_calls(store)
            for _, segment in stored_segments(store, call.id)
        ]
    assert len(texts) > 20
    assert any(ch.isdigit() for text, _ in texts for ch in text)
    assert [t for t, lang in texts if find_phones(t, lang)] == []
