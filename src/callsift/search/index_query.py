"""The parsed query (``search.query``) as a query on the derived tantivy index.

It asks exactly what the FTS5 expression of ``query.fts_query`` asks, field
for field: a Russian or Ukrainian word by its lemmas under both dictionaries,
a phrase by its lemmas in order, ``prefix*`` over the words as said and their
lemmas, and the words as typed in the stemmed English; AND-runs between the
user's ORs, exclusions last, the two sides (original, English) either. Words
are cut by the index's own analyzers, so a query word is the token the index
holds. ``"a b"~N`` (FTS5's NEAR, any order) is the phrase with N gaps, either way.
"""

from __future__ import annotations

from collections.abc import Callable

import tantivy

from callsift.analyze.morph import lemmatize
from callsift.search.query import Term, variants
from callsift.store.search_index import analyze, trigrams

__all__ = ["index_query", "sound_query"]

_Q = tantivy.Query
_SHOULD, _MUST, _NOT = tantivy.Occur.Should, tantivy.Occur.Must, tantivy.Occur.MustNot


def _any(queries: list[tantivy.Query]) -> tantivy.Query:
    return queries[0] if len(queries) == 1 else _Q.boolean_query([(_SHOULD, q) for q in queries])


def _seq(tokens: list[str]) -> list[str | tuple[int, str]]:
    return [*tokens]


def _words(
    schema: tantivy.Schema, field: str, text: str, near: int | None = None, english: bool = False
) -> tantivy.Query:
    """The words of ``text`` in ``field``: one token a term, more a phrase (``near`` gaps)."""
    tokens = analyze(text, english)
    if not tokens:
        return _Q.empty_query()
    if len(tokens) == 1:
        return _Q.term_query(schema, field, tokens[0])
    if near is None:
        return _Q.phrase_query(schema, field, _seq(tokens))
    return _any(
        [
            _Q.phrase_query(schema, field, _seq(tokens), near),
            _Q.phrase_query(schema, field, _seq(tokens[::-1]), near),
        ]
    )


def _prefix(schema: tantivy.Schema, field: str, text: str, english: bool = False) -> tantivy.Query:
    """Words ending in a prefix; in the English the whole words before it are stemmed."""
    tokens = analyze(text)
    if not tokens:
        return _Q.empty_query()
    if english and len(tokens) > 1:
        tokens = analyze(" ".join(tokens[:-1]), english=True) + tokens[-1:]
    return _Q.phrase_prefix_query(schema, field, _seq(tokens))


def _original(schema: tantivy.Schema) -> Callable[[Term], tantivy.Query]:
    def render(term: Term) -> tantivy.Query:
        if term.prefix:
            stem = term.words[-1].lower()
            return _any([_prefix(schema, "text", stem), _prefix(schema, "lemmas", stem)])
        if not term.phrase:
            return _any([_words(schema, "lemmas", v) for v in variants(term.words[0])])
        forms = {
            tuple(lemmatize(word, language)[0].lemma for word in term.words)
            for language in ("ru", "uk")
        }
        return _any([_words(schema, "lemmas", " ".join(f), term.near) for f in sorted(forms)])

    return render


def _english(schema: tantivy.Schema) -> Callable[[Term], tantivy.Query]:
    def render(term: Term) -> tantivy.Query:
        words = " ".join(w.lower() for w in term.words)
        if term.prefix:
            return _prefix(schema, "translation", term.words[-1].lower(), english=True)
        return _words(schema, "translation", words, term.near, english=True)

    return render


def _side(terms: list[Term], render: Callable[[Term], tantivy.Query]) -> tantivy.Query:
    """AND-runs between the ORs typed, any run; then no excluded term (FTS5's precedence)."""
    runs: list[list[tantivy.Query]] = [[]]
    excluded = []
    for term in terms:
        if term.is_or:
            runs.append([])
        elif term.exclude:
            excluded.append(render(term))
        else:
            runs[-1].append(render(term))
    anded = [
        run[0] if len(run) == 1 else _Q.boolean_query([(_MUST, q) for q in run])
        for run in runs
        if run
    ]
    query = _any(anded)
    if excluded:
        query = _Q.boolean_query([(_MUST, query)] + [(_NOT, q) for q in excluded])
    return query


def index_query(terms: list[Term], lang: str | None, schema: tantivy.Schema) -> tantivy.Query:
    """The index's query for ``terms``, ``lang`` choosing the sides as ``fts_query`` does."""
    sides = []
    if lang != "en":
        sides.append(_side(terms, _original(schema)))
    if lang not in ("ru", "uk"):
        sides.append(_side(terms, _english(schema)))
    return _any(sides)


def sound_query(pieces: list[list[list[str]]], schema: tantivy.Schema) -> tantivy.Query:
    """Any term whose every group holds one of its pieces (``approximate.sound_pieces``).

    A piece is the phrase of its trigrams, a substring of a segment's key as in
    FTS5's trigram index; a piece under three letters finds nothing there either.
    """

    def piece(text: str) -> tantivy.Query:
        grams = trigrams(text)
        if not grams:
            return _Q.empty_query()
        if len(grams) == 1:
            return _Q.term_query(schema, "sounds", grams[0])
        return _Q.phrase_query(schema, "sounds", _seq(grams))

    terms = []
    for groups in pieces:
        each = [_any([piece(p) for p in group]) for group in groups]
        terms.append(each[0] if len(each) == 1 else _Q.boolean_query([(_MUST, q) for q in each]))
    return _any(terms)
