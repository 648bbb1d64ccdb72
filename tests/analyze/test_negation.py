"""A negated casualty word is neither flagged nor counted; an affirmed one still is (ru, uk)."""

from __future__ import annotations

import pytest

from callsift.analyze.flags import load_watchlists, match_flags
from callsift.analyze.military import extract_military

WATCHLISTS = load_watchlists()


def _flagged(text: str, language: str) -> list[str]:
    return [h.text for h in match_flags(text, language, WATCHLISTS) if h.topic == "casualties"]


def _figures(text: str, language: str) -> list[tuple[str, str | None, float | None]]:
    found = extract_military(text, language)
    return [(m.text, m.kind, m.value) for m in found if m.type == "casualty"]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ru", "Ты не ранен?"),
        ("ru", "Никого не убили, слава богу."),
        ("ru", "Не было раненых, все целы."),
        ("ru", "Сегодня никто не погиб."),
        ("uk", "Ти не поранений?"),
        ("uk", "Не було поранених."),
        ("uk", "Ніхто не загинув, всі живі."),
        ("uk", "Нікого не вбили."),
    ],
)
def test_a_negated_casualty_word_raises_nothing(language: str, text: str) -> None:
    assert _flagged(text, language) == []
    assert _figures(text, language) == []


@pytest.mark.parametrize(
    ("language", "text", "flag", "figure"),
    [
        ("ru", "У нас двое раненых.", "раненых", ("двое раненых", "wounded", 2.0)),
        ("ru", "Серёжа ранен, лежит в госпитале.", "ранен", ("ранен", "wounded", None)),
        ("ru", "Он не ранен, а убит.", "убит", ("убит", "killed", None)),
        ("ru", "Не знаю, убит ли он.", "убит", ("убит", "killed", None)),
        ("ru", "Не меньше двенадцати убитых.", "убитых", ("двенадцати убитых", "killed", 12.0)),
        ("uk", "Вчора загинули троє хлопців.", "загинули",
         ("загинули троє хлопців", "killed", 3.0)),
        ("uk", "Його поранило, він у шпиталі.", "поранило", ("поранило", "wounded", None)),
    ],
)  # fmt: skip
def test_an_affirmed_casualty_word_still_counts(
    language: str, text: str, flag: str, figure: tuple[str, str, float | None]
) -> None:
    assert _flagged(text, language) == [flag]
    assert _figures(text, language) == [figure]


def test_absence_is_no_flag_but_a_zero_figure() -> None:
    """ "Убитых нет" denies deaths (no flag) and says how many: none (a figure of 0)."""
    assert _flagged("Убитых нет.", "ru") == []
    assert _figures("Убитых нет.", "ru") == [("Убитых нет", "killed", 0.0)]
    assert _flagged("Поранених немає.", "uk") == []
    assert _flagged("Без потерь.", "ru") == []
