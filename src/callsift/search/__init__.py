"""Search over a case: every word form, across languages, with filters and facets."""

from callsift.search.query import (
    Marked,
    SearchError,
    Term,
    fts_query,
    highlight,
    highlight_spans,
    marked,
    parse_query,
    search,
)

__all__ = [
    "Marked",
    "SearchError",
    "Term",
    "fts_query",
    "highlight",
    "highlight_spans",
    "marked",
    "parse_query",
    "search",
]
