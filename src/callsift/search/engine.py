"""One search: exact hits by BM25 first, then the approximate ones.

Exact hits are every written form of the query's words (``search.query``);
approximate hits are segments that say them only as the model misheard them
(``search.approximate``), ranked after every exact hit and marked so. Exact
hits come from the derived tantivy index (``store.search_index``) when it can
be brought up to date, else from FTS5: both answer the same query. The
total counts both, ``approximate`` the second kind; facets count the exact hits.
A page of hits starts at ``offset`` in that order: exact hits, then approximate.

Without a word to search for, the filters alone list the calls they pick
(``store.filtered``); without either there is nothing to search for.
"""

from __future__ import annotations

from callsift.parties import describe_hits
from callsift.records import SearchFilters, SearchHit, SearchResult
from callsift.search.approximate import approximate_hits
from callsift.search.index_query import index_query
from callsift.search.query import SearchError, Term, fts_query, highlight, parse_query
from callsift.search.sounds import KEY_VERSION, index_text
from callsift.store import CaseStore, search_facets, search_segments
from callsift.store.filtered import filtered_calls
from callsift.store.index_search import index_facets, index_hits, index_usable
from callsift.store.search_index import current_index
from callsift.store.sounds import refresh_sounds

__all__ = ["refresh_index", "search"]


def search(
    store: CaseStore,
    query: str,
    filters: SearchFilters | None = None,
    limit: int = 20,
    facets: bool = False,
    offset: int = 0,
) -> SearchResult:
    """Best-matching segments for ``query``, ``limit`` of them from ``offset``, with snippets.

    Unless ``filters.exact``, segments that say the words only as they sound
    follow the exact hits (``match == "approximate"``). An empty query with a
    filter that narrows (:meth:`SearchFilters.narrows`) lists the calls it picks.

    Raises:
        SearchError: no words and no filter, or a query that cannot be read.
    """
    filters = filters or SearchFilters()
    if not query.strip():
        if not filters.narrows():
            raise SearchError("nothing to search for: give words, or a filter alone")
        found, calls = filtered_calls(store, filters, limit, offset)
        describe_hits(store, found)
        return SearchResult(found, calls, offset=offset, limit=limit, by_call=True)
    terms = parse_query(query)
    match = fts_query(query, filters.lang)
    # Sound keys first: the derived index holds them too, and indexes each call once.
    refresh_sounds(store, index_text, KEY_VERSION)
    index = current_index(store) if index_usable(filters) else None
    words = None if index is None else index_query(terms, filters.lang, index.schema)
    if index is not None and words is not None:
        hits, total = index_hits(store, index, words, filters, limit, offset)
    else:
        hits, total = search_segments(store, match, filters, limit, offset)
    for hit in hits:
        _mark(hit, terms)
    approximate = approximate_hits(store, terms, match, filters, index, words)
    first = max(0, offset - total)  # where this page starts among the approximate hits
    hits += approximate[first : first + max(0, limit - len(hits))]
    describe_hits(store, hits)
    counts: dict[str, dict[str, int]] = {}
    if facets and index is not None and words is not None:
        counts = index_facets(store, index, words, filters, top=10)
    elif facets:
        counts = search_facets(store, match, filters)
    return SearchResult(
        hits, total + len(approximate), counts, len(approximate), offset=offset, limit=limit
    )


def refresh_index(store: CaseStore) -> bool:
    """Bring the sound keys and the derived index up to date now; ``False`` if FTS5 must serve.

    ``run_case`` calls it last, so that the first search after a long run (a
    whole index built for a million segments takes minutes) is not the one a
    reader waits for.
    """
    refresh_sounds(store, index_text, KEY_VERSION)
    return current_index(store) is not None


def _mark(hit: SearchHit, terms: list[Term]) -> None:
    hit.snippet = highlight(hit.text, hit.language, terms)
    if hit.translation:
        hit.translation_snippet = highlight(hit.translation, "en", terms, english=True)
