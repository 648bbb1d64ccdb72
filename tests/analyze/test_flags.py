"""Watchlists: built-in topics, user files, lemma and phrase matching, quiet on small talk."""

from __future__ import annotations

from pathlib import Path

import pytest

from callsift.analyze.flags import WatchlistError, Watchlists, load_watchlists, match_flags
from callsift.analyze.military import extract_military
from callsift.errors import CallsiftError


@pytest.fixture(scope="module")
def builtin() -> Watchlists:
    return load_watchlists()


def hits(text: str, language: str, watchlists: Watchlists) -> list[tuple[str, str, str]]:
    found = match_flags(text, language, watchlists)
    for hit in found:
        assert text[hit.start_char : hit.end_char] == hit.text
    return [(h.topic, h.term, h.text) for h in found]


def test_builtin_topics(builtin: Watchlists) -> None:
    assert set(builtin.topics) == {
        "casualties", "orders", "criticism", "desertion", "looting", "equipment", "location",
    }  # fmt: skip
    assert all(builtin.descriptions[topic] for topic in builtin.topics)
    term = next(t for t in builtin.topics["looting"] if t.text == "стиральная машина")
    assert ("стиральный", "машина") in term.lemmas


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        # Every inflected form hits the lemma.
        ("ru", "У нас двенадцать убитых.", [("casualties", "убитый", "убитых")]),
        ("ru", "Убитые лежат.", [("casualties", "убитый", "Убитые")]),
        ("ru", "Вася убит.", [("casualties", "убитый", "убит")]),
        ("ru", "Груз 200 отправили.", [("casualties", "груз 200", "Груз 200")]),
        ("ru", "У нас 200-е.", [("casualties", "200-е", "200-е")]),
        ("ru", "Трое пропали без вести.",
         [("casualties", "пропасть без вести", "пропали без вести")]),
        # One extra word between the words of a phrase, not two, not across a comma.
        ("ru", "Сгорел наш танк.", [("equipment", "сгорел танк", "Сгорел наш танк")]),
        ("ru", "Сгорел наш новый танк.", []),
        ("ru", "Сгорел, танк уехал.", []),
        ("ru", "Нам приказали стрелять по всем, мирных не жалеть.",
         [("orders", "стрелять по всем", "стрелять по всем")]),
        ("ru", "Стреляли по мирным.", [("orders", "стрелять по мирным", "Стреляли по мирным")]),
        ("ru", "Били по мирным.", [("orders", "по мирным", "по мирным")]),
        ("ru", "Была зачистка, двоих расстреляли.",
         [("orders", "зачистка", "зачистка"), ("orders", "расстрел*", "расстреляли")]),
        ("ru", "Командир сбежал, нас бросили. Командование идиоты.",
         [("criticism", "командир сбежал", "Командир сбежал"),
          ("criticism", "нас бросили", "нас бросили"),
          ("criticism", "командование", "Командование"), ("criticism", "идиоты", "идиоты")]),
        ("ru", "Я написал рапорт, не поеду туда, хочу сбежать домой.",
         [("desertion", "рапорт", "рапорт"), ("desertion", "не поеду", "не поеду"),
          ("desertion", "сбежать домой", "сбежать домой")]),
        ("ru", "Отказники сидят в подвале.", [("desertion", "отказник", "Отказники")]),
        ("ru", "Мародёрство жуткое, взяли из домов стиральную машину, украли телевизор.",
         [("looting", "мародер*", "Мародёрство"), ("looting", "взять из домов", "взяли из домов"),
          ("looting", "стиральная машина", "стиральную машину"), ("looting", "украсть", "украли")]),
        ("ru", "Подбили БМП, потеряли технику.",
         [("equipment", "подбить", "Подбили"),
          ("equipment", "потерять технику", "потеряли технику")]),
        ("ru", "Мы стоим в Буче, наша позиция у леса, координаты скину.",
         [("location", "мы стоим в", "Мы стоим в"), ("location", "наша позиция", "наша позиция"),
          ("location", "координаты", "координаты")]),
        ("uk", "Нас кинули, командир втік.",
         [("criticism", "нас кинули", "Нас кинули"),
          ("criticism", "командир втік", "командир втік")]),
        ("uk", "У нас троє поранених, двохсоті є.",
         [("casualties", "поранений", "поранених"), ("casualties", "двохсотий", "двохсоті")]),
        ("uk", "Згорів танк.", [("equipment", "згорів танк", "Згорів танк")]),
        ("uk", "Ми стоїмо в лісі.", [("location", "ми стоїмо в", "Ми стоїмо в")]),
        ("uk", "Пральну машину взяли.", [("looting", "пральна машина", "Пральну машину")]),
        ("uk", "Пишу рапорт, у СЗЧ піду.",
         [("desertion", "рапорт", "рапорт"), ("desertion", "СЗЧ", "СЗЧ")]),
        # A Russian term in a call Whisper labelled Ukrainian, and the reverse.
        ("uk", "Там убитые лежат.", [("casualties", "убитый", "убитые")]),
        ("ru", "Там загиблі лежать.", [("casualties", "загиблий", "загиблі")]),
    ],
)  # fmt: skip
def test_match_flags(
    builtin: Watchlists, language: str, text: str, expected: list[tuple[str, str, str]]
) -> None:
    assert hits(text, language, builtin) == expected


