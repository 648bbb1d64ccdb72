"""People, places and organisations named in a segment.

Russian goes through natasha (slovnet's NER and morphology, trained on news):
it finds names in context, and its normal forms group "Сергея Иванова" with
"Сергей Иванов". It has no Ukrainian model, so Ukrainian takes rules: a
capitalised word inside a sentence is a person when pymorphy3's Ukrainian
dictionary has it as a first name, patronymic or surname, and a place when the
gazetteer knows it. In both, a first name opening a sentence before a comma
is someone addressed ("Лена, привет"), which news-trained natasha misses.
Text in Latin letters gets places only, by their English names.

Both languages share a short list of organisations, and every place the
gazetteer knows gets its English name and coordinates, which is what puts a
call on the map. Unit abbreviations (ВДВ, ОМОН) are left to ``military``.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import cache
from typing import Any

from callsift.analyze.gazetteer import (
    CORRECTION_POPULATION,
    Place,
    at_sentence_start,
    gazetteer,
)
from callsift.analyze.morph import analyzer, lemmatize, tokenize
from callsift.records import Mention

__all__ = ["ORGANISATIONS", "extract_entities"]

# Organisations by the lemmas of their words (Russian or Ukrainian) → normal form.
ORGANISATIONS: dict[tuple[str, ...], str] = {
    ("минобороны",): "Минобороны",
    ("міноборони",): "Міноборони",
    ("министерство", "оборона"): "Министерство обороны",
    ("міністерство", "оборона"): "Міністерство оборони",
    ("генштаб",): "Генштаб",
    ("генеральный", "штаб"): "Генштаб",
    ("генеральний", "штаб"): "Генштаб",
    ("сбу",): "СБУ",
    ("зсу",): "ЗСУ",
    ("всу",): "ВСУ",
    ("фсб",): "ФСБ",
    ("гру",): "ГРУ",
    ("мвс",): "МВС",
    ("мвд",): "МВД",
    ("оон",): "ООН",
    ("нато",): "НАТО",
    ("росгвардия",): "Росгвардия",
    ("красный", "крест"): "Красный Крест",
    ("червоний", "хрест"): "Червоний Хрест",
}
# Abbreviations of kinds of troops: units for ``military``, not organisations.
_UNITS = set(
    "вдв омсбр омсб омсп обрспн бтг дшб дшбр одшбр дшп омбр отбр оабр мсп мсд пдп тро омон "
    "собр дрг ссо".split()
)
_PERSON = {"Name", "Surn", "Patr"}
_CYRILLIC = re.compile("[а-яёіїєґ]", re.IGNORECASE)
_REGION_WORDS = {"область", "області", "областю", "области", "областью"}


@dataclass(frozen=True)
class _Natasha:
    segmenter: Any
    morph_vocab: Any
    morph_tagger: Any
    ner_tagger: Any


@cache
def _natasha() -> _Natasha:
    """natasha's models, loaded on first use (about 1 s and 180 MB)."""
    with warnings.catch_warnings():
        # natasha's pymorphy2 imports pkg_resources when its dictionary loads, which
        # setuptools warns about on stderr in every command that analyses.
        warnings.filterwarnings("ignore", "pkg_resources is deprecated", UserWarning)
        from natasha import MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter

        embedding = NewsEmbedding()
        return _Natasha(
            Segmenter(), MorphVocab(), NewsMorphTagger(embedding), NewsNERTagger(embedding)
        )


def extract_entities(text: str, language: str | None) -> list[Mention]:
    """``PER``, ``LOC`` and ``ORG`` mentions in one segment's text, in order of position."""
    if not text.strip():
        return []
    if language == "uk" or not _CYRILLIC.search(text):
        found = _by_rules(text, "uk" if language == "uk" else "en")
    else:
        found = _russian(text)
    # A listed organisation beats a person or place read into its words; an
    # organisation natasha found (longer: "Минобороны России") beats the list.
    listed = _organisations(text)
    mentions = [m for m in found if m.type == "ORG" or not any(_overlap(m, o) for o in listed)]
    mentions += [o for o in listed if not any(_overlap(o, m) for m in mentions)]
    return sorted(mentions, key=lambda m: m.start_char)


def _overlap(one: Mention, other: Mention) -> bool:
    return one.start_char < other.end_char and other.start_char < one.end_char


def _place_attrs(place: Place) -> dict[str, Any]:
    return {
        "english": place.english,
        "lat": place.lat,
        "lon": place.lon,
        "geonameid": place.geonameid,
        "country": place.country,
    }


