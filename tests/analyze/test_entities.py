"""People, places and organisations: natasha for Russian, rules and the gazetteer for Ukrainian."""

from __future__ import annotations

import pytest

from callsift.analyze.entities import extract_entities

BUCHA = {"english": "Bucha", "lat": 50.5474, "lon": 30.2088, "geonameid": 711350, "country": "UA"}
IRPIN = {"english": "Irpin", "lat": 50.522, "lon": 30.2404, "geonameid": 707565, "country": "UA"}
KHARKIV = {
    "english": "Kharkiv", "lat": 49.9818, "lon": 36.2548, "geonameid": 706483, "country": "UA"
}  # fmt: skip
IZYUM = {"english": "Izyum", "lat": 49.207, "lon": 37.2768, "geonameid": 707292, "country": "UA"}
KYIV = {"english": "Kyiv", "lat": 50.4547, "lon": 30.5238, "geonameid": 703448, "country": "UA"}
KHERSON = {
    "english": "Kherson", "lat": 46.6369, "lon": 32.6146, "geonameid": 706448, "country": "UA"
}  # fmt: skip
SUMY = {"english": "Sumy", "lat": 50.9174, "lon": 34.7991, "geonameid": 692194, "country": "UA"}
NOVA_KAKHOVKA = {
    "english": "Nova Kakhovka", "lat": 46.7597, "lon": 33.3559, "geonameid": 699839,
    "country": "UA",
}  # fmt: skip
KYIV_OBLAST = {
    "english": "Kyiv Oblast", "lat": 50.3548, "lon": 30.5522, "geonameid": None, "country": "UA"
}  # fmt: skip
MYKOLAIV = {
    "english": "Mykolayiv", "lat": 46.9763, "lon": 31.993, "geonameid": 700569, "country": "UA"
}  # fmt: skip
DONBAS = {"english": "Donbas", "lat": 48.3031, "lon": 38.1434, "geonameid": None, "country": "UA"}

