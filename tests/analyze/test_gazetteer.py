"""Places by any case form of any Cyrillic name, and Whisper's slips in them."""

from __future__ import annotations

import gzip

import pytest

from callsift.analyze.gazetteer import (
    DATA,
    FREQUENT,
    Gazetteer,
    correct_place_names,
    gazetteer,
    lookup,
    normalize,
    vocabulary,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Буча", ("Буча", "Bucha", "UA")),
        ("Буче", ("Буча", "Bucha", "UA")),
        ("Бучі", ("Буча", "Bucha", "UA")),
        ("из Бучи".split()[1], ("Буча", "Bucha", "UA")),
        ("Ирпеня", ("Ирпень", "Irpin", "UA")),
        ("Ірпеня", ("Ірпінь", "Irpin", "UA")),
        ("Києва", ("Київ", "Kyiv", "UA")),
        ("Киеве", ("Киев", "Kyiv", "UA")),
        ("Харькове", ("Харьков", "Kharkiv", "UA")),
        ("Харкова", ("Харків", "Kharkiv", "UA")),
        ("Изюмом", ("Изюм", "Izyum", "UA")),
        ("Херсоні", ("Херсон", "Kherson", "UA")),
        ("Мариуполе", ("Мариуполь", "Mariupol", "UA")),
        ("Маріуполі", ("Маріуполь", "Mariupol", "UA")),
        ("Миколаєві", ("Миколаїв", "Mykolayiv", "UA")),
        ("Гостомеле", ("Гостомель", "Hostomel", "UA")),
        ("Бахмуте", ("Бахмут", "Bakhmut", "UA")),
        ("Артемовске", ("Артемовск", "Bakhmut", "UA")),  # former name, not the RU village
        ("Слов'янську", ("Слов'янськ", "Slovyansk", "UA")),  # not Nikopol, once Slavyansk
        ("Слов’янську", ("Слов'янськ", "Slovyansk", "UA")),
        ("Кривом Роге", ("Кривой Рог", "Kryvyy Rih", "UA")),
        ("Новій Каховці", ("Нова Каховка", "Nova Kakhovka", "UA")),
        ("Ивано-Франковске", ("Ивано-Франковск", "Ivano-Frankivsk", "UA")),
        ("Киевской области", ("Киевская область", "Kyiv Oblast", "UA")),
        ("Київській області", ("Київська область", "Kyiv Oblast", "UA")),
        ("Київщині", ("Київщина", "Kyiv Oblast", "UA")),
        ("Донбассе", ("Донбасс", "Donbas", "UA")),
        ("Крыму", ("Крым", "Crimea", "UA")),
        ("Україні", ("Україна", "Ukraine", "UA")),
        ("Белгороде", ("Белгород", "Belgorod", "RU")),
        ("Москве", ("Москва", "Moscow", "RU")),
        ("Сергея", None),
        ("Андрей", None),
        ("Быче", None),
        ("", None),
        ("123", None),
    ],
)
def test_find(name: str, expected: tuple[str, str, str] | None) -> None:
    found = gazetteer().find(name)
    got = None if found is None else (found[1], found[0].english, found[0].country)
    assert got == expected


def test_lookup_gives_coordinates_and_prefers_the_larger_place() -> None:
    bucha = lookup("Буче")
    assert bucha is not None
    assert (bucha.geonameid, round(bucha.lat, 2), round(bucha.lon, 2)) == (711350, 50.55, 30.21)
    donetsk = lookup("Донецке")  # also a town of 50,000 in Russia
    assert donetsk is not None and (donetsk.country, donetsk.english) == ("UA", "Donetsk")
    region = lookup("Київська область")
    assert region is not None and region.geonameid is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Ёлки", "елки"), ("Кам’янське", "кам'янське"), ("Санкт-Петербург", "санкт петербург")],
)
def test_normalize(name: str, expected: str) -> None:
    assert normalize(name) == expected


def test_every_frequent_place_is_in_the_gazetteer() -> None:
    assert [place.english for place in gazetteer().frequent()] == list(FREQUENT)


