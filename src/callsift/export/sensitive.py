"""What to mask in a text: phone numbers however written or said, names however inflected.

Publication errs on the side of masking too much: readers of published
intercepts have recovered soldiers' numbers from what was left in the files.
A phone number is found three ways:

* ``phonenumbers.PhoneNumberMatcher`` (valid numbers, the case's regions) finds
  numbers in every national habit;
* a digit rule takes any run of 7 or more digits joined only by spaces, dashes,
  dots, slashes or brackets ("8 916 555 23 41", "+7(903)5551708"), so a number
  the library does not know still goes. Dates and times ("2022-03-14",
  "14.03.2022", "18:22:05+03:00"), long hexadecimal hashes, and quantities
  grouped in threes ("1 200 000 рублей") unless they form a valid phone number,
  are spared, so casualty figures and timestamps survive;
* spoken numbers: a run of number words (digits may join in) in Russian,
  Ukrainian (``callsift.analyze.numbers.parse_numbers``) or English that adds up
  to 7 or more digits ("восемь девятьсот шестнадцать пятьсот…").

A name is found in every inflected form: each Cyrillic word is compared by its
lemmas (``callsift.analyze.numbers.lemma_forms``: both dictionaries, every
parse) with the name's own readings as a first name, surname or patronymic, so
"Серёжа" also finds "Серёжи" and "Серёже". Latin words (the English
translation) are compared with transliterations of the name, allowing about
one letter in five to differ ("Seryozha", "Alyosha" for "Лёша", "Nikola" for
"Микола").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import TypeVar

import phonenumbers
from rapidfuzz import fuzz

from callsift.analyze.morph import analyzer, tokenize
from callsift.analyze.numbers import lemma_forms, parse_numbers
from callsift.graph.numbers import DEFAULT_REGIONS, normalize_number

__all__ = ["MIN_DIGITS", "merge_spans", "name_spans", "number_spans"]

MIN_DIGITS = 7
"""Shortest digit run masked: the subscriber part of a Russian or Ukrainian number."""

_NAME_GRAMMEMES = frozenset({"Name", "Surn", "Patr"})
_SEPARATOR = r"[ \t\u00a0\u202f\-\u2010-\u2015.()/]"
_DIGIT_RUN = re.compile(rf"(?:\+{_SEPARATOR}*)?\d(?:{_SEPARATOR}{{0,3}}\d){{{MIN_DIGITS - 1},}}")
_SPARED = re.compile(
    r"(?<![\d.])(?:19|20)\d\d-\d\d-\d\d(?!\d)"  # ISO dates, even impossible ones
    r"|(?<![\d.])\d{1,2}[./]\d{1,2}[./](?:19|20)\d\d(?![\d.])"  # 14.03.2022
    r"|(?<!\d)\d{1,2}:\d\d(?::\d\d(?:\.\d+)?)?(?:[+-]\d\d:\d\d)?(?!\d)"  # 18:22:05+03:00
    r"|(?<![0-9a-fA-F])[0-9a-fA-F]{32,}(?![0-9a-fA-F])"  # SHA-256 and other hashes
    # A quantity in groups of three ("1 200 000 рублей"), with no digit before or after.
    r"|(?P<grouped>(?<![\d+(\-])(?<![\d+(\-] )\d{1,3}(?:[ \u00a0\u202f]\d{3})+"
    r"(?![ \u00a0\u202f\-.()/]*\d))"
)
_GAP = re.compile(r"[\s,.;\-\u2010-\u2015()+/]*")
_EN_UNITS = "zero oh one two three four five six seven eight nine".split()
_EN_DIGITS: dict[str, int] = {
    **dict.fromkeys(_EN_UNITS, 1),
    **dict.fromkeys(
        "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split(), 2
    ),
    **dict.fromkeys("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2),
    "hundred": 2,
    "double": 1,
    "triple": 2,
}
_CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ"
_LATIN = "a b v g d e yo zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya i yi ye g"
_RU_LATIN = dict(zip(_CYRILLIC, _LATIN.split(), strict=True))
_UK_LATIN = {**_RU_LATIN, "г": "h", "и": "y", "є": "ie"}


Position = TypeVar("Position", int, float)


def merge_spans(spans: Iterable[tuple[Position, Position]]) -> list[tuple[Position, Position]]:
    """Sorted spans (of characters or of seconds) with overlapping and touching ones joined."""
    merged: list[tuple[Position, Position]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def number_spans(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that hold a phone number, possibly overlapping."""
    # What is spared becomes letters of the same length, so offsets still hold.
    plain = _SPARED.sub(_spare, text)
    found = [(m.start(), m.end()) for m in _DIGIT_RUN.finditer(plain)]
    for region in DEFAULT_REGIONS:
        matcher = phonenumbers.PhoneNumberMatcher(
            plain, region, leniency=phonenumbers.Leniency.VALID
        )
        found += [(match.start, match.end) for match in matcher]
    return found + _spoken_spans(plain)


