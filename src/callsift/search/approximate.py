"""Approximate hits: segments that say a query's words as the model misheard them.

The exact search finds every written form of a word; a word heard wrong
("визюме" for "в Изюме", "Патальюн" for "батальон", "бронит рансп ортёра"
for "бронетранспортёр") has no form to find. The sound index
(``store.sounds``) holds each segment's words keyed by how they sound
(``search.sounds``), joined without spaces; pieces of the query's key pick
candidates from its trigram index, and each candidate is then checked here,
in Python, against the query's whole structure: every word of an AND, one side
of an OR, no excluded word. A candidate passes when each word is there
exactly or within the edit budget of its key, so precision rests on this
check, not on the index. Approximate hits rank after every exact hit.
"""

from __future__ import annotations

import functools
import math
from dataclasses import replace

import tantivy

from callsift.analyze.morph import tokenize
from callsift.records import SearchFilters, SearchHit
from callsift.search.index_query import sound_query
from callsift.search.query import Term, highlight_spans, marked
from callsift.search.sounds import (
    KEY_VERSION,
    budget,
    chunks,
    find,
    index_text,
    segment_key,
    skeleton,
    sound_key,
    stem_key,
    unheard,
)
from callsift.store import CaseStore
from callsift.store.index_search import (
    forget_candidates,
    index_sound_candidates,
    segment_hits,
)
from callsift.store.search_index import SearchIndex
from callsift.store.sounds import refresh_sounds, sound_candidates, sounds_pending

__all__ = [
    "CANDIDATES",
    "Pieces",
    "approximate_hits",
    "forget_kept",
    "hit_spans",
    "sound_expression",
    "sound_pieces",
    "verify",
]

CANDIDATES = 200
"""Most segments checked per query: the approximate pass stays bounded at scale."""


def _runs(terms: list[Term]) -> list[list[Term]]:
    """The positive terms as AND-runs between the ORs the user typed (FTS5's precedence)."""
    runs: list[list[Term]] = [[]]
    for term in terms:
        if term.is_or:
            runs.append([])
        elif not term.exclude:
            runs[-1].append(term)
    return [run for run in runs if run]


Pieces = list[list[list[str]]]
"""Per positive term, groups of key pieces: every group must be there, any piece of each."""


def _term_pieces(term: Term) -> list[list[str]] | None:
    """Pieces of one term's key, for the trigram index; a phrase needs a piece of each word.

    However the edits fall in a phrase, no word of it has more than the
    phrase's budget, so each word with consonants enough to cut into pieces
    that do not overlap holds one of its own: asking for all of them keeps a
    phrase's candidates few. Shorter words leave it to the whole phrase's pieces.
    """
    key = stem_key(term.words)
    if len(term.words) > 1:
        words = [sound_key(w) for w in term.words[:-1]] + [stem_key(term.words[-1:])]
        whole = 3 * (math.floor(budget(key)) + 1)  # room for pieces that do not overlap
        each = [chunks(w, budget(key)) for w in words if len(skeleton(w)) >= whole]
        if each:
            return each
    pieces = [piece for piece in chunks(key) if len(piece) >= 3]
    return [pieces] if pieces else None


def sound_pieces(terms: list[Term]) -> Pieces:
    """The pieces of every positive term that has any (prefixes have none)."""
    found = [
        _term_pieces(term)
        for term in terms
        if not term.is_or and not term.exclude and not term.prefix
    ]
    unique = {repr(f): f for f in found if f}
    return list(unique.values())


def _any(pieces: list[str]) -> str:
    return "(" + " OR ".join('"' + p.replace('"', '""') + '"' for p in pieces) + ")"


def sound_expression(terms: list[Term]) -> str | None:
    """A trigram MATCH (FTS5) for any positive term's pieces; None if no term has any."""
    expressions = [
        _any(groups[0]) if len(groups) == 1 else "(" + " AND ".join(map(_any, groups)) + ")"
        for groups in sound_pieces(terms)
    ]
    return " OR ".join(expressions) if expressions else None


Checked = tuple[float, dict[str, str], list[tuple[int, int]]]


def verify(text: str, language: str | None, terms: list[Term]) -> Checked | None:
    """Whether ``text`` says the query, some of it only as it sounds.

    Returns the letters that differ, what each approximate term matched
    (``{"Изюм": "визюме"}``) and where; None when the text does not say it,
    or says an excluded word.
    """
    checked = _verify(text, language, tuple(terms))
    return None if checked is None else (checked[0], dict(checked[1]), list(checked[2]))


