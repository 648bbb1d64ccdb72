"""Checks on each segment's machine English, so a reader sees where it may mislead.

Whisper base translates telephone Russian and Ukrainian poorly: it invents
spellings of towns ("Buccia" for Буча, "Khirsanya" for Херсон), drops or
changes numbers, and sometimes loops one phrase. A journalist reading only the
English must not take those for what was said, so every machine English is
checked against the original words of its segment:

- ``name``: a place linked to the gazetteer in the original must appear under
  the gazetteer's English name. An invented spelling close to that name or to
  the original's transliteration is replaced by it (and the note says what the
  model wrote); if no such word can be found the segment is doubtful.
- ``number``: every number in the original (a count, a unit's number, a day,
  an hour) must appear in the English, as digits or as words.
- ``length``: English far shorter or longer than the original lost or added
  content (its words may sit in a neighbour, or be invented).
- ``confidence``: the model's own average log-probability of its English.
- ``loop``: the translation looped and the loop was dropped (see ``collapse_loops``).

A note that was ``fixed`` is information; any other note makes the segment's
English doubtful. English a reviewer wrote is not checked: a person settled it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import Indel

from callsift.analyze.numbers import find_numbers
from callsift.records import Mention

__all__ = [
    "LENGTH_RATIO",
    "LOW_LOGPROB",
    "TranslationCheck",
    "caption",
    "check_translation",
    "collapse_loops",
    "loop_spans",
    "source_numbers",
    "english_numbers",
    "transliterate",
]

# English characters per original character: Russian→English runs near 1.0 on
# the demo corpus; outside these bounds content went missing or was invented.
LENGTH_RATIO = (0.45, 2.5)
LENGTH_MIN_CHARS = 20
# Below this average log-probability the model itself was unsure of its English
# (the threshold the hallucination filter uses for the transcript).
LOW_LOGPROB = -1.0
# How close an invented spelling must be to the name to be taken for it.
NAME_SIMILARITY = 0.6

_LATIN = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ'",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch"
        " _ y _ e yu ya i yi ye g _".split(),
        strict=True,
    )
)


def transliterate(text: str) -> str:
    """A plain Latin spelling of Cyrillic, to compare an invented name against."""
    return "".join(_LATIN.get(c, c) for c in text.lower()).replace("_", "")


_SMALL = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    " fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_ORDINAL_SMALL = (
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth"
    " thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth"
).split()
_WORDS: dict[str, float] = {
    **{w: float(i) for i, w in enumerate(_SMALL)},
    **{w: float(i) for i, w in enumerate(_ORDINAL_SMALL)},
    **{w: float(20 + 10 * i) for i, w in enumerate(_TENS)},
    **{w[:-1] + "ieth": float(20 + 10 * i) for i, w in enumerate(_TENS)},
    "dozen": 12.0,
}
_SCALES = {"hundred": 100.0, "hundredth": 100.0, "thousand": 1000.0, "thousandth": 1000.0}
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[a-z]+", re.IGNORECASE)


def english_numbers(text: str) -> set[float]:
    """Every number written in English ``text``: digits, words, ordinals, compounds."""
    found: set[float] = set()
    total = current = None
    for token in _TOKEN.findall(text.lower().replace("-", " ")):
        if token[0].isdigit():
            found.add(float(token.replace(",", "")))
            total = current = None
            continue
        if token in _WORDS:
            current = (current or 0.0) + _WORDS[token]
            found.add(current + (total or 0.0))
        elif token in _SCALES and (current is not None or total is not None):
            current = (current or 1.0) * _SCALES[token]
            if token.startswith("thousand"):
                total, current = (total or 0.0) + current, None
            found.add((total or 0.0) + (current or 0.0))
        elif token != "and":
            total = current = None
    return found


# A phrase of up to eight words said four times or more in a row: people repeat
# "no, no, no" three times, Whisper's loops run to dozens.
_LOOP = re.compile(r"(?i)(?<!\S)((?:\S+\s*){1,8}?)(?:\s*\1){3,}")


def loop_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, what)`` of each phrase repeated four times or more in a row.

    ``what`` says which phrase and how often ("I'm sorry, ×58").
    """
    spans = []
    for match in _LOOP.finditer(text + " "):
        unit = match.group(1)
        end = min(len(text), match.end())
        rest = text[end:].lstrip()
        if rest.lower().startswith(unit.strip().rstrip(",.;:!?").lower()):  # a last, cut repeat
            end = len(text) - len(rest) + len(unit.strip().rstrip(",.;:!?"))
        count = text[match.start() : end].lower().count(unit.strip().rstrip(",.;:!?").lower())
        spans.append((match.start(), end, f"{unit.strip()} ×{count}"))
    return spans