NEUTRAL = [
    ("ru", "Мама, привет, как дела, мы поели, погода хорошая, люблю тебя."),
    ("ru", "Я тебе позвоню в пять часов, купи два хлеба и молоко."),
    ("ru", "Вчера ходили в магазин с Сашей, там было много людей."),
    ("ru", "Передай бабушке, что я её очень люблю и скоро приеду."),
    ("ru", "У нас тут холодно, ночью минус десять, но кормят нормально."),
    ("ru", "Скинь мне денег на карту, пожалуйста, тысячу рублей."),
    ("ru", "Как там папа? Он уже вышел на работу после больницы?"),
    ("ru", "Мы сегодня баню топили, помылись наконец."),
    ("ru", "Поздравь Катю с днём рождения, ей двадцать пять лет."),
    ("ru", "Книга лежит на второй полке, а вчера шёл град."),
    ("uk", "Привіт, мамо. У нас все добре, погода гарна, ми поїли борщ."),
    ("uk", "Я подзвоню завтра о сьомій, передай привіт татові."),
    ("uk", "Як там бабуся? Скажи їй, що я її дуже люблю."),
    ("uk", "Купи, будь ласка, хліба й молока, я ввечері прийду."),
    ("en", "Hi mom, how are you? We had dinner, the weather is good, love you."),
    ("en", "I will call you tomorrow at seven, say hi to dad."),
]


@pytest.mark.parametrize(("language", "text"), NEUTRAL)
def test_small_talk_raises_nothing(builtin: Watchlists, language: str, text: str) -> None:
    assert match_flags(text, language, builtin) == []
    assert extract_military(text, language) == []


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_user_topic_added_without_code(builtin: Watchlists, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "topics:\n"
        "  filtration:\n"
        "    description: Filtration camps\n"
        '    terms: ["фильтрационный лагерь", "фильтрация", "подвал*"]\n',
    )
    mine = load_watchlists(path)
    assert set(mine.topics) == set(builtin.topics) | {"filtration"}
    assert mine.descriptions["filtration"] == "Filtration camps"
    text = "Их держат в фильтрационных лагерях, потом в подвалах."
    assert hits(text, "ru", mine) == [
        ("filtration", "фильтрационный лагерь", "фильтрационных лагерях"),
        ("filtration", "подвал*", "подвалах"),
    ]
    assert hits("В фильтрационном лагере.", "uk", mine)[0][0] == "filtration"


def test_user_terms_extend_a_builtin_topic(builtin: Watchlists, tmp_path: Path) -> None:
    mine = load_watchlists(write(tmp_path, 'topics:\n  looting:\n    terms: ["ковер"]\n'))
    assert [t.text for t in mine.topics["looting"]] == [
        *(t.text for t in builtin.topics["looting"]),
        "ковер",
    ]
    assert mine.descriptions["looting"] == builtin.descriptions["looting"]
    assert hits("Забрали ковёр и украли телевизор.", "ru", mine) == [
        ("looting", "ковер", "ковёр"),
        ("looting", "украсть", "украли"),
    ]


def test_replace_true_replaces_and_empty_switches_off(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "topics:\n  looting: {replace: true, terms: [ковер]}\n  location: {replace: true}\n",
    )
    mine = load_watchlists(path)
    assert [t.text for t in mine.topics["looting"]] == ["ковер"]
    assert "location" not in mine.topics
    assert hits("Мы стоим в Буче, украли ковёр.", "ru", mine) == [("looting", "ковер", "ковёр")]


def test_empty_user_file_changes_nothing(builtin: Watchlists, tmp_path: Path) -> None:
    assert load_watchlists(write(tmp_path, "")).topics == builtin.topics


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("topics: [unclosed\n", "not valid YAML"),
        ("topics:\n  a: {terms: [x]}\n\tb: {terms: [y]}\n", "(line 3, column 1)"),
        ("- a\n- b\n", "one key, 'topics'"),
        ("topics: {}\nextra: 1\n", "one key, 'topics'"),
        ("topics: [a, b]\n", "'topics' must map"),
        ("topics:\n  x: [a, b]\n", "topic 'x'"),
        ("topics:\n  x: {term: [a]}\n", "unknown key(s) ['term']"),
        ("topics:\n  x: {terms: word}\n", "'terms' must be a list"),
        ("topics:\n  x: {terms: [1, 2]}\n", "'terms' must be a list"),
        ("topics:\n  x: {terms: ['*']}\n", "has no words"),
        ("topics:\n  x: {terms: [a], replace: yes please}\n", "'replace' must be true or false"),
        ("topics:\n  x: {terms: [a], description: [1]}\n", "'description' must be text"),
    ],
)
def test_bad_file_names_file_and_problem(tmp_path: Path, text: str, problem: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(WatchlistError) as caught:
        load_watchlists(path)
    assert isinstance(caught.value, CallsiftError)
    assert caught.value.path == str(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert problem in caught.value.reason


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(WatchlistError, match="cannot read"):
        load_watchlists(tmp_path / "nope.yaml")
