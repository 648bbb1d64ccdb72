"""Places in Ukraine, Russia, Belarus, Moldova and Georgia, by any Cyrillic name.

Where a call says the speaker is matters more than anything else in it, and the
map wants coordinates, not words: "в Буче", "у Бучі" and "из Бучи" are one
place, Bucha (50.55, 30.21). Names are looked up in the small packaged file
that ``scripts/build_gazetteer.py`` writes from GeoNames, after pymorphy3
(Russian and Ukrainian dictionaries) has turned the word back into its
nominative; place names the dictionaries do not know ("Ирпеня") go through a
short table of case endings instead.

Whisper hears telephone audio, so a town comes out one letter off ("в Быче"
for "в Буче"). ``correct_place_names`` fixes those slips, and only those: a
capitalised word inside a sentence, unknown to both dictionaries and to the
gazetteer, one edit from a case form of a town of 20,000 people or more (or of
a place often named in 2022). A wrong correction invents evidence, so anything
ambiguous is left as Whisper wrote it.
"""

from __future__ import annotations

import gzip
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from callsift.analyze.morph import analyzer

__all__ = [
    "FREQUENT",
    "Gazetteer",
    "Place",
    "at_sentence_start",
    "correct_place_names",
    "gazetteer",
    "lookup",
    "normalize",
    "vocabulary",
]

DATA = Path(__file__).with_name("data") / "gazetteer.tsv.gz"

# Places in Ukraine named often in 2022 (GeoNames' English names), whatever
# their size: first in the recogniser's vocabulary, and always worth a correction.
FREQUENT = (
    "Bucha", "Irpin", "Hostomel", "Borodianka", "Vorzel", "Makariv", "Motyzhyn", "Kyiv",
    "Chornobyl", "Chernihiv", "Sumy", "Okhtyrka", "Trostyanets", "Kharkiv", "Izyum",
    "Balakliya", "Kupyansk", "Chuhuyiv", "Svyatohirsk", "Slovyansk", "Kramatorsk", "Lyman",
    "Siverskodonetsk", "Lysychansk", "Rubizhne", "Kreminna", "Popasna", "Bakhmut", "Soledar",
    "Horlivka", "Donetsk", "Luhansk", "Avdiyivka", "Vuhledar", "Volnovakha", "Mariupol",
    "Melitopol", "Enerhodar", "Hulyaypole", "Zaporizhzhya", "Nova Kakhovka", "Kherson",
    "Chornobaivka", "Snihurivka", "Mykolayiv", "Odesa",
)  # fmt: skip

CORRECTION_POPULATION = 20_000
_FOLD = str.maketrans({"ё": "е", "’": "'", "ʼ": "'", "`": "'", "-": " "})

# Oblique case endings of place names and the nominative endings they come
# from, for names the dictionaries lack: Ирпеня → Ирпень, Бучі → Буча.
_ENDINGS: dict[str, tuple[str, ...]] = {
    "ові": ("",), "еві": ("ь",), "єві": ("й",), "ою": ("а",), "ею": ("я", "ь"),
    "ом": ("",), "ем": ("ь",), "ой": ("а",), "ей": ("я", "ь"), "ці": ("ка",),
    "а": ("",), "я": ("ь", "й"), "у": ("", "а"), "ю": ("ь", "я", "й"), "е": ("", "ь", "а"),
    "и": ("а",), "ы": ("а",), "і": ("а", "я", "ь", ""), "ї": ("я",),
}  # fmt: skip
# Ukrainian closes the last vowel of a nominative: Харкова → Харків, Києва → Київ.
_CLOSED = re.compile(r"([аеєиіїоуюя]?)([оеє])([бвдзлмнрт]ь?)$")
_SENTENCE_END = ".!?…"
_CAPITALISED = re.compile(r"(?<![\w'’ʼ-])[А-ЯЁІЇЄҐ][а-яёіїєґ'’ʼ]{3,}(?![\w-])")


@dataclass(frozen=True)
class Place:
    """A populated place or a region (``geonameid`` ``None``: added by hand)."""

    geonameid: int | None
    english: str
    country: str
    lat: float
    lon: float
    population: int


def normalize(name: str) -> str:
    """The form names are compared in: lowercase, ``ё`` → ``е``, one apostrophe, no hyphens."""
    return " ".join(name.lower().translate(_FOLD).split())


@lru_cache(maxsize=65536)
def _lemmas(word: str) -> tuple[frozenset[str], frozenset[str]]:
    """The lemmas pymorphy3 (Russian and Ukrainian) gives ``word``: known, then guessed."""
    parses = [parse for lang in ("ru", "uk") for parse in analyzer(lang).parse(word)]
    known = frozenset(normalize(p.normal_form) for p in parses if p.is_known)
    return known, frozenset(normalize(p.normal_form) for p in parses if not p.is_known)


