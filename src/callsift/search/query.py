"""Turn what a journalist types into a safe FTS5 query over every word form.

Users type words, ``"quoted phrases"``, ``"phrase"~5`` (words within five of
each other), ``-word`` exclusions, ``prefix*`` and ``OR``; they never type
FTS5 syntax, and a stray ``"`` or ``*`` must not become a syntax error or an
injection: every word reaches FTS5 as a quoted string.

A Russian or Ukrainian word is searched by its lemma in the ``lemmas``
column (both dictionaries' lemmas, so "Бучі" and "Буче" both find Буча), and
the same words as typed are searched in the English ``translation`` column,
which is Porter-stemmed ("ordered to kill" finds "they were ordered to
kill"). ``--lang en`` keeps only the English side, ``--lang ru``/``uk`` only
the original side.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from callsift.analyze.morph import lemmatize, tokenize
from callsift.errors import CallsiftError

__all__ = [
    "Marked",
    "SearchError",
    "Term",
    "fts_query",
    "highlight",
    "highlight_spans",
    "marked",
    "parse_query",
    "variants",
]

_TOKEN = re.compile(r'(-?)"([^"]*)"?(?:~(\d+))?|(\S+)')


class SearchError(CallsiftError):
    """The query has nothing to search for."""


@dataclass(frozen=True)
class Term:
    """One thing the user asked for: a word, a phrase, or ``OR`` between two."""

    words: tuple[str, ...] = ()
    phrase: bool = False
    prefix: bool = False
    exclude: bool = False
    near: int | None = None
    is_or: bool = False


def parse_query(query: str) -> list[Term]:
    terms: list[Term] = []
    for match in _TOKEN.finditer(query):
        exclude, phrase, near, word = match.groups()
        if word is not None:
            if word == "OR":
                if terms and not terms[-1].is_or:
                    terms.append(Term(is_or=True))
                continue
            exclude, word = ("-", word[1:]) if word.startswith("-") else ("", word)
            words = tuple(w for w, _, _ in tokenize(word))
            if words:
                terms.append(
                    Term(
                        words,
                        phrase=len(words) > 1,
                        prefix=word.endswith("*"),
                        exclude=bool(exclude),
                    )
                )
            continue
        words = tuple(w for w, _, _ in tokenize(phrase))
        if words:
            terms.append(
                Term(words, phrase=True, exclude=bool(exclude), near=int(near) if near else None)
            )
    while terms and terms[-1].is_or:
        terms.pop()
    if not [t for t in terms if not t.is_or and not t.exclude]:
        raise SearchError(f"nothing to search for in {query!r}")
    return terms


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def variants(word: str) -> tuple[str, ...]:
    """The word's lemmas by the Russian and the Ukrainian dictionary.

    Kept per word: marking or checking each of a page's hits asks again.
    """
    return _variants(word)


@functools.lru_cache(maxsize=4096)
def _variants(word: str) -> tuple[str, ...]:
    lemmas = [lemmatize(word, language)[0].lemma for language in ("ru", "uk")]
    return tuple(dict.fromkeys(lemmas))


def _phrase(words: tuple[str, ...], near: int | None) -> str:
    if near is not None:
        return "NEAR(" + " ".join(_quote(w) for w in words) + f", {near})"
    return _quote(" ".join(words))


def _original(term: Term) -> str:
    if term.prefix:
        stem = _quote(term.words[-1].lower())
        return f"(text : {stem}* OR lemmas : {stem}*)"
    if not term.phrase:
        return "lemmas : (" + " OR ".join(_quote(v) for v in variants(term.words[0])) + ")"
    forms = {
        tuple(lemmatize(word, language)[0].lemma for word in term.words)
        for language in ("ru", "uk")
    }
    return "(" + " OR ".join(f"lemmas : {_phrase(form, term.near)}" for form in sorted(forms)) + ")"


def _english(term: Term) -> str:
    words = tuple(w.lower() for w in term.words)
    if term.prefix:
        return f"translation : {_quote(words[-1])}*"
    return f"translation : {_phrase(words, term.near)}"


def _side(terms: list[Term], render: Callable[[Term], str]) -> str:
    """Positive terms joined by AND (or the OR the user typed), then exclusions."""
    expression, joiner = "", " AND "
    negative: list[str] = []
    for term in terms:
        if term.is_or:
            joiner = " OR "
        elif term.exclude:
            negative.append(render(term))
        else:
            expression = f"{expression}{joiner}{render(term)}" if expression else render(term)
            joiner = " AND "
    for excluded in negative:
        expression = f"({expression}) NOT {excluded}"
    return f"({expression})"


def fts_query(query: str, lang: str | None = None) -> str:
    """``в Буче "наша оборона" -мама`` → an FTS5 MATCH expression over the columns."""
    terms = parse_query(query)
    sides = []
    if lang != "en":
        sides.append(_side(terms, _original))
    if lang not in ("ru", "uk"):
        sides.append(_side(terms, _english))
    return " OR ".join(sides)


def _stem(word: str) -> str:
    """A rough English stem, only for marking words the Porter index matched."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def highlight_spans(
    text: str, language: str | None, terms: list[Term], english: bool = False
) -> list[tuple[int, int]]:
    """Character spans of the words of ``text`` that a query term matched."""
    wanted = {w.lower() for t in terms if not t.exclude for w in t.words}
    if not english:
        wanted |= {v for t in terms if not t.exclude for w in t.words for v in variants(w)}
    prefixes = tuple({t.words[-1].lower() for t in terms if t.prefix and not t.exclude})
    stems = {_stem(w) for w in wanted} if english else set()
    spans = []
    for token in lemmatize(text, language):
        word = token.text.lower()
        if (
            word in wanted
            or token.lemma in wanted
            or word.startswith(prefixes)  # any of them; none when empty
            or (english and _stem(word) in stems)
        ):
            spans.append((token.start, token.end))
    return spans


@dataclass(frozen=True)
class Marked:
    """A piece of a text, and whether a query term matched it."""

    text: str
    hit: bool


def marked(text: str, spans: list[tuple[int, int]]) -> list[Marked]:
    """``text`` cut at ``spans`` (sorted, not overlapping) into matched and other pieces."""
    pieces, last = [], 0
    for start, end in spans:
        if start > last:
            pieces.append(Marked(text[last:start], False))
        pieces.append(Marked(text[start:end], True))
        last = end
    if last < len(text):
        pieces.append(Marked(text[last:], False))
    return pieces


def highlight(text: str, language: str | None, terms: list[Term], english: bool = False) -> str:
    """Mark the words of ``text`` that a query term matched with ``[`` and ``]``."""
    spans = highlight_spans(text, language, terms, english)
    return "".join(f"[{p.text}]" if p.hit else p.text for p in marked(text, spans))
