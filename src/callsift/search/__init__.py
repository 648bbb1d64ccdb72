"""Search over a case: every word form, across languages, with filters and facets."""

from callsift.search.query import (
    SearchError,
    Term,
    fts_query,
    highlight,
    highlight_spans,
    parse_query,
    search,
)

__all__ = [
    "SearchError",
    "Term",
    "fts_query",
    "highlight",
    "highlight_spans",
    "parse_query",
    "search",
]