def _spare(match: re.Match[str]) -> str:
    written = match.group()
    if match.lastgroup == "grouped" and normalize_number(written).valid:
        return written  # "79 161 112 233" is a phone number after all
    return "x" * len(written)


def _spoken_spans(text: str) -> list[tuple[int, int]]:
    """Runs of number words (digits may join in), joined only by punctuation, of 7+ digits.

    A run of digits alone is the digit rule's to judge. Nobody says a phone
    number in thousands or millions, so "два миллиона" is a quantity and breaks
    a run.
    """
    items = [
        (n.start, n.end, _digit_count(text[n.start : n.end], n.value))
        for n in parse_numbers(text, None)
        if n.value < 1000 or any(ch.isdigit() for ch in text[n.start : n.end])
    ]
    previous = ""
    for word, start, end in tokenize(text):
        key = word.lower()
        if key in _EN_DIGITS and not any(s <= start < e for s, e, _ in items):
            follows_tens = previous in _EN_DIGITS and _EN_DIGITS[previous] == 2 and key in _EN_UNITS
            items.append((start, end, 0 if follows_tens else _EN_DIGITS[key]))
        previous = key
    runs: list[list[tuple[int, int, int]]] = []
    for item in sorted(items):
        if runs and _GAP.fullmatch(text, runs[-1][-1][1], item[0]):
            runs[-1].append(item)
        else:
            runs.append([item])
    return [
        (run[0][0], run[-1][1])
        for run in runs
        if sum(count for _, _, count in run) >= MIN_DIGITS
        and not all(text[start].isdigit() for start, _, _ in run)
    ]


def _digit_count(written: str, value: float) -> int:
    digits = sum(ch.isdigit() for ch in written)
    return digits or len(str(int(value)))


def name_spans(text: str, names: tuple[str, ...]) -> list[tuple[int, int]]:
    """Spans of the words of ``text`` that are one of ``names`` (a hyphenated part counts)."""
    keys, latin = _name_keys(names)
    found: list[tuple[int, int]] = []
    for word, start, end in tokenize(text):
        parts = [word, *re.split(r"[-\u2010-\u2015]", word)] if "-" in word else [word]
        if any(_is_name(part, keys, latin) for part in parts):
            found.append((start, end))
    return found


def _is_name(word: str, keys: frozenset[str], latin: tuple[str, ...]) -> bool:
    """Cyrillic words match by lemma; Latin words by spelling, within about one letter in five."""
    if not any(ch.isalpha() for ch in word):
        return False
    if not word.isascii():
        return bool(lemma_forms(word) & keys)
    candidate = re.sub(r"['’]s$", "", word.lower())
    return len(candidate) >= 3 and any(fuzz.ratio(candidate, variant) >= 80 for variant in latin)


@cache
def _name_keys(names: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """Lemmas of the Cyrillic names, and Latin spellings of every name."""
    keys: set[str] = set()
    latin: set[str] = set()
    for name in names:
        for word, _, _ in tokenize(name):
            lowered = word.lower()
            if lowered.isascii():
                latin.add(lowered)
                continue
            forms = {lowered.replace("ё", "е")} | _name_lemmas(lowered)
            keys |= forms
            latin |= _transliterations(lowered)
            for form in forms:
                latin |= _transliterations(form)
    return frozenset(keys), tuple(sorted(latin))


def _name_lemmas(word: str) -> set[str]:
    """Dictionary forms of the readings of ``word`` as a first name, surname or patronymic.

    Nominative readings are preferred: "Петров" is the surname, not the
    genitive plural of "Пётр".
    """
    parses = [
        p
        for language in ("ru", "uk")
        for p in analyzer(language).parse(word)
        if _NAME_GRAMMEMES & set(p.tag.grammemes)
    ]
    nominative = [p for p in parses if "nomn" in p.tag.grammemes]
    return {str(p.normal_form).replace("ё", "е") for p in nominative or parses}


@cache
def _transliterations(word: str) -> frozenset[str]:
    """Latin spellings of a Cyrillic word, Russian and Ukrainian style."""
    return frozenset(
        "".join(table.get(ch, ch) for ch in word).replace("-", "")
        for table in (_RU_LATIN, _UK_LATIN)
    )