# (type, text, normal, attrs) for every mention, in order.
Expected = list[tuple[str, str, str, dict[str, object]]]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("ru", "Мы в городе Буча. Город весь разбит.", [("LOC", "Буча", "Буча", BUCHA)]),
        ("ru", "Вчера видел Сергея Иванова в Буче.", [
            ("PER", "Сергея Иванова", "Сергей Иванов", {}),
            ("LOC", "Буче", "Буча", BUCHA),
        ]),
        ("ru", "Мы стоим под Изюмом, потом пойдём на Харьков.", [
            ("LOC", "Изюмом", "Изюм", IZYUM),
            ("LOC", "Харьков", "Харьков", KHARKIV),
        ]),
        ("ru", "Он из Ирпеня, а я из Харькова.", [
            ("LOC", "Ирпеня", "Ирпень", IRPIN),
            ("LOC", "Харькова", "Харьков", KHARKIV),
        ]),
        ("ru", "В Донбассе всё плохо.", [("LOC", "Донбассе", "Донбасс", DONBAS)]),
        ("ru", "Мы в Киевской области.", [
            ("LOC", "Киевской области", "Киевская область", KYIV_OBLAST),
        ]),
        # Neither in the gazetteer nor a place the dictionary knows: a misheard
        # word, dropped here (analysis corrects "Быче" to "Буче" before this).
        ("ru", "Мы в Быче, мама.", []),
        # Whisper's lower-case place names are found after a preposition.
        ("ru", "Мы стоим в херсоне.", [("LOC", "херсоне", "Херсон", {
            "english": "Kherson", "lat": 46.6369, "lon": 32.6146,
            "geonameid": 706448, "country": "UA",
        })]),
        ("ru", "Привет, мама. Это я, Серёжа.", [("PER", "Серёжа", "Серёжа", {})]),
        ("ru", "Слушай, Дима, передай Саше, что я звонил.", [
            ("PER", "Дима", "Дима", {}),
            ("PER", "Саше", "Саша", {}),
        ]),
        ("ru", "Минобороны и Красный Крест молчат.", [
            ("ORG", "Минобороны", "Минобороны", {}),
            ("ORG", "Красный Крест", "Красный Крест", {}),
        ]),
        ("ru", "Генштаб врёт. СБУ и ЗСУ везде.", [
            ("ORG", "Генштаб", "Генштаб", {}),
            ("ORG", "СБУ", "СБУ", {}),
            ("ORG", "ЗСУ", "ЗСУ", {}),
        ]),
        # Kinds of troops are units, for the military module.
        ("ru", "Нас ВДВ сменили, а ВСУ стреляют.", [("ORG", "ВСУ", "ВСУ", {})]),
        ("uk", "Ми в Бучі, біля Ірпеня.", [
            ("LOC", "Бучі", "Буча", BUCHA),
            ("LOC", "Ірпеня", "Ірпінь", IRPIN),
        ]),
        ("uk", "Я з Харкова.", [("LOC", "Харкова", "Харків", KHARKIV)]),
        ("uk", "Буча вся розбита.", [("LOC", "Буча", "Буча", BUCHA)]),
        ("uk", "Ми в Новій Каховці, під Херсоном.", [
            ("LOC", "Новій Каховці", "Нова Каховка", NOVA_KAKHOVKA),
            ("LOC", "Херсоном", "Херсон", KHERSON),
        ]),
        ("uk", "Ми в Київській області.", [
            ("LOC", "Київській області", "Київська область", KYIV_OBLAST),
        ]),
        ("uk", "Привіт, Олено. Бачив Сергія Петренка у Києві.", [
            ("PER", "Олено", "Олена", {}),
            ("PER", "Сергія Петренка", "Сергій Петренко", {}),
            ("LOC", "Києві", "Київ", KYIV),
        ]),
        ("uk", "Андрій Коваленко сказав, що Суми тримаються.", [
            ("PER", "Андрій Коваленко", "Андрій Коваленко", {}),
            ("LOC", "Суми", "Суми", SUMY),
        ]),
        ("uk", "Привіт, Сашко! Де Іван Іванович?", [
            ("PER", "Сашко", "Сашко", {}),
            ("PER", "Іван Іванович", "Іван Іванович", {}),
        ]),
        ("uk", "Пішли з Олександром на позиції.", [("PER", "Олександром", "Олександр", {})]),
        ("uk", "Міноборони і Червоний Хрест мовчать, а Генштабу не до нас.", [
            ("ORG", "Міноборони", "Міноборони", {}),
            ("ORG", "Червоний Хрест", "Червоний Хрест", {}),
            ("ORG", "Генштабу", "Генштаб", {}),
        ]),
        ("uk", "СБУ затримала двох.", [("ORG", "СБУ", "СБУ", {})]),
        # A village named like a common word is not taken for one.
        ("uk", "Вчора були в Мирі.", []),
        # A name opening a sentence to address someone; natasha misses these.
        ("ru", "Лена, привет. Это я, Андрей.", [
            ("PER", "Лена", "Лена", {}),
            ("PER", "Андрей", "Андрей", {}),
        ]),
        ("uk", "Оксано, привіт. У нас все добре.", [("PER", "Оксано", "Оксана", {})]),
        ("uk", "Тарасе, це тато. Як ти?", [("PER", "Тарасе", "Тарас", {})]),
        # natasha's slips: a verb taken for a name, a name taken for a place.
        ("ru", "Уходи оттуда, Миша.", [("PER", "Миша", "Миша", {})]),
        ("ru", "Ванечка, там спокойно?", [("PER", "Ванечка", "Ванечка", {})]),
        # English: places by their English names; people are not found.
        ("en", "Outside Kharkiv. The orders change every day.", [
            ("LOC", "Kharkiv", "Kharkiv", KHARKIV),
        ]),
        ("en", "We moved south, near Kherson.", [("LOC", "Kherson", "Kherson", KHERSON)]),
        ("en", "Hi Sarah, it's me, Tom.", []),
        # Whisper's label is wrong, the letters are Russian: natasha reads it.
        ("en", "Нас перебросили под Николаев.", [("LOC", "Николаев", "Николаев", MYKOLAIV)]),
    ],
)  # fmt: skip
def test_extract_entities(language: str, text: str, expected: Expected) -> None:
    mentions = extract_entities(text, language)
    assert [(m.type, m.text, m.normal, m.attrs) for m in mentions] == expected
    for mention in mentions:
        assert text[mention.start_char : mention.end_char] == mention.text
        assert (mention.start, mention.channel) == (0.0, 0)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ru", "Командир сбежал. Нам ничего не говорят."),
        ("ru", "Да ничего, живём. Кушаем нормально, спим в окопе."),
        ("ru", "Мама, не переживай. Все будет хорошо, Бог даст."),
        ("ru", "Ну Господи, сынок. Береги себя."),
        ("ru", "Командир роты сказал: Победа будет за нами."),
        ("uk", "Мамо, ми живі. Все добре."),
        ("uk", "Добре, добре. Все нормально, Бог дасть."),
        ("uk", "Доброго ранку. Як ви там?"),
        ("uk", "Слава героям!"),
        ("uk", "Надія є. Віра теж."),
        ("ru", ""),
        ("uk", "   "),
    ],
)
def test_ordinary_sentences_name_nothing(language: str, text: str) -> None:
    assert extract_entities(text, language) == []