def _by_endings(word: str) -> set[str]:
    found = set()
    for ending, replacements in _ENDINGS.items():
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= 2:
            for replacement in replacements:
                found.add(stem + replacement)
                found.add(_CLOSED.sub(_close, stem + replacement))
    return found


def _close(match: re.Match[str]) -> str:
    after_vowel = bool(match[1]) or match[2] == "є"
    return match[1] + ("ї" if after_vowel else "і") + match[3]


def _agree(said: str, name: str) -> bool:
    """Whether two words can be forms of one word ("Новой" and "Нова")."""
    return bool(({said} | _lemmas(said)[0] | _lemmas(said)[1]) & ({name} | _lemmas(name)[0]))


class Gazetteer:
    """Places indexed by every normalised name: the Cyrillic ones and the English."""

    def __init__(self, places: list[tuple[Place, list[str]]]) -> None:
        self.places = places
        self._spellings = dict(places)
        self._names: dict[str, list[tuple[Place, str]]] = defaultdict(list)
        self._by_head: dict[str, list[tuple[Place, str]]] = defaultdict(list)
        for place, names in places:
            for name in [*names, place.english]:
                key = normalize(name)
                self._names[key].append((place, name))
                if " " in key:
                    self._by_head[key.rsplit(" ", 1)[1]].append((place, name))
        self._forms: dict[str, set[tuple[Place, str]]] | None = None
        largest: dict[str, Place] = {}
        for place, _ in places:
            best = largest.get(place.english)
            if place.country == "UA" and (best is None or place.population > best.population):
                largest[place.english] = place
        self._frequent = [largest[english] for english in FREQUENT if english in largest]

    @classmethod
    def load(cls, path: Path = DATA) -> Gazetteer:
        places = []
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                gid, english, country, lat, lon, population, names = line.rstrip("\n").split("\t")
                place = Place(
                    int(gid) if gid else None, english, country, float(lat), float(lon),
                    int(population),
                )  # fmt: skip
                places.append((place, names.split("|")))
        return cls(places)

    def find(self, name: str) -> tuple[Place, str] | None:
        """The place ``name`` (any case form) names and its nominative spelling, or ``None``.

        The name as written wins over a dictionary form, which wins over a
        pymorphy3 guess, which wins over a guess from the ending. Among equals
        a place of ``FREQUENT`` wins, then the most populous, where a variant
        or former name counts a tenth of the population: Slovyansk, not
        Nikopol (once Slavyansk), for ``Слов'янськ``; Bakhmut, not a village,
        for ``Артемовск``.
        """
        words = normalize(name).split()
        if not words or not any(ch.isalpha() for ch in words[-1]):
            return None
        head = words[-1]
        known, guessed = _lemmas(head)
        for keys in ({head}, known, guessed, _by_endings(head)):
            hits = self._hits(words, sorted(keys))
            if len({place for place, _ in hits}) > 1:
                return max(hits, key=self._rank)
            if hits:
                return hits[0]
        return None

    def _rank(self, hit: tuple[Place, str]) -> tuple[bool, float]:
        place, name = hit
        weight = 1.0 if name in self.primary(place) else 0.1
        return place in self.frequent(), place.population * weight

    def _hits(self, words: list[str], heads: list[str]) -> list[tuple[Place, str]]:
        if len(words) == 1:
            return [hit for head in heads for hit in self._names.get(head, ())]
        return [
            (place, name)
            for head in heads
            for place, name in self._by_head.get(head, ())
            if len(said := normalize(name).split()) == len(words)
            and all(_agree(a, b) for a, b in zip(words[:-1], said[:-1], strict=True))
        ]

    def lookup(self, name: str) -> Place | None:
        found = self.find(name)
        return found[0] if found else None

    def frequent(self) -> list[Place]:
        """The places of ``FREQUENT``, in its order (the largest of a name)."""
        return self._frequent

    def primary(self, place: Place) -> list[str]:
        """The place's usual Russian and Ukrainian names, not GeoNames' variants and old names.

        For each alphabet, the name its dictionary knows, or else the one
        closest to the English name (``Бородянка``, not ``Барадзянка``).
        """
        chosen = []
        for lang, foreign in (("ru", "[іїєґ]"), ("uk", "[ыэъё]")):
            names = [
                name for name in self._spellings[place] if not re.search(foreign, name.lower())
            ]
            if names:
                chosen.append(max(names, key=lambda name: _fitness(name, lang, place.english)))
        return list(dict.fromkeys(chosen))

    def vocabulary(self, limit: int = 200) -> list[str]:
        """Place names for the recogniser's hotwords, most relevant first.

        Places often named in 2022 come first, then regions and towns of
        Ukraine by population, then the rest by population; each with its
        usual Russian and Ukrainian names.
        """
        ordered = self.frequent() + sorted(
            (place for place, _ in self.places),
            key=lambda place: (place.country != "UA", -place.population),
        )
        words: dict[str, None] = {}
        for place in ordered:
            for name in self.primary(place):
                words.setdefault(name)
            if len(words) >= limit:
                break
        return list(words)[:limit]

    def forms(self) -> dict[str, set[tuple[Place, str]]]:
        """Case forms of the towns worth correcting towards, by normalised form."""
        if self._forms is None:
            frequent = set(self.frequent())
            found: dict[str, set[tuple[Place, str]]] = defaultdict(set)
            for place, names in self.places:
                if place.geonameid is None or (
                    place.population < CORRECTION_POPULATION and place not in frequent
                ):
                    continue
                for name in names:
                    if " " not in name and "-" not in name:
                        for form in _case_forms(name):
                            found[form].add((place, name))
            self._forms = found
        return self._forms


