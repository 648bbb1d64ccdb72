"""Units, equipment, casualty figures, orders and dates in soldiers' speech.

Rules, not a trained tagger: the phrases that matter here are few and
formulaic ("331-й полк", "двенадцать убитых", "нам приказали …"), nothing
labelled in Russian and Ukrainian military slang exists to train on, and a
rule can be read and argued over by the team that cites its output. Words are
compared by every lemma both pymorphy3 dictionaries give (``lemma_forms``), so
Ukrainian and Russian forms, and calls Whisper labelled with the wrong one of
the two, go through the same tables.

Keys in ``normal``:

- ``unit``: ``"<number> <noun>"`` with the noun in Russian nominative singular
  whatever the language or case it was said in ("331-го гвардейского полка",
  "331 полк" → ``331 полк``; "2 батальйон" → ``2 батальон``); abbreviations in
  their usual spelling (``ВДВ``, ``64 ОМСБр``); a numbered military unit as
  ``в/ч 12345``. A unit noun with no number is kept only behind a unit-like
  adjective ("танковая рота" → ``рота``), the adjectives' lemmas going to
  ``attrs["adjectives"]``. Digits before a unit noun are read as its number
  ("2 роты" may also mean two companies; the text is kept). "полка" is a
  regiment only after a number or an adjective that agrees with ``полк``.
- ``equipment``: one canonical name (``HIMARS``, ``БМП``, ``Т-72``) with
  ``attrs["category"]``. "Град", "Ураган", "Смерч" are weather too, so they
  count only in quotes, capitalised inside a sentence, or in the plural.
- ``casualty``: see ``casualties``.
- ``order``: from the order word to the end of its clause; ``normal`` is the
  ordered action, lemmatized. "сказали"/"велели" (ru) and Ukrainian
  "наказали" (also "punished") count only before an infinitive or "чтобы/щоб".
- ``date``: see ``numbers.find_dates``; relative words ("вчера") are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from callsift.analyze.morph import Token, analyzer, lemmatize
from callsift.analyze.numbers import Number, find_dates, lemma_forms, parse_numbers
from callsift.records import Mention

__all__ = ["extract_military"]

_UNIT_NOUNS = {
    "полк": "полк", "батальон": "батальон", "батальйон": "батальон", "бригада": "бригада",
    "рота": "рота", "взвод": "взвод", "дивизия": "дивизия", "дивізія": "дивизия",
    "дивизион": "дивизион", "дивізіон": "дивизион", "армия": "армия", "армія": "армия",
    "корпус": "корпус", "батарея": "батарея", "отряд": "отряд", "загін": "отряд",
}  # fmt: skip
_ABBREVIATIONS = {
    a.lower(): a
    for a in "ВДВ ОМСБр ОМСБ ОМСП ОБрСпН БТГ ДШБ ДШБр ОДШБр ДШП ОМБр ОТБр ОАБр МСП ПДП "
    "ТрО ОМОН СОБР".split()
}
_UNIT_ADJECTIVES = re.compile(
    r"^(гвардейск|гвардійськ|мотострелков|танков|десантн|парашютно|штурмов|механизирован|"
    r"механізован|артиллерийск|артилерійськ|разведывательн|розвідувальн|стрелков|инженерн|"
    r"зенитн|зенітн|ракетн|мотопехотн|мотопіхотн|аэромобильн|аеромобільн|армейск|армійськ|"
    r"бронетанков|отдельн|окрем|сводн|зведен|резервн|горн|гірськ|егерск)"
)
_MILITARY_UNIT = re.compile(
    r"(?i)(?<!\w)(?:в/ч|вч|войсков\w* част\w*|військов\w* частин\w*)\s*(?:№\s*)?"
    r"([А-ЯA-Z]?\d{4,5})(?!\w)"
)
_ENDING = r"(?:а|я|у|ю|ом|ем|ой|ей|ою|ею|єю|е|є|и|ы|і|ї|ов|ев|ів|ам|ям|ами|ями|ах|ях|ові)?"
_EQUIPMENT: list[tuple[str, str, re.Pattern[str]]] = [
    (name, category, re.compile(rf"^(?:{stems.replace(' ', '|')}){_ENDING}$"))
    for name, category, stems in [
        ("HIMARS", "РСЗО", "хаймерс хаймарс химарс хімарс himars"),
        ("Град", "РСЗО", "град"), ("Ураган", "РСЗО", "ураган"), ("Смерч", "РСЗО", "смерч"),
        ("Javelin", "ПТРК", "джавелин джавелін javelin"),
        ("NLAW", "гранатомёт", "nlaw энлав нлав енлав"),
        ("РПГ", "гранатомёт", "рпг"), ("ПТУР", "ПТРК", "птур"),
        ("Stinger", "ПЗРК", "стингер стінгер stinger"),
        ("Bayraktar", "БПЛА", "байрактар bayraktar"), ("Шахед", "БПЛА", "шахед shahed"),
        ("дрон", "БПЛА", "дрон беспилотник безпілотник бпла квадрокоптер коптер мавик мавік"),
        ("БМП", "бронетехника", "бмп бэх бех"), ("БТР", "бронетехника", "бтр бэтээр бтээр"),
        ("БМД", "бронетехника", "бмд"), ("танк", "бронетехника", "танк"),
        ("артиллерия", "артиллерия", "артиллери артилері арт"),
        ("гаубица", "артиллерия", "гаубиц"), ("САУ", "артиллерия", "сау"),
        ("миномёт", "артиллерия", "миномет міномет"),
        ("Искандер", "ракета", "искандер іскандер"),
        ("вертолёт", "авиация", "вертолет вертушк вертушек вертоліт вертольот гелікоптер"),
        ("самолёт", "авиация", "самолет літак"),
    ]
]  # fmt: skip
_WEATHER = {"Град", "Ураган", "Смерч"}
_MODELS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str], str]] = [
    (re.compile(r"^[тt]-?(\d{2})\w*$"), lambda m: f"Т-{m[1]}", "бронетехника"),
    (
        re.compile(r"^(бмп|бмд|бтр)-?(\d{1,2})\w*$"),
        lambda m: f"{m[1].upper()}-{m[2]}",
        "бронетехника",
    ),
    (re.compile(r"^(су|ка|ми)-(\d{1,3})\w*$"), lambda m: f"{m[1].title()}-{m[2]}", "авиация"),
]

_PERCENT = {"процент", "відсоток"}  # and "%" right after the digits

_ORDER_ALWAYS = {"приказать", "приказ", "наказ", "приказано", "наказано"}
_ORDER_IF_INFINITIVE = {"велеть", "звеліти", "наказати", "команда", "сказать", "сказати"}
_ORDER_FILLER = {"быть", "бути", "такой", "такий", "мы", "ми", "они", "вони", "вы", "ви", "что",
                 "чтобы", "що", "щоб", "щоби", "всем", "всім", "нас", "им", "їм"}  # fmt: skip
_CLAUSE_END = re.compile(r"[.!?;…]|,\s*(?:а|но|и|да|или|але|і|й|та|або|ну)\s", re.IGNORECASE)


def extract_military(text: str, language: str | None) -> list[Mention]:
    """Every unit, equipment, casualty, order and date mention in one segment's text."""
    dates = find_dates(text, language)
    # A day of the month is no casualty count ("погибли 24 февраля").
    numbers = [
        n for n in parse_numbers(text, language) if not any(s <= n.start < e for s, e, _ in dates)
    ]
    seg = _Segment(text, lemmatize(text, language), numbers)
    # Imported here: ``casualties`` imports this module's segment and tables.
    from callsift.analyze.casualties import find_casualties

    mentions = [*_units(seg), *_equipment(seg), *find_casualties(seg), *_orders(seg)]
    mentions += [Mention("date", text[s:e], iso, s, e, kind=iso) for s, e, iso in dates]
    return sorted(mentions, key=lambda m: (m.start_char, m.type))


