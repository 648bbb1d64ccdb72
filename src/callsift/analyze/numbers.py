"""Numbers and dates in speech, written as digits or as Russian and Ukrainian words.

Whisper writes a count sometimes as digits ("12 убитых", "1 200") and
sometimes as words in any case ("двенадцати", "двухсот тридцати пяти"), so
casualty figures, unit numbers and dates all start here. Words are looked up by
*lemma* in one table that holds both languages (a Ukrainian call that Whisper
labels Russian still reads), and every pymorphy3 parse of a word is tried, not
only the first: the first parse of Ukrainian "сорок" is a magpie, of "троє" the
city of Troy. Compounds are read the way they are spoken, largest part first
("тысяча двести", "полторы тысячи", "двадцать пятого"); two numbers in a row
that cannot form one ("пять шесть" for five or six) stay two.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from callsift.analyze.morph import analyzer, lemmatize

__all__ = ["Number", "find_dates", "find_numbers", "lemma_forms", "parse_numbers"]


def _table(words: str, values: Sequence[float]) -> dict[str, float]:
    return dict(zip(words.split(), values, strict=True))


_UNITS = list(range(0, 10))
_TEENS = list(range(10, 20))
_TENS = list(range(20, 100, 10))
_HUNDREDS = list(range(100, 1000, 100))

# lemma -> value; ru then uk in each group.
_CARDINAL: dict[str, float] = {
    **_table("ноль один два три четыре пять шесть семь восемь девять", _UNITS),
    **_table("нуль один два три чотири п'ять шість сім вісім дев'ять", _UNITS),
    **_table(
        "десять одиннадцать двенадцать тринадцать четырнадцать пятнадцать шестнадцать "
        "семнадцать восемнадцать девятнадцать",
        _TEENS,
    ),
    **_table(
        "десять одинадцять дванадцять тринадцять чотирнадцять п'ятнадцять шістнадцять "
        "сімнадцять вісімнадцять дев'ятнадцять",
        _TEENS,
    ),
    **_table("двадцать тридцать сорок пятьдесят шестьдесят семьдесят восемьдесят девяносто", _TENS),
    **_table("двадцять тридцять сорок п'ятдесят шістдесят сімдесят вісімдесят дев'яносто", _TENS),
    **_table("сто двести триста четыреста пятьсот шестьсот семьсот восемьсот девятьсот", _HUNDREDS),
    **_table("сто двісті триста чотириста п'ятсот шістсот сімсот вісімсот дев'ятсот", _HUNDREDS),
    "полтораста": 150,
}
# Collective numerals ("трое раненых") and "both" stand alone.
_COLLECTIVE: dict[str, float] = {
    **_table(
        "двое трое четверо пятеро шестеро семеро восьмеро девятеро десятеро", _UNITS[2:] + [10]
    ),
    **_table(
        "двоє троє четверо п'ятеро шестеро семеро восьмеро дев'ятеро десятеро", _UNITS[2:] + [10]
    ),
    "оба": 2,
    "обидва": 2,
}
# Nouns that multiply what comes before them ("две сотни", "три тысячи").
_MULTIPLIER: dict[str, float] = {
    "тысяча": 1000,
    "тисяча": 1000,
    "миллион": 1_000_000,
    "мільйон": 1_000_000,
    "сотня": 100,
    "десяток": 10,
}
_HALF_MORE = {"полтора": 1.5, "півтора": 1.5, "півтори": 1.5}
_PREFIXED = {"полсотни": 50.0, "полтысяча": 500.0, "півсотні": 50.0, "півтисячі": 500.0}
_ORDINAL: dict[str, float] = {
    **_table(
        "первый второй третий четвертый пятый шестой седьмой восьмой девятый десятый "
        "одиннадцатый двенадцатый тринадцатый четырнадцатый пятнадцатый шестнадцатый "
        "семнадцатый восемнадцатый девятнадцатый",
        list(range(1, 20)),
    ),
    **_table(
        "перший другий третій четвертий п'ятий шостий сьомий восьмий дев'ятий десятий "
        "одинадцятий дванадцятий тринадцятий чотирнадцятий п'ятнадцятий шістнадцятий "
        "сімнадцятий вісімнадцятий дев'ятнадцятий",
        list(range(1, 20)),
    ),
    **_table(
        "двадцатый тридцатый сороковой пятидесятый шестидесятый семидесятый восьмидесятый "
        "девяностый",
        _TENS,
    ),
    **_table(
        "двадцятий тридцятий сороковий п'ятдесятий шістдесятий сімдесятий вісімдесятий дев'яностий",
        _TENS,
    ),
    **_table(
        "сотый двухсотый трехсотый четырехсотый пятисотый шестисотый семисотый "
        "восьмисотый девятисотый",
        _HUNDREDS,
    ),
    **_table(
        "сотий двохсотий трьохсотий чотирьохсотий п'ятисотий шестисотий семисотий "
        "восьмисотий дев'ятисотий",
        _HUNDREDS,
    ),
    "тысячный": 1000,
    "тисячний": 1000,
}

# 1 200 / 12 000 000 (groups of three), 600, 12,5; an ordinal ending after a
# hyphen ("331-й", "14-го", "200-е") is part of the number.
_DIGITS = re.compile(
    r"(?<![\w.,])(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\w-])|\d+(?:[.,]\d+)?(?![.,]\d))"
    r"(?:-(?P<suffix>[^\W\d_]{1,3}))?(?!\w)"
)


@dataclass(frozen=True)
class Number:
    """A number in the text: where it stands, its value, whether it is an ordinal."""

    start: int
    end: int
    value: float
    ordinal: bool = False


@cache
def lemma_forms(word: str) -> frozenset[str]:
    """The word lowercased plus the lemma of every parse in both dictionaries.

    Matching against all parses, not only the first, is what lets "танків"
    (first parse: a dance) and "полка" (first parse: a shelf) be found; both
    dictionaries, because Whisper labels many Ukrainian calls Russian and back.
    Lemmas fold ``ё`` to ``е`` as in ``morph``.
    """
    lowered = word.lower().replace("ё", "е").replace("’", "'").replace("ʼ", "'")
    if not any(ch.isalpha() for ch in lowered) or lowered.isascii():
        return frozenset({lowered})
    parses = [*analyzer("ru").parse(lowered), *analyzer("uk").parse(lowered)]
    return frozenset({lowered} | {str(p.normal_form).replace("ё", "е") for p in parses})


@cache
def _lookup(word: str) -> tuple[str, float] | None:
    """The number class and value of a word, or None."""
    forms = lemma_forms(word)
    for kind, table in (
        ("card", _CARDINAL),
        ("coll", _COLLECTIVE),
        ("mult", _MULTIPLIER),
        ("half", _HALF_MORE),
        ("pref", _PREFIXED),
        ("ord", _ORDINAL),
    ):
        for form in sorted(forms):
            if form in table:
                return kind, table[form]
    return None


def _rank(value: float) -> int:
    return 3 if value >= 100 else 2 if value >= 20 else 1


class _Builder:
    """Accumulates one spoken compound number, largest part first."""

    def __init__(self, start: int) -> None:
        self.start = self.end = start
        self.total = 0.0
        self.group = 0.0
        self.rank = 4  # smallest rank used in the current group (4: none yet)
        self.mult = float("inf")  # last multiplier applied
        self.ordinal = False
        self.closed = False  # nothing may follow (collective, ordinal, "полтораста")

    def add(self, kind: str, value: float) -> bool:
        """Take the next word if it continues this number."""
        if self.closed or kind == "digit-ord":
            return False
        if kind == "mult":
            if value >= self.mult or self.group >= value:
                return False
            self.total += (self.group or 1) * value
            self.group, self.rank, self.mult = 0.0, 4, value
            return True
        if kind in ("half", "digits"):
            if self.rank != 4:
                return False
            self.group, self.rank = value, 0  # only a multiplier may follow
            self.closed = kind == "digits" and value >= 1000
            return True
        rank = _rank(value)
        if rank >= self.rank or (rank == 1 and self.rank == 2 and value >= 10):
            return False
        if kind in ("coll", "pref") and self.rank != 4:
            return False
        if kind == "ord" and value >= 1000:
            self.total += (self.group or 1) * value
            self.group = 0.0
        else:
            self.group += value
        self.rank = rank
        self.ordinal = kind == "ord"
        self.closed = kind in ("coll", "pref", "ord") or value == 150
        return True

    @property
    def value(self) -> float:
        return self.total + self.group


def parse_numbers(text: str, language: str | None) -> list[Number]:
    """Every number in ``text``, digits and words, in text order."""
    items: list[tuple[int, int, str, float]] = []
    for match in _DIGITS.finditer(text):
        value = float(re.sub(r"\s", "", match.group(0).split("-")[0]).replace(",", "."))
        kind = "digit-ord" if match["suffix"] else "digits"  # "331-й", "200-е"
        items.append((match.start(), match.end(), kind, value))
    spans = [(start, end) for start, end, _, _ in items]
    for token in lemmatize(text, language):
        if any(start <= token.start < end for start, end in spans):
            continue
        looked = _lookup(token.text)
        items.append(
            (token.start, token.end, *looked) if looked else (token.start, token.end, "", 0)
        )
    items.sort()

    found: list[Number] = []
    builder: _Builder | None = None
    for start, end, kind, value in items:
        if builder is not None:
            if kind and not text[builder.end : start].strip() and builder.add(kind, value):
                builder.end = end
                continue
            found.append(Number(builder.start, builder.end, builder.value, builder.ordinal))
            builder = None
        if kind == "digit-ord":
            found.append(Number(start, end, value, ordinal=True))
        elif kind:
            builder = _Builder(start)
            builder.add(kind, value)
            builder.end = end
    if builder is not None:
        found.append(Number(builder.start, builder.end, builder.value, builder.ordinal))
    return found


def find_numbers(
    text: str, language: str | None, *, ordinals: bool = False
) -> list[tuple[int, int, float]]:
    """``(start_char, end_char, value)`` of each number in ``text``.

    Ordinal words ("второй", "четырнадцатого") are left out unless
    ``ordinals`` is true; digits are always kept, with their ending ("331-й").
    """
    return [
        (n.start, n.end, n.value)
        for n in parse_numbers(text, language)
        if ordinals or not n.ordinal or text[n.start].isdigit()
    ]


_MONTHS: dict[str, int] = {
    **{m: k for k, m in enumerate("январь февраль март апрель май июнь июль август сентябрь "
                                  "октябрь ноябрь декабрь".split(), 1)},
    **{m: k for k, m in enumerate("січень лютий березень квітень травень червень липень серпень "
                                  "вересень жовтень листопад грудень".split(), 1)},
}  # fmt: skip
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_YEAR_WORD = {"год", "рік", "г", "р"}
_DOTTED = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d|\.\d)")


def find_dates(text: str, language: str | None) -> list[tuple[int, int, str]]:
    """``(start_char, end_char, iso)`` of each day-and-month said in ``text``.

    "четырнадцатого марта", "14 марта", "14-го березня" → ``--03-14``; with a
    year ("24 февраля 2022 года", "двадцать второго года") → ``2022-02-24``.
    A month with no day, and relative words ("вчера"), are not dates here.
    """
    found = [
        (m.start(), m.end(), f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}")
        for m in _DOTTED.finditer(text)
        if 1 <= int(m[2]) <= 12 and 1 <= int(m[1]) <= _DAYS[int(m[2]) - 1]
    ]
    tokens = lemmatize(text, language)
    numbers = {n.start: n for n in parse_numbers(text, language)}
    after = {n.end: n for n in numbers.values()}
    for i, token in enumerate(tokens):
        month = next((_MONTHS[f] for f in lemma_forms(token.text) if f in _MONTHS), None)
        day = after.get(_previous_end(text, token.start))
        if month is None or day is None or not day.value.is_integer():
            continue
        if not 1 <= day.value <= _DAYS[month - 1] or any(s <= day.start < e for s, e, _ in found):
            continue
        end, iso = token.end, f"--{month:02d}-{int(day.value):02d}"
        year = numbers.get(_next_start(text, token.end))
        if year is not None and year.value.is_integer():
            word = next((t for t in tokens[i + 1 :] if t.start >= year.end), None)
            said = (
                word is not None
                and not text[year.end : word.start].strip()
                and bool(lemma_forms(word.text) & _YEAR_WORD)
            )
            value = int(year.value) + (2000 if said and year.value < 100 else 0)
            if 1900 <= value <= 2100:
                end, iso = (word.end if said and word else year.end), f"{value}{iso[1:]}"
        found.append((day.start, end, iso))
    return sorted(found)


def _previous_end(text: str, start: int) -> int:
    return len(text[:start].rstrip())


def _next_start(text: str, end: int) -> int:
    return end + len(text[end:]) - len(text[end:].lstrip())