def _capitalise(normal: str, said: str) -> str:
    """``normal`` with the first letter of each word capitalised where ``said`` has it."""
    words, said_words = normal.split(" "), said.split()
    if len(words) != len(said_words):
        return normal[:1].upper() + normal[1:]
    return " ".join(
        word[:1].upper() + word[1:] if original[:1].isupper() else word
        for word, original in zip(words, said_words, strict=True)
    )


def _russian(text: str) -> list[Mention]:
    from natasha import Doc

    models = _natasha()
    doc = Doc(text)
    doc.segment(models.segmenter)
    doc.tag_ner(models.ner_tagger)
    if doc.spans:  # morphology only serves normal forms, and most segments name no one
        doc.tag_morph(models.morph_tagger)
    mentions = []
    for span in doc.spans:
        words = span.text.split()
        person = _person_normal(words, "ru")
        if span.type == "ORG" and span.text.lower() in _UNITS:
            continue
        # natasha takes a verb opening a sentence for a name now and then ("Уходи, Миша").
        if span.type == "PER" and person is None and at_sentence_start(text, span.start):
            continue
        span.normalize(models.morph_vocab)
        mention = Mention(span.type, span.text, _natasha_normal(span), span.start, span.stop)
        found = gazetteer().find(span.text) if span.type == "LOC" else None
        if found is not None:
            mention.normal, mention.attrs = found[1], _place_attrs(found[0])
        elif span.type == "LOC" and person is not None:
            mention.type, mention.normal = "PER", person  # "Ванечка, там спокойно?"
        elif span.type == "LOC" and not _known_place(words):
            continue  # a misheard word natasha took for a place ("в парвале")
        elif (
            span.type == "PER"
            and person is not None
            and (mention.normal == span.text or not _nominative_names(mention.normal))
        ):
            # natasha leaves some names as they are ("Саше") and turns others into a
            # common noun ("Света" → "Свет"): the dictionary's first name then.
            mention.normal = person
        mentions.append(mention)
    # Whisper writes some places in lower case ("мы стоим в херсоне"), and
    # natasha only sees capitalised ones.
    for place in _lowercase_places(text):
        if not any(_overlap(place, mention) for mention in mentions):
            mentions.append(place)
    # natasha misses a name that opens a sentence to address someone: "Лена, привет."
    for word, start, end in tokenize(text):
        name = _addressed(text, word, start, end, "ru")
        if name is not None and not any(_overlap(name, mention) for mention in mentions):
            mentions.append(name)
    return mentions


def _addressed(text: str, word: str, start: int, end: int, language: str) -> Mention | None:
    """A first name opening a sentence, followed by a comma or "!": the person spoken to."""
    if not (text[end : end + 1] in (",", "!") and at_sentence_start(text, start)):
        return None
    if not word[:1].isupper() or _person_parse(word, language, {"Name"}) is None:
        return None
    return Mention("PER", word, _person_normal([word], language) or word, start, end)


_PREPOSITIONS = {"в", "во", "из", "под", "подо", "возле", "около", "до", "к", "ко", "через"}


def _known_place(words: list[str]) -> bool:
    """A place name the Russian dictionary itself knows (not one pymorphy guessed)."""
    if len(words) > 1:
        return True
    return any(p.is_known and "Geox" in str(p.tag) for p in analyzer("ru").parse(words[0]))


def _lowercase_places(text: str) -> list[Mention]:
    """Dictionary place names after a preposition, in lower case, that the gazetteer knows."""
    places = []
    previous = ""
    for word, start, end in tokenize(text):
        if previous in _PREPOSITIONS and word.islower() and _known_place([word]):
            found = gazetteer().find(word)
            if found is not None:
                said = _capitalise(found[1], word.capitalize())
                places.append(Mention("LOC", word, said, start, end, attrs=_place_attrs(found[0])))
        previous = word.lower()
    return places


def _natasha_normal(span: Any) -> str:
    """natasha's normal form, capitalised as said and with the ``ё`` it drops put back."""
    normal = _capitalise(span.normal or span.text, span.text)
    words, said_words = normal.split(" "), span.text.split()
    if len(words) != len(said_words):
        return normal
    return " ".join(_with_yo(word, said) for word, said in zip(words, said_words, strict=True))


def _with_yo(word: str, said: str) -> str:
    """``word`` with ``ё`` wherever ``said`` has it at the same place ("Сережа", "Серёжи")."""
    letters = [
        theirs if theirs in "ёЁ" and mine in "еЕ" else mine
        for mine, theirs in zip(word, said, strict=False)
    ]
    return "".join(letters) + word[len(said) :]