def test_vocabulary_starts_with_the_places_of_2022() -> None:
    assert vocabulary(12) == [
        "Буча", "Ирпень", "Ірпінь", "Гостомель", "Бородянка", "Ворзель", "Макарів", "Мотижин",
        "Киев", "Київ", "Чернобыль", "Чорнобиль",
    ]  # fmt: skip
    names = vocabulary(500)
    assert len(names) == len(set(names)) == 500
    assert {"Харьков", "Харків", "Херсон", "Мариуполь", "Маріуполь"} <= set(names)


def test_packaged_file_is_small_and_loads_whole() -> None:
    assert DATA.stat().st_size < 1_500_000  # it ships in the wheel
    loaded = Gazetteer.load()
    with gzip.open(DATA, "rt", encoding="utf-8") as lines:
        assert len(loaded.places) == sum(1 for _ in lines) > 10_000


@pytest.mark.parametrize(
    ("language", "text", "expected", "fixes"),
    [
        ("ru", "Мы в Быче, мама.", "Мы в Буче, мама.", [("Быче", "Буче")]),
        ("ru", "Мы стояли в Гуче, потом в Ирпене.", "Мы стояли в Буче, потом в Ирпене.",
         [("Гуче", "Буче")]),
        ("ru", "Нас отвели под Харьгов.", "Нас отвели под Харьков.", [("Харьгов", "Харьков")]),
        ("ru", "Мы были в Изюне.", "Мы были в Изюме.", [("Изюне", "Изюме")]),
        ("ru", "Стоим под Бородянгой.", "Стоим под Бородянкой.", [("Бородянгой", "Бородянкой")]),
        ("ru", "Мы у Сиверодонецка.", "Мы у Северодонецка.",
         [("Сиверодонецка", "Северодонецка")]),
        ("uk", "Ми були під Бахмудом.", "Ми були під Бахмутом.", [("Бахмудом", "Бахмутом")]),
        ("uk", "Ми були в Ерпені.", "Ми були в Ірпені.", [("Ерпені", "Ірпені")]),
        # A word the dictionary knows is never a slip ("хорьков": of polecats).
        ("ru", "Нас отвели под Хорьков.", "Нас отвели под Хорьков.", []),
        # Misses: two edits from any form ("Ирпене" is not a form pymorphy gives).
        ("ru", "Мы были в Ирбене.", "Мы были в Ирбене.", []),
        ("ru", "Стоим под Чернегавом.", "Стоим под Чернегавом.", []),
        # Right already, or another real place: untouched.
        ("ru", "Мы в Буче, под Харьковым, у Изюма.", "Мы в Буче, под Харьковым, у Изюма.", []),
        ("uk", "Ми в Бучі, біля Ірпеня.", "Ми в Бучі, біля Ірпеня.", []),
        ("ru", "Он из Ирпеня.", "Он из Ирпеня.", []),
        # At a sentence start a capital proves nothing.
        ("ru", "Быче конец.", "Быче конец.", []),
    ],
)  # fmt: skip
def test_correct_place_names(
    language: str, text: str, expected: str, fixes: list[tuple[str, str]]
) -> None:
    assert correct_place_names(text, language) == (expected, fixes)


ORDINARY = """Мама Папа Господи Боже Бабушка Сынок Брат Командир Комбат Старшина Сержант Победа
Мир Слава Надежда Вера Град Ураган Смерч Тигр Урал Газель Калибр Искандер Телеграм Вайбер
Сбербанк Газпром Юра Лена Саша Дима Андрей Наташа Оля Вова Рома Иванов Петров Шевченко
Коваленко Путин Зеленский Шойгу Кадыров Пригожин Бучко Гучков Изюмов Быков Бычков Попов
Донцов Полтавец Лиманский Херсонов""".split()


@pytest.mark.parametrize("word", ORDINARY)
def test_ordinary_words_are_never_corrected(word: str) -> None:
    for text, language in (
        (f"{word} сказал, что всё нормально.", "ru"),
        (f"Мы тут с {word} сидим.", "ru"),
        (f"Ми тут з {word} сидимо.", "uk"),
        (f"Вчера. {word}! Да, {word}.", "ru"),
    ):
        assert correct_place_names(text, language) == (text, [])