@dataclass
class _Segment:
    """One segment's tokens, their lemma sets and its numbers, for the rules below."""

    text: str
    tokens: list[Token]
    numbers: list[Number]
    forms: list[frozenset[str]] = field(init=False)
    clause: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.forms = [lemma_forms(t.text) | {t.lemma} for t in self.tokens]
        self.clause = [len(re.findall(r"[.!?;…,:]", self.text[: t.start])) for t in self.tokens]
        self._ends = {n.end: n for n in self.numbers}
        self._starts = {n.start: n for n in self.numbers}

    def has(self, i: int, words: Iterable[str]) -> bool:
        return 0 <= i < len(self.tokens) and not self.forms[i].isdisjoint(words)

    def number_before(self, i: int) -> Number | None:
        """The number that ends with token ``i``."""
        return self._ends.get(self.tokens[i].end) if 0 <= i < len(self.tokens) else None

    def number_from(self, i: int) -> Number | None:
        return self._starts.get(self.tokens[i].start) if 0 <= i < len(self.tokens) else None

    def joined(self, i: int, j: int) -> bool:
        """Tokens ``i`` < ``j`` with no punctuation between them."""
        if i < 0 or j >= len(self.tokens):
            return False
        return not re.search(r"[^\w\s'’ʼ%-]", self.text[self.tokens[i].end : self.tokens[j].start])

    def index_at(self, char: int) -> int:
        return next(k for k, t in enumerate(self.tokens) if t.start <= char < t.end)

    def mention(self, type_: str, i: int, j: int, normal: str, **kw: Any) -> Mention:
        start, end = self.tokens[i].start, self.tokens[j].end
        return Mention(type_, self.text[start:end], normal, start, end, **kw)


