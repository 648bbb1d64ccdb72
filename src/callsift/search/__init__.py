"""Search over a case: every word form, words as misheard, across languages, with facets."""

from callsift.search.approximate import hit_spans
from callsift.search.engine import refresh_index, search
from callsift.search.query import (
    Marked,
    SearchError,
    Term,
    fts_query,
    highlight,
    highlight_spans,
    marked,
    parse_query,
)

__all__ = [
    "Marked",
    "SearchError",
    "Term",
    "fts_query",
    "highlight",
    "highlight_spans",
    "hit_spans",
    "marked",
    "parse_query",
    "refresh_index",
    "search",
]