@functools.lru_cache(maxsize=4096)
def _verify(text: str, language: str | None, terms: tuple[Term, ...]) -> Checked | None:
    """``verify``, kept for the last few thousand checks (callers get copies).

    It depends on nothing but its arguments, and the same checks come again:
    the next page of a query, the page marking its hits (``hit_spans``), the
    same search with another filter all verify the same candidates.
    """
    excluded = [replace(t, exclude=False) for t in terms if t.exclude]
    if any(highlight_spans(text, language, [t]) for t in excluded):
        return None
    heard = segment_key(text)
    for run in _runs(list(terms)):
        edits, matched, written, spans = 0.0, {}, {}, []
        for term in run:
            # A phrase is checked whole by its sound: one word of it heard
            # right does not make the phrase there.
            exact = [] if term.phrase else highlight_spans(text, language, [term])
            if exact:
                spans += exact
                written[" ".join(term.words)] = text[exact[0][0] : exact[0][1]]
                continue
            found = None if term.prefix else find(term.words, heard)
            if found is None:
                break
            edits += found.edits
            matched[" ".join(term.words)] = text[found.start : found.end]
            spans.append((found.start, found.end))
        else:
            # Said exactly, yet not in the exact index: its lemmas were never
            # stored (a segment another SQLite client wrote). Found all the same.
            return edits, matched or written, spans
    return None


_SAID = 16384
"""Most words one term's memo holds (``_said``) before it starts again."""


@functools.lru_cache(maxsize=256)
def _said(term: Term, language: str | None) -> dict[str, bool]:
    """Per term, whether it marks a word alone: ``highlight_spans`` on that word.

    A text's words are marked each on its own (the word as written, its
    lemma, a prefix), so a text holds the term exactly where one of its
    words does; the words of texts repeat, so each is looked at once.
    """
    return {}


def _exactly(text: str, language: str | None, term: Term) -> bool:
    """Whether ``highlight_spans(text, language, [term])`` marks anything."""
    memo = _said(term, language)
    if len(memo) > _SAID:
        memo.clear()
    for word, _, _ in tokenize(text):
        said = memo.get(word)
        if said is None:
            said = memo[word] = bool(highlight_spans(word, language, [term]))
        if said:
            return True
    return False


@functools.lru_cache(maxsize=4096)
def _may_say(text: str, language: str | None, terms: tuple[Term, ...], key: str | None) -> bool:
    """False only where ``verify`` finds nothing: a cheap first look at a candidate.

    ``key`` is the text's sound key as stored (``segment_key(text).key``; None
    when there is none to trust). A run of the query can pass only if each
    of its terms is said exactly or is not ``unheard`` in the key, the bounds
    ``find`` starts with; the exact words are looked at only for a term the
    key turns away, and the costly cutting into words and aligning is left to
    ``verify``. Kept as ``_verify`` is: a repeated query asks the same.
    """
    if key is None:
        return True
    return any(
        all(
            (not term.prefix and not unheard(term.words, key))
            or (not term.phrase and _exactly(text, language, term))
            for term in run
        )
        for run in _runs(list(terms))
    )


def forget_kept() -> None:
    """Drop the keys, checks and candidates kept in memory, as a process that just started.

    For benchmarks that time a query's first run; search never needs it, as
    what is kept depends on nothing but its key (and the index's commit).
    """
    _verify.cache_clear()
    _may_say.cache_clear()
    _said.cache_clear()
    segment_key.cache_clear()
    sound_key.cache_clear()
    unheard.cache_clear()
    forget_candidates()


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def hit_spans(hit: SearchHit, terms: list[Term]) -> list[tuple[int, int]]:
    """Spans of ``hit.text`` to mark: the exact words, or what an approximate hit matched."""
    if hit.match != "approximate":
        return highlight_spans(hit.text, hit.language, terms)
    checked = verify(hit.text, hit.language, terms)
    return _merged(checked[2]) if checked else []


def approximate_hits(
    store: CaseStore,
    terms: list[Term],
    exact: str,
    filters: SearchFilters,
    index: SearchIndex | None = None,
    words: tantivy.Query | None = None,
) -> list[SearchHit]:
    """Segments the exact expression ``exact`` misses that say ``terms`` as heard, best first.

    With the derived ``index`` (``words`` its exact query) the candidates come
    from its trigrams; else, or while some segment still waits for its key,
    from FTS5's: the same candidates either way, the first by segment id.
    """
    pieces = sound_pieces(terms)
    if not pieces or filters.exact or filters.lang == "en":
        return []
    refresh_sounds(store, index_text, KEY_VERSION)
    if index is not None and words is not None and not sounds_pending(store):
        sounds = sound_query(pieces, index.schema)
        chosen = index_sound_candidates(
            store, index, sounds, words, filters, CANDIDATES, KEY_VERSION
        )
        # Most candidates fail the check, most of them on their stored key
        # alone: only those that pass are cut into words, and read whole.
        said = [
            segment
            for segment, text, language, key in chosen
            if _may_say(text, language, tuple(terms), key) and verify(text, language, terms)
        ]
        candidates = segment_hits(store, said)
    else:
        expression = sound_expression(terms) or ""
        candidates = sound_candidates(store, expression, exact, filters, CANDIDATES)
    hits = []
    for hit in candidates:
        checked = verify(hit.text, hit.language, terms)
        if checked is None:
            continue
        edits, hit.matched, spans = checked
        hit.match, hit.score = "approximate", float(edits)
        hit.snippet = "".join(
            f"[{p.text}]" if p.hit else p.text for p in marked(hit.text, _merged(spans))
        )
        hits.append(hit)
    return sorted(hits, key=lambda h: (h.score, h.call_id, h.start, h.channel))