def _languages(word: str) -> tuple[str, ...]:
    """The dictionaries a word's letters allow."""
    if re.search("[іїєґ]", word):
        return ("uk",)
    return ("ru",) if re.search("[ыэъё]", word) else ("ru", "uk")


def _case_forms(name: str) -> set[str]:
    """Singular (or plural-only) case forms of a one-word name, by the dictionaries."""
    word = normalize(name)
    forms = {word}
    for lang in _languages(name.lower()):
        parses = [p for p in analyzer(lang).parse(word) if "NOUN" in p.tag and p.tag.case == "nomn"]
        parses.sort(key=lambda p: "Geox" not in p.tag.grammemes)
        if parses:
            number = parses[0].tag.number
            forms.update(
                normalize(form.word) for form in parses[0].lexeme if form.tag.number == number
            )
    return {form for form in forms if len(form) >= 4}


_LATIN = dict(
    zip(
        "абвгґдеёєжзиіїйклмнопрстуфхцчшщъыьэюя",
        (
            "a b v h g d e e ye zh z y i yi y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya"
        ).split(),
        strict=True,
    )
)


def _fitness(name: str, lang: str, english: str) -> tuple[bool, float, int]:
    """Known to the dictionary, then near the English name, then the longer (``Чернобыль``)."""
    known = all(analyzer(lang).word_is_known(word) for word in normalize(name).split())
    latin = "".join(_LATIN.get(ch, ch) for ch in name.lower()).replace("_", "")
    return known, fuzz.ratio(latin, english.lower()), len(name)


@cache
def gazetteer() -> Gazetteer:
    """The packaged gazetteer, loaded once (about 0.1 s)."""
    return Gazetteer.load()


def lookup(name: str) -> Place | None:
    """The place ``name`` names in any case form (``Бучі`` → Bucha), or ``None``."""
    return gazetteer().lookup(name)


def vocabulary(limit: int = 200) -> list[str]:
    """The ``limit`` most relevant place names, in Cyrillic, for the recogniser's hotwords."""
    return gazetteer().vocabulary(limit)


def at_sentence_start(text: str, at: int) -> bool:
    """Whether ``text[at:]`` begins a sentence, where a capital letter proves nothing."""
    before = text[:at].rstrip().rstrip("«\"'„(—–-").rstrip()
    return not before or before[-1] in _SENTENCE_END


def _correction(word: str, language: str | None) -> str | None:
    """The case form of a town ``word`` is one slip away from, if exactly one town fits."""
    lowered = normalize(word)
    forms = gazetteer().forms()
    known = any(analyzer(lang).word_is_known(lowered) for lang in ("ru", "uk"))
    if known or lowered in forms or gazetteer().find(word) is not None:
        return None
    keys = forms.keys()
    near = process.extract(lowered, keys, scorer=Levenshtein.distance, score_cutoff=1, limit=None)
    alike = process.extract(lowered, keys, scorer=fuzz.ratio, score_cutoff=90, limit=None)
    candidates = {form for form, _, _ in near} | {form for form, _, _ in alike}
    places = {place for form in candidates for place, _ in forms[form]}
    if len(places) != 1:
        return None
    # Of one town's forms, the nearest, in the call's language where both are as near.
    foreign = "[ыэъ]" if language == "uk" else "[іїєґ]"
    best = min(
        candidates,
        key=lambda form: (Levenshtein.distance(lowered, form), bool(re.search(foreign, form))),
    )
    return best[:1].upper() + best[1:]


def correct_place_names(text: str, language: str | None) -> tuple[str, list[tuple[str, str]]]:
    """Fix place names Whisper got one letter wrong; returns the text and ``(wrong, right)`` pairs.

    Only capitalised words inside a sentence are considered, and only those
    that neither dictionary (a Russian call may name a town in Ukrainian) nor
    the gazetteer knows. ``language`` picks between a Russian and a Ukrainian
    form that are equally near.
    """
    pieces: list[str] = []
    fixes: list[tuple[str, str]] = []
    last = 0
    for match in _CAPITALISED.finditer(text):
        word = match.group()
        if at_sentence_start(text, match.start()):
            continue
        right = _correction(word, language)
        if right is not None and right != word:
            pieces += [text[last : match.start()], right]
            fixes.append((word, right))
            last = match.end()
    return "".join(pieces) + text[last:], fixes