@cache
def _parses(word: str) -> tuple[tuple[str, str], ...]:
    """(tag, lemma) of every parse of ``word`` in both dictionaries."""
    lowered = word.lower()
    return tuple(
        (str(p.tag), str(p.normal_form))
        for lang in ("ru", "uk")
        for p in analyzer(lang).parse(lowered)
    )


def _is_adjective(token: Token) -> bool:
    return any(tag.startswith(("ADJF", "PRTF")) for tag, _ in _parses(token.text))


def _is_infinitive(token: Token) -> bool:
    # The Ukrainian dictionary leaves "infn" off some infinitives ("виходити").
    word = token.text.lower()
    return any(
        "INFN" in tag or "infn" in tag or (tag.startswith("VERB") and lemma == word)
        for tag, lemma in _parses(word)
    )


def _agrees_with_polk(adjective: Token, noun: Token) -> bool:
    """ "второго полка", "в первом полку" (regiment) but not "на второй полке" (shelf)."""
    second = {"loc2": "loct", "gen2": "gent", "acc2": "accs"}  # "в полку" is loc2
    parse = analyzer("ru").parse
    cases = {
        (second.get(p.tag.case, p.tag.case), p.tag.number)
        for p in parse(noun.text.lower())
        if p.normal_form == "полк"
    }
    return any(
        (p.tag.case, p.tag.number) in cases and (p.tag.gender == "masc" or p.tag.number == "plur")
        for p in parse(adjective.text.lower())
    )


def _units(seg: _Segment) -> list[Mention]:
    found = [
        Mention("unit", m.group(), f"в/ч {m[1].upper()}", m.start(), m.end())
        for m in _MILITARY_UNIT.finditer(seg.text)
    ]
    for i, token in enumerate(seg.tokens):
        abbreviation = _ABBREVIATIONS.get(token.text.lower())
        noun = next((_UNIT_NOUNS[f] for f in sorted(seg.forms[i]) if f in _UNIT_NOUNS), None)
        if noun is None and abbreviation is None:
            continue
        first, number, adjectives = i, None, list[str]()
        while first > 0 and seg.joined(first - 1, first):
            number = seg.number_before(first - 1)
            if number is not None or not _is_adjective(seg.tokens[first - 1]):
                break
            first -= 1
            adjectives.insert(0, seg.tokens[first].lemma)
        # An ordinal, or digits that are no percentage ("30% роты"), numbers the unit.
        if (
            number is not None
            and number.value.is_integer()
            and (
                number.ordinal or seg.text[number.start].isdigit() and _percent(seg, number) is None
            )
        ):
            first = seg.index_at(number.start)
        else:
            number = None
        shelf = "полка" in seg.forms[i] or "полок" in seg.forms[i]
        if shelf and first < i and not seg.text[seg.tokens[i - 1].start].isdigit():
            if not _agrees_with_polk(seg.tokens[i - 1], token):
                continue
        unit_like = any(_UNIT_ADJECTIVES.match(a) for a in adjectives)
        key = abbreviation or noun
        if number is None and abbreviation is None and not unit_like:
            continue
        attrs = {"adjectives": adjectives} if adjectives else {}
        normal = f"{int(number.value)} {key}" if number else str(key)
        found.append(seg.mention("unit", first, i, normal, attrs=attrs))
    return found