def source_numbers(text: str, language: str | None) -> list[tuple[int, int, float]]:
    """The numbers of the original that its English must hold.

    Ordinals count ("второй батальон" is the second); the word "один" does not:
    it is as often "a", "alone" or "the same" as a count.
    """
    return [
        (start, end, value)
        for start, end, value in find_numbers(text, language, ordinals=True)
        if value != 1 or text[start].isdigit()
    ]


def collapse_loops(text: str) -> tuple[str, str | None]:
    """``text`` without its loops, and what was dropped (``None``: nothing looped).

    The whole run goes, the first time too: a loop is the model's, not the caller's.
    """
    spans = loop_spans(text)
    kept, at = [], 0
    for start, end, _ in spans:
        kept.append(text[at:start])
        at = end
    kept.append(text[at:])
    dropped = "; ".join(what for _, _, what in spans)
    return " ".join(" ".join(kept).split()), dropped or None


@dataclass
class TranslationCheck:
    """The English to show and what the checks found in it."""

    english: str
    notes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def doubtful(self) -> bool:
        return any(not note.get("fixed") for note in self.notes)


def _fix_name(english: str, name: str, said: str) -> tuple[str, str | None]:
    """``english`` with the spelling closest to ``name`` replaced by it, and that spelling."""
    size = len(name.split())
    words = list(re.finditer(r"[A-Za-z][\w'’-]*", english))
    targets = (name.lower(), transliterate(said), transliterate(said.rstrip("аеиоуыюяьй")))
    best: tuple[float, int, int] | None = None
    for i in range(len(words) - size + 1):
        first, last = words[i], words[i + size - 1]
        if not first.group(0)[0].isupper() or len(first.group(0)) < 3:
            continue
        candidate = english[first.start() : last.end()].lower()
        score = max(Indel.normalized_similarity(candidate, target) for target in targets)
        if score >= NAME_SIMILARITY and (best is None or score > best[0]):
            best = (score, first.start(), last.end())
    if best is None:
        return english, None
    _, start, end = best
    return english[:start] + name + english[end:], english[start:end]


def check_translation(
    source: str,
    language: str | None,
    english: str,
    mentions: list[Mention],
    logprob: float | None = None,
    dropped: str | None = None,
) -> TranslationCheck:
    """Check one segment's machine ``english`` against its ``source`` text and mentions."""
    result = TranslationCheck(english)
    empty = bool(source.strip()) and not english.strip()
    if empty:
        detail = "no English: the model wrote nothing for these words"
        result.notes.append({"check": "empty", "detail": detail, "fixed": False})
    for mention in mentions:
        name = mention.attrs.get("english") if mention.type == "LOC" else None
        if not name or re.search(rf"(?i)\b{re.escape(name)}\b", result.english):
            continue
        result.english, wrote = _fix_name(result.english, name, mention.normal)
        if wrote is not None:
            detail = f"{mention.text} is {name}; the model wrote {wrote!r}"
            result.notes.append({"check": "name", "detail": detail, "fixed": True})
        else:
            detail = f"{mention.text} ({name}) is not in the English"
            result.notes.append({"check": "name", "detail": detail, "fixed": False})
    said = english_numbers(result.english)
    phones = [(m.start_char, m.end_char) for m in mentions if m.type == "phone"]
    for start, end, value in source_numbers(source, language):
        if any(a <= start < b for a, b in phones):
            continue  # a phone number is checked as a whole by no one: never quoted here
        if value not in said:
            detail = f"{source[start:end]} ({value:g}) is not in the English"
            result.notes.append({"check": "number", "detail": detail, "fixed": False})
    if dropped:
        detail = f"the translation looped; dropped: {dropped}"
        result.notes.append({"check": "loop", "detail": detail, "fixed": False})
    if len(source) >= LENGTH_MIN_CHARS and not empty:
        ratio = len(result.english) / len(source)
        if not LENGTH_RATIO[0] <= ratio <= LENGTH_RATIO[1]:
            detail = f"the English is {ratio:.2f} times as long as the original"
            result.notes.append({"check": "length", "detail": detail, "fixed": False})
    if logprob is not None and logprob < LOW_LOGPROB:
        detail = f"the model was unsure of its English (log-probability {logprob:.2f})"
        result.notes.append({"check": "confidence", "detail": detail, "fixed": False})
    return result


def caption(
    engine: str | None,
    notes: list[dict[str, Any]] | tuple[dict[str, Any], ...],
    version: int = 1,
) -> str:
    """The line printed under the English: who wrote it, and why it is doubtful."""
    if version > 1:
        label = f"English corrected by a reviewer (v{version})"
    else:
        label = f"machine translation ({engine})" if engine else "machine translation"
    doubts = [note["detail"] for note in notes if not note.get("fixed")]
    fixed = [note["detail"] for note in notes if note.get("fixed")]
    if doubts:
        label += " · DOUBTFUL: " + "; ".join(doubts)
    if fixed:
        label += " · " + "; ".join(fixed)
    return label
