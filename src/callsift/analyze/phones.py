"""Phone numbers said in a call: "запиши, восемь девятьсот шестнадцать …".

Whisper writes a dictated number as digit groups ("8 916 555 23 41",
"+7 903 …", "067-123-45-67") or, less often, as words; both are read here as
runs of numbers that follow each other with nothing but blanks, hyphens or
brackets between them. ``phonenumbers.PhoneNumberMatcher`` is not used: it finds
only numbers valid in one region at a time, reads no words, and cannot report
the invalid numbers an analyst must still see. Instead every window of a run is
tried, longest first, with ``normalize_number`` (the same reading as metadata),
so "8 916 555 23 41 12 человек" still yields the number and leaves the twelve.

A casualty figure, a date or a unit number is short; a phone number has at
least ``MIN_DIGITS`` digits. A run that long that is no valid number is kept
(``valid`` false, ``normal`` its digits) only when the speaker marks it as a
number: a ``+``/"плюс" before it, or a word like "номер", "телефон", "набери" in
the segment; otherwise "200 300 400 500" would be taken for a phone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from callsift.analyze.numbers import parse_numbers
from callsift.graph.numbers import DEFAULT_REGIONS, PhoneNumber, normalize_number
from callsift.records import Mention

__all__ = ["MAX_DIGITS", "MIN_DIGITS", "find_phones"]

MIN_DIGITS = 10
"""National RU and UA numbers have ten digits (``916 555 23 41``, ``067 123 45 67``)."""
MAX_DIGITS = 15
"""The longest number E.164 allows."""

_DIGIT_GROUP = re.compile(r"\d+")
_GAP = re.compile(r"[\s\-\u2010-\u2014()]{0,3}")
_PLUS = re.compile(r"(?:\+|\bплюс\s+)\s*$", re.IGNORECASE)
_CONTEXT = re.compile(
    r"(?<!\w)(?:номер|телефон|мобил|мобіл|симк|позвон|перезвон|звони|набер|набир|набра|"
    r"дзвон|подзвон|запиш|sim)",
    re.IGNORECASE,
)

# One part of a spoken number: (start_char, end_char, digits).
_Part = tuple[int, int, str]


def find_phones(
    text: str, language: str | None, regions: Sequence[str] = DEFAULT_REGIONS
) -> list[Mention]:
    """Every phone number said in ``text``, as ``phone`` mentions in text order.

    ``normal`` is the E.164 form, or the digits as said when the number is not
    valid; ``attrs`` holds ``valid``, ``country``, ``carrier`` and ``line_type``.
    ``regions`` are the countries a national number may belong to.
    """
    marked = _CONTEXT.search(text) is not None
    found: list[Mention] = []
    for run in _runs(_parts(text, language), text):
        found += _read_run(text, run, regions, marked)
    return found


def _parts(text: str, language: str | None) -> list[_Part]:
    """Digit groups as written, and numbers said as words (as their digits)."""
    parts = [(m.start(), m.end(), m.group()) for m in _DIGIT_GROUP.finditer(text)]
    parts += [
        (n.start, n.end, str(int(n.value)))
        for n in parse_numbers(text, language)
        if not text[n.start].isdigit() and not n.ordinal and n.value.is_integer()
    ]
    return sorted(parts)


def _runs(parts: list[_Part], text: str) -> list[list[_Part]]:
    """Split ``parts`` into runs that stand next to each other in the text."""
    runs: list[list[_Part]] = []
    for part in parts:
        if runs and _GAP.fullmatch(text, runs[-1][-1][1], part[0]):
            runs[-1].append(part)
        else:
            runs.append([part])
    return [run for run in runs if sum(len(digits) for _, _, digits in run) >= MIN_DIGITS]


def _read_run(text: str, run: list[_Part], regions: Sequence[str], marked: bool) -> list[Mention]:
    """The valid numbers in a run, windows longest first, else the whole run if marked."""
    found: list[Mention] = []
    first = 0
    while first < len(run):
        window = _valid_window(text, run, first, regions)
        if window is None:
            first += 1
            continue
        last, start, number = window
        found.append(_mention(text, start, run[last][1], number))
        first = last + 1
    if not found:
        start, plus = _plus_start(text, run[0][0])
        digits = "".join(d for _, _, d in run)
        if (marked or plus) and len(digits) <= MAX_DIGITS:
            raw = ("+" if plus else "") + " ".join(d for _, _, d in run)
            found.append(_mention(text, start, run[-1][1], normalize_number(raw, regions)))
    return found


def _valid_window(
    text: str, run: list[_Part], first: int, regions: Sequence[str]
) -> tuple[int, int, PhoneNumber] | None:
    """``(last part, start_char, number)`` of the longest valid window starting at ``first``."""
    start, plus = _plus_start(text, run[first][0])
    for last in range(len(run) - 1, first - 1, -1):
        groups = [digits for _, _, digits in run[first : last + 1]]
        if not MIN_DIGITS <= sum(map(len, groups)) <= MAX_DIGITS:
            continue
        number = normalize_number(("+" if plus else "") + " ".join(groups), regions)
        if number.valid:
            return last, start, number
    return None


def _plus_start(text: str, start: int) -> tuple[int, bool]:
    """Where the number starts once a ``+`` or "плюс" before it is taken in."""
    match = _PLUS.search(text, 0, start)
    return (match.start(), True) if match else (start, False)


def _mention(text: str, start: int, end: int, number: PhoneNumber) -> Mention:
    digits = "".join(ch for ch in number.raw if ch.isdigit())
    return Mention(
        type="phone",
        text=text[start:end],
        normal=number.e164 or digits,
        start_char=start,
        end_char=end,
        attrs={
            "valid": number.valid,
            "country": number.country,
            "carrier": number.carrier,
            "line_type": number.line_type,
        },
    )