@cache
def _equipment_of(word: str) -> tuple[str, str] | None:
    """Canonical name and category of an equipment word, or None."""
    lowered = word.lower().replace("ё", "е")
    for model, name_of, category in _MODELS:
        match = model.match(lowered)
        if match:
            return name_of(match), category
    for name, category, pattern in _EQUIPMENT:
        if pattern.match(lowered):
            return name, category
    return None


def _proper_name(seg: _Segment, i: int) -> bool:
    """ "«Град»", "из Градов", "по нам Град": the launcher, not the weather."""
    token = seg.tokens[i]
    before = seg.text[: token.start].rstrip()
    quoted = before.endswith(("«", '"', "“", "„"))
    mid_sentence = bool(before) and before[-1] not in ".!?…"
    plural = bool(re.search(r"(ы|ов|ами|ах|и|ів)$", token.text.lower()))
    return quoted or plural or (token.text[0].isupper() and mid_sentence)


def _equipment(seg: _Segment) -> list[Mention]:
    found = []
    for i, token in enumerate(seg.tokens):
        hit = _equipment_of(token.text)
        if hit is None or (hit[0] in _WEATHER and not _proper_name(seg, i)):
            continue
        found.append(seg.mention("equipment", i, i, hit[0], attrs={"category": hit[1]}))
    return found


def _percent(seg: _Segment, number: Number) -> int | None:
    """The last token of "30 процентов" or "30%", or None when no percent follows."""
    if number.ordinal:
        return None
    last = seg.index_at(number.end - 1)
    if seg.has(last + 1, _PERCENT) and seg.joined(last, last + 1):
        return last + 1
    return last if seg.text[number.end :].lstrip().startswith("%") else None


def _order_start(seg: _Segment, i: int) -> int | None:
    """First token of the order phrase whose order word is token ``i``, or None."""
    if seg.has(i, _ORDER_ALWAYS):
        return i
    if not seg.has(i, _ORDER_IF_INFINITIVE):
        return None
    infinitive = any(_is_infinitive(seg.tokens[k]) for k in (i + 1, i + 2) if seg.joined(i, k))
    so_that = seg.has(i + 1, {"чтобы", "щоб", "щоби"}) and not seg.text[
        seg.tokens[i].end : seg.tokens[i + 1].start
    ].strip(" ,")
    if not (infinitive or so_that):
        return None
    if not seg.has(i, {"сказать", "сказати"}):
        return i
    told_us = i > 0 and seg.tokens[i - 1].text.lower() in ("нам", "нас") and seg.joined(i - 1, i)
    return i - 1 if told_us else None


def _orders(seg: _Segment) -> list[Mention]:
    found: list[Mention] = []
    for i, token in enumerate(seg.tokens):
        start = _order_start(seg, i)
        if start is None or (found and token.start < found[-1].end_char):
            continue
        stop = _CLAUSE_END.search(seg.text, token.end)
        end = stop.start() if stop else len(seg.text)
        action = [t for t in seg.tokens[i + 1 :] if t.end <= end]
        while action and action[0].lemma in _ORDER_FILLER:
            action.pop(0)
        if action:
            normal = " ".join(t.lemma for t in action)
            found.append(seg.mention("order", start, seg.tokens.index(action[-1]), normal))
    return found