def _capitalised_runs(text: str) -> list[tuple[int, int]]:
    """Spans of capitalised words (not abbreviations) joined by single spaces or hyphens.

    The word ``область`` after a run ends it and belongs to it: "у Київській області".
    """
    runs: list[tuple[int, int]] = []
    open_run = False
    for word, start, end in tokenize(text):
        capitalised = word[:1].isupper() and word[:1].isalpha() and not word.isupper()
        joined = open_run and text[runs[-1][1] : start] in (" ", "-")
        if joined and (capitalised or word.lower() in _REGION_WORDS):
            runs[-1] = (runs[-1][0], end)
            open_run = capitalised
        elif capitalised:
            runs.append((start, end))
            open_run = True
        else:
            open_run = False
    return runs


def _person_parse(word: str, language: str, kinds: set[str] = _PERSON) -> Any | None:
    """The dictionary's parse of ``word`` as a first name, patronymic or surname.

    A nominative reading comes first, so that "Сашко" stays Сашко and is not
    taken for the vocative of Сашка.
    """
    parses = [
        parse
        for parse in analyzer(language).parse(word.lower())
        if parse.is_known and kinds & set(parse.tag.grammemes)
    ]
    return min(parses, key=lambda parse: parse.tag.case != "nomn", default=None)


def _nominative_names(text: str) -> bool:
    """Every word of ``text`` reads as a name in the nominative ("Свет" is a plural genitive)."""
    parses = [_person_parse(word, "ru") for word in text.split()]
    return all(parse is not None and parse.tag.case == "nomn" for parse in parses)


def _person_normal(words: list[str], language: str) -> str | None:
    """The name in the nominative ("Сергія Петренка" → "Сергій Петренко"), if all are names."""
    parses = [parse for word in words if (parse := _person_parse(word, language)) is not None]
    if len(parses) != len(words):
        return None
    names = [str((parse.inflect({"nomn"}) or parse).word) for parse in parses]
    return " ".join(name[:1].upper() + name[1:] for name in names)


def _by_rules(text: str, language: str) -> list[Mention]:
    """Ukrainian people and places, or places in English, from capitalised words."""
    mentions = []
    for run_start, end in _capitalised_runs(text):
        # A run at a sentence start may begin with an ordinary word: "Бачив Сергія Петренка".
        for _, start, _ in tokenize(text[run_start:end]):
            mention = _rule_mention(text, run_start + start, end, language)
            if mention is not None:
                mentions.append(mention)
                break
    return mentions


def _rule_mention(text: str, start: int, end: int, language: str) -> Mention | None:
    said = text[start:end]
    words = said.replace("-", " ").split()
    found = gazetteer().find(said)
    if found is not None and _plausible_place(words, found[0], language):
        return Mention("LOC", said, found[1], start, end, attrs=_place_attrs(found[0]))
    if language != "uk":
        return None
    normal = _person_normal(words, "uk")
    # At a sentence start a capital proves nothing: "Слава Україні" is no person.
    if normal is not None and (len(words) > 1 or not at_sentence_start(text, start)):
        return Mention("PER", said, normal, start, end)
    return _addressed(text, said, start, end, "uk")


def _plausible_place(words: list[str], place: Place, language: str) -> bool:
    """Whether a capitalised run the gazetteer found is the place, not a word or a name.

    A village named like a common word ("Мир", "Победа") or a first name counts
    only if it is a large town or one often named; in English, which has no
    dictionary here, only those count.
    """
    if place.population >= CORRECTION_POPULATION or place in gazetteer().frequent():
        return True
    if language != "uk":
        return False
    ordinary = any(
        parse.is_known and "Geox" not in parse.tag.grammemes
        for word in words
        for parse in analyzer("uk").parse(word.lower())
    )
    return not ordinary


def _organisations(text: str) -> list[Mention]:
    """Capitalised mentions of ``ORGANISATIONS``, in any case form, said in either language."""
    words = [
        (ru.start, ru.end, {ru.lemma, uk.lemma})
        for ru, uk in zip(lemmatize(text, "ru"), lemmatize(text, "uk"), strict=True)
    ]
    found = []
    index = 0
    while index < len(words):
        for key, normal in ORGANISATIONS.items():
            window = words[index : index + len(key)]
            start, end = window[0][0], window[-1][1]
            if (
                len(window) == len(key)
                and text[start].isupper()
                and all(lemma in lemmas for lemma, (_, _, lemmas) in zip(key, window, strict=True))
            ):
                found.append(Mention("ORG", text[start:end], normal, start, end))
                index += len(key) - 1
                break
        index += 1
    return found
