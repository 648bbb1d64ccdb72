"""Watchlists: topics of words and phrases that flag a segment for review.

The lists live in YAML (``data/watchlists.yaml``, plus the team's own file)
because the people who know which words matter in a case are investigators,
not programmers: they add a topic or a slang word without touching code.

Terms are compared by lemma, so one entry covers every case and number
("убитый" hits "убитых", "убиты", "убитыми"). Each term is lemmatized once,
with both the Russian and the Ukrainian dictionary, keeping every reading of
the same part of speech ("стоим": "стоять" and "стоить"); segment words are
compared by every lemma either dictionary gives them (``lemma_forms``), so a
Russian term still matches in a call Whisper labelled Ukrainian when the
lemmas agree. A word matches when the two sets share a lemma. Matching all
readings trades a little precision for never missing a word pymorphy3 reads
wrongly first ("танків" is first a dance). A phrase matches in order, with at
most one other word between two of its words ("сгорел наш танк" for "сгорел
танк"), within one clause.
A term ending in ``*`` matches lemmas beginning with it ("мародер*").

Merge rule: the built-in file is read first, then the user's file. A user
topic with a new name is added; one with a built-in name adds its terms to the
built-in ones, or replaces them when it says ``replace: true`` (no terms then
switches the topic off). A ``description`` given by the user wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from callsift.analyze.morph import analyzer, lemmatize
from callsift.analyze.negation import negated
from callsift.analyze.numbers import lemma_forms
from callsift.errors import CallsiftError
from callsift.records import FlagHit

__all__ = ["NEGATABLE", "Term", "WatchlistError", "Watchlists", "load_watchlists", "match_flags"]

_TOPIC_KEYS = {"description", "terms", "replace"}
_CLAUSE_END = re.compile(r"[.!?;…,:]")

NEGATABLE = frozenset({"casualties"})
"""Topics whose terms a negation denies ("не ранен" reports no wound). Not the
others: "пленных не брать" is the order itself, "не поеду" the refusal."""


class WatchlistError(CallsiftError):
    """A watchlist file cannot be read; names the file and the problem."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Term:
    """One watchlist entry.

    Attributes:
        text: the entry as written in the YAML file.
        lemmas: its lemma sequences, one per dictionary (Russian, Ukrainian),
            without repeats.
        words: what each word of the entry matches: its lemmas from every
            parse in both dictionaries ("стоим" is "стоять" and "стоить"),
            or for the last word of a prefix entry, the prefix alone.
        prefix: the entry ended in ``*``: its last word is a lemma prefix.
    """

    text: str
    lemmas: tuple[tuple[str, ...], ...]
    words: tuple[frozenset[str], ...]
    prefix: bool = False


@dataclass(frozen=True)
class Watchlists:
    """Topics and their terms, ready to match; build with ``load_watchlists``."""

    topics: dict[str, tuple[Term, ...]]
    descriptions: dict[str, str] = field(default_factory=dict)

    @cached_property
    def _index(self) -> dict[str, list[tuple[int, str, Term]]]:
        """Each lemma of a term's first word → (rank, topic, term); ``*``: one-word prefixes.

        ``rank`` is the term's place in the file: of two terms that match the
        same words, the one written first is reported.
        """
        index: dict[str, list[tuple[int, str, Term]]] = {}
        for topic, terms in self.topics.items():
            for rank, term in enumerate(terms):
                keys = ["*"] if term.prefix and len(term.words) == 1 else term.words[0]
                for key in keys:
                    index.setdefault(key, []).append((rank, topic, term))
        return index


def _make_term(text: str) -> Term:
    """Lemmatize one entry with both dictionaries."""
    prefix = text.endswith("*")
    body = text.rstrip("*").strip()
    sequences: list[tuple[str, ...]] = []
    for language in ("ru", "uk"):
        seq = tuple(t.lemma for t in lemmatize(body, language))
        if seq not in sequences:
            sequences.append(seq)
    tokens = lemmatize(body, "ru")
    words = [_word_lemmas(t.text) | {seq[k] for seq in sequences} for k, t in enumerate(tokens)]
    if prefix:
        stem = tokens[-1].text.lower().replace("ё", "е")
        sequences = [(*seq[:-1], stem) for seq in sequences]
        words[-1] = frozenset({stem})
    return Term(text, tuple(dict.fromkeys(sequences)), tuple(words), prefix)


def _word_lemmas(word: str) -> frozenset[str]:
    """Lemmas of the parses that share the first parse's part of speech, in both dictionaries.

    "стоим" is "стоять" as well as "стоить", but the noun "втрати" is not the
    verb "втратити" whose imperative it also spells.
    """
    lowered = word.lower().replace("ё", "е").replace("’", "'").replace("ʼ", "'")
    found = {lowered}
    for language in ("ru", "uk"):
        parses = analyzer(language).parse(lowered)
        pos = parses[0].tag.POS if parses else None
        found |= {str(p.normal_form).replace("ё", "е") for p in parses if p.tag.POS == pos}
    return frozenset(found)


