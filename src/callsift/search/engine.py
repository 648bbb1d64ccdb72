"""One search: exact hits by BM25 first, then the approximate ones.

Exact hits are every written form of the query's words (``search.query``);
approximate hits are segments that say them only as the model misheard them
(``search.approximate``), ranked after every exact hit and marked so. The
total counts both, ``approximate`` the second kind; facets count the exact hits.
"""

from __future__ import annotations

from callsift.records import SearchFilters, SearchHit, SearchResult
from callsift.search.approximate import approximate_hits
from callsift.search.query import Term, fts_query, highlight, parse_query
from callsift.store import CaseStore, search_facets, search_segments

__all__ = ["search"]


def search(
    store: CaseStore,
    query: str,
    filters: SearchFilters | None = None,
    limit: int = 20,
    facets: bool = False,
) -> SearchResult:
    """Best-matching segments for ``query``, with snippets and facet counts.

    Unless ``filters.exact``, segments that say the words only as they sound
    follow the exact hits (``match == "approximate"``).
    """
    filters = filters or SearchFilters()
    terms = parse_query(query)
    match = fts_query(query, filters.lang)
    hits, total = search_segments(store, match, filters, limit)
    for hit in hits:
        _mark(hit, terms)
    approximate = approximate_hits(store, terms, match, filters)
    hits += approximate[: max(0, limit - len(hits))]
    counts = search_facets(store, match, filters) if facets else {}
    return SearchResult(hits, total + len(approximate), counts, len(approximate))


def _mark(hit: SearchHit, terms: list[Term]) -> None:
    hit.snippet = highlight(hit.text, hit.language, terms)
    if hit.translation:
        hit.translation_snippet = highlight(hit.translation, "en", terms, english=True)