def load_watchlists(path: Path | None = None) -> Watchlists:
    """The built-in watchlists, merged with the user's file at ``path`` if given.

    Raises:
        WatchlistError: a file is missing, is not YAML, or is not shaped like
            the built-in one; the message names the file and the problem.
    """
    builtin = resources.files("callsift.analyze").joinpath("data").joinpath("watchlists.yaml")
    topics = _parse(builtin.read_text(encoding="utf-8"), str(builtin))
    if path is not None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise WatchlistError(str(path), f"cannot read: {exc}") from exc
        for name, (description, terms, replace) in _parse(text, str(path)).items():
            old_description, old_terms, _ = topics.get(name, ("", [], False))
            kept = [] if replace else old_terms
            topics[name] = (description or old_description, kept + terms, False)
    made: dict[str, Term] = {}
    return Watchlists(
        topics={
            name: tuple(made.setdefault(t, _make_term(t)) for t in dict.fromkeys(terms))
            for name, (_, terms, _) in topics.items()
            if terms
        },
        descriptions={name: d for name, (d, terms, _) in topics.items() if terms and d},
    )


def _parse(text: str, label: str) -> dict[str, tuple[str, list[str], bool]]:
    """Topic name → (description, terms, replace), checked."""
    try:
        document: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise WatchlistError(label, f"not valid YAML: {problem}{where}") from exc
    if document is None:
        return {}
    if not isinstance(document, dict) or set(document) != {"topics"}:
        raise WatchlistError(label, "expected a mapping with one key, 'topics'")
    if not isinstance(document["topics"], dict):
        raise WatchlistError(label, "'topics' must map topic names to their settings")
    topics: dict[str, tuple[str, list[str], bool]] = {}
    for name, spec in document["topics"].items():
        where = f"topic {name!r}"
        if not isinstance(name, str) or not name.strip():
            raise WatchlistError(label, f"{where}: a topic name must be text")
        if not isinstance(spec, dict):
            raise WatchlistError(label, f"{where}: expected 'description' and 'terms'")
        unknown = set(spec) - _TOPIC_KEYS
        if unknown:
            raise WatchlistError(
                label,
                f"{where}: unknown key(s) {sorted(map(str, unknown))}; "
                f"expected {sorted(_TOPIC_KEYS)}",
            )
        description, terms, replace = (
            spec.get("description", ""),
            spec.get("terms", []),
            spec.get("replace", False),
        )
        if not isinstance(description, str):
            raise WatchlistError(label, f"{where}: 'description' must be text")
        if not isinstance(replace, bool):
            raise WatchlistError(label, f"{where}: 'replace' must be true or false")
        if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
            raise WatchlistError(label, f"{where}: 'terms' must be a list of words or phrases")
        for term in terms:
            if not lemmatize(term.rstrip("*"), "ru"):
                raise WatchlistError(label, f"{where}: term {term!r} has no words")
        topics[name] = (description.strip(), [t.strip() for t in terms], replace)
    return topics


def match_flags(text: str, language: str | None, watchlists: Watchlists) -> list[FlagHit]:
    """Every watchlist term said in ``text``; per topic, overlapping hits keep the longest."""
    tokens = lemmatize(text, language)
    forms = [lemma_forms(t.text) | {t.lemma} for t in tokens]
    clause = [len(_CLAUSE_END.findall(text, 0, t.start)) for t in tokens]
    index = watchlists._index
    words = [t.text for t in tokens]
    found: list[tuple[int, FlagHit]] = []
    for i, token_forms in enumerate(forms):
        candidates = [c for f in token_forms for c in index.get(f, ())] + index.get("*", [])
        for rank, topic, term in candidates:
            end = _match(term, i, forms, clause)
            if (
                end is not None
                and topic in NEGATABLE
                and negated(words, forms, clause, i, end, absence=True)
            ):
                continue  # "ты не ранен?", "никого не убили", "потерь нет"
            if end is not None:
                start, stop = tokens[i].start, tokens[end].end
                found.append((rank, FlagHit(topic, term.text, text[start:stop], start, stop)))
    found.sort(key=lambda f: (f[1].topic, f[1].start_char, -f[1].end_char, f[0]))
    hits = [hit for _, hit in found]
    kept: list[FlagHit] = []
    for hit in hits:
        last = kept[-1] if kept else None
        if last is None or last.topic != hit.topic or hit.start_char >= last.end_char:
            kept.append(hit)
    return sorted(kept, key=lambda h: (h.start_char, h.topic))


def _match(term: Term, i: int, forms: list[frozenset[str]], clause: list[int]) -> int | None:
    """Index of the last token when ``term`` matches from token ``i``, else None."""
    last = len(term.words) - 1

    def hit(n: int, k: int) -> bool:
        if term.prefix and n == last:
            (stem,) = term.words[n]
            return any(f.startswith(stem) for f in forms[k])
        return not term.words[n].isdisjoint(forms[k])

    if not hit(0, i):
        return None
    at = i
    for n in range(1, last + 1):
        steps = (at + 1, at + 2)  # at most one other word in between
        nxt = next(
            (k for k in steps if k < len(forms) and clause[k] == clause[i] and hit(n, k)), None
        )
        if nxt is None:
            return None
        at = nxt
    return at
